"""The screening policy (排查 cadences and their escalation chain) from data.

The shipped file is ``data/screening.json`` (village weekly, town half-monthly, county monthly:
common local practice, DEADLINES F, confidence R). A deployment replaces it with
``FENGQIAO_SCREENING_POLICY_FILE``: its rules may name a jurisdiction, whose units then follow
that rule instead of the general rule of their level. A file that does not validate stops the
worker and names itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from domain.screening.duties import ScreeningPolicy

DEFAULT_SCREENING_POLICY = Path(__file__).parent / "data" / "screening.json"


class ScreeningPolicyError(ValueError):
    pass


def load_screening_policy(path: Path | None = None) -> ScreeningPolicy:
    source = path or DEFAULT_SCREENING_POLICY
    try:
        policy = ScreeningPolicy.model_validate(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as error:
        raise ScreeningPolicyError(f"{source}: {error}") from error
    ids = [rule.rule_id for rule in policy.rules]
    if len(set(ids)) != len(ids):
        raise ScreeningPolicyError(f"{source}: a rule id is used twice")
    return policy
