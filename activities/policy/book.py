"""Loading the policy set (时限规则) from data files, with per-jurisdiction overrides.

The shipped set is ``data/default.json``. A deployment adds ``*.json`` files in
``FENGQIAO_POLICY_DIR``, each ``{"jurisdiction": "320102", "version": "xuanwu-1",
"rules": [...], "chains": [...], "lift_rules": [...], "backlog_days": 120,
"late_entry_grace_minutes": 30}``: its rules (clock rules, chains, lift rules by id) replace the
shipped ones of the same id (or add new ones) for cases whose jurisdiction code starts with
``jurisdiction``; the most specific override wins. Every file is validated with pydantic on
load; a bad file stops the loader and names it.

An override rule counts under the counting rules its file names (``"counting": "2026.2"``), else
under those of the shipped set. ``data/legacy-2026.1.json`` is the set shipped before 2026.2,
kept so that a deployment (or a test) can still run the old rules on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.case.policy import EscalationChain, LiftRule, PolicySet, inherit_counting
from domain.deadlines.clock_rules import ClockRule, Counting

DEFAULT_POLICY = Path(__file__).parent / "data" / "default.json"
LEGACY_POLICY_2026_1 = Path(__file__).parent / "data" / "legacy-2026.1.json"


class PolicyOverride(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    jurisdiction: str
    version: str
    counting: Counting | None = None  # the rules' counting when they name none (else the base's)
    rules: tuple[ClockRule, ...] = ()
    chains: tuple[EscalationChain, ...] = ()
    lift_rules: tuple[LiftRule, ...] = ()  # replace the shipped lift rules of the same id
    backlog_days: int | None = None  # 积案 threshold for the jurisdiction (else the shipped one)
    # 补录宽限 for the jurisdiction (else the shipped one); 0: a late breach is told at once.
    late_entry_grace_minutes: Annotated[int, Field(ge=0, le=1440)] | None = None


class PolicyError(ValueError):
    """A policy file that does not validate."""


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise PolicyError(f"{path}: {error}") from error


class PolicyBook:
    """The shipped policy set and the deployment's overrides, validated once at start-up."""

    def __init__(self, base: PolicySet, overrides: tuple[PolicyOverride, ...] = ()) -> None:
        self.base = base
        # Most specific (longest prefix) last, so it is applied last and wins.
        self.overrides = tuple(sorted(overrides, key=lambda o: len(o.jurisdiction)))

    @classmethod
    def load(cls, override_dir: Path | None = None, base_file: Path | None = None) -> PolicyBook:
        base_file = base_file or DEFAULT_POLICY
        try:
            base = PolicySet.model_validate(_read(base_file))
        except ValidationError as error:
            raise PolicyError(f"{base_file}: {error}") from error
        overrides = []
        if override_dir is not None:
            for path in sorted(override_dir.glob("*.json")):
                document = _read(path)
                if isinstance(document, dict):
                    document = inherit_counting({"counting": base.counting, **document})
                try:
                    overrides.append(PolicyOverride.model_validate(document))
                except ValidationError as error:
                    raise PolicyError(f"{path}: {error}") from error
        return cls(base, tuple(overrides))

    def for_jurisdiction(self, code: str) -> PolicySet:
        """The policy set in force for a case in jurisdiction ``code``."""
        rules = {rule.rule_id: rule for rule in self.base.rules}
        chains = {chain.chain_id: chain for chain in self.base.chains}
        lift_rules = {rule.rule_id: rule for rule in self.base.lift_rules}
        backlog_days = self.base.backlog_days
        grace = self.base.late_entry_grace_minutes
        versions = [self.base.version]
        for override in self.overrides:
            if code.startswith(override.jurisdiction):
                rules.update({rule.rule_id: rule for rule in override.rules})
                chains.update({chain.chain_id: chain for chain in override.chains})
                lift_rules.update({rule.rule_id: rule for rule in override.lift_rules})
                backlog_days = override.backlog_days or backlog_days
                if override.late_entry_grace_minutes is not None:
                    grace = override.late_entry_grace_minutes
                versions.append(f"{override.jurisdiction}:{override.version}")
        return self.base.model_copy(
            update={
                "version": "+".join(versions),
                "rules": tuple(rules.values()),
                "chains": tuple(chains.values()),
                "lift_rules": tuple(lift_rules.values()),
                "backlog_days": backlog_days,
                "late_entry_grace_minutes": grace,
            }
        )
