"""Loading the indicator definitions (考核指标) from data, validated once at start-up.

The shipped set is ``data/indicators.json``; a deployment replaces it whole with
``indicators.json`` in ``FENGQIAO_POLICY_DIR`` (its targets are local plans' numbers). A file
that does not validate stops the loader and names it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from domain.indicators.definitions import IndicatorSet

DEFAULT_INDICATORS = Path(__file__).parent / "data" / "indicators.json"


class IndicatorDataError(ValueError):
    """An indicator file that does not validate."""


def load_indicators(policy_dir: Path | None = None) -> IndicatorSet:
    """The deployment's ``indicators.json`` when it has one, else the shipped set."""
    path = DEFAULT_INDICATORS
    if policy_dir is not None and (policy_dir / "indicators.json").is_file():
        path = policy_dir / "indicators.json"
    return _load(path)


@cache
def _load(path: Path) -> IndicatorSet:
    try:
        return IndicatorSet.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as error:
        raise IndicatorDataError(f"{path}: {error}") from error
