"""上提一级 suggested by policy (e.g. "331": three rounds without agreement at a village).

The lift rules are data in the case's policy snapshot (``LiftRule``). A suggestion is recorded
as an effect of the session or failure that meets a rule, once per holder: taking a transfer or
a lift gives the case a new holder, which counts afresh (``evolve`` clears the suggestion and the
counts). A case without a holder (registered before organisations) never gets one.
"""

from __future__ import annotations

from domain.case import events as e
from domain.case.state import CaseState
from domain.organisation.organisations import ORG_LEVEL_LABELS


def lift_suggestions(state: CaseState, trigger: e.EventBody) -> list[e.EventBody]:
    """The suggestion ``trigger`` (already folded into ``state``) calls for, or []."""
    policy = state.policy
    holder = state.holder
    if (
        policy is None
        or holder is None
        or state.lift_suggestion is not None
        or state.is_terminal
        or not isinstance(trigger, e.SessionRecorded | e.MediationFailed)
    ):
        return []
    level = ORG_LEVEL_LABELS[holder.level]
    for rule in policy.lift_rules:
        if state.kind not in rule.kinds or holder.level not in rule.levels:
            continue
        if rule.types and holder.type not in rule.types:
            continue
        if isinstance(trigger, e.SessionRecorded):
            if rule.after_sessions is None or state.sessions_with_holder < rule.after_sessions:
                continue
            reason = (
                f"{holder.name}（{level}）已调解{state.sessions_with_holder}次未达成协议，"
                f"建议上提一级（{rule.name}）"
            )
        else:
            if rule.after_failures is None or state.failures_with_holder < rule.after_failures:
                continue
            reason = f"{holder.name}（{level}）调解不成，建议上提一级（{rule.name}）"
        return [e.LiftSuggested(rule_id=rule.rule_id, reason=reason)]
    return []
