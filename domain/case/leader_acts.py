"""decide for leaders on a case: 风险研判, 领导批示 and 落实反馈.

A reassessment rising to an immediate-report level (重大/特别重大), or gaining 民转刑风险, raises
重大矛盾纠纷直报 at once, on the snapshot's direct-report chain (the case's own chain for a
snapshot before 2026.5); the flags the policy names (群体性, 越级上访) raise what it says. Falling
risk is recorded and closes nothing. An instruction's deadline starts its clock (the policy's
instruction rule) as the events are recorded; its 落实反馈 stops that clock only.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.case import commands as c
from domain.case import events as e
from domain.case.alerts import AlertKind
from domain.case.facts import not_before
from domain.case.listing import listing_bodies
from domain.case.state import CaseState
from domain.case.timekeeping import raise_alert
from domain.errors import ForbiddenTransition, InvalidCommand
from domain.values import RISK_LABELS, RiskLevel

_RANK = {level: rank for rank, level in enumerate(RiskLevel)}


def leader_bodies(
    state: CaseState, envelope: c.CommandEnvelope, now: datetime, today: date
) -> list[e.EventBody]:
    """The events a leader's (or handler's) command records on the case."""
    command = envelope.command
    if isinstance(command, c.LISTING):
        return listing_bodies(state, command, today)
    match command:
        case c.ReassessRisk():
            return _reassess(state, command, now)
        case c.IssueInstruction():
            if command.deadline is not None:
                not_before(command.deadline, today, "deadline", "今天", "today")
            if command.alert_id is not None and state.alert(command.alert_id) is None:
                raise InvalidCommand(
                    f"本案没有编号为 {command.alert_id} 的预警",
                    f"the case has no alert {command.alert_id}",
                    field="alert_id",
                )
            return [
                e.InstructionIssued(
                    **command.model_dump(exclude={"type"}),
                    instruction_no=len(state.instructions) + 1,
                )
            ]
        case c.AnswerInstruction():
            found = state.instruction(command.instruction_no)
            if found is None:
                raise InvalidCommand(
                    f"本案没有第 {command.instruction_no} 号批示",
                    f"the case has no instruction {command.instruction_no}",
                    field="instruction_no",
                )
            if not found.open:
                raise ForbiddenTransition(
                    f"第 {command.instruction_no} 号批示已反馈落实情况",
                    f"instruction {command.instruction_no} has been answered already",
                )
            return [
                e.InstructionAnswered(
                    instruction_no=command.instruction_no,
                    result=command.result,
                    organisation_id=envelope.acting_organisation,
                )
            ]
    raise AssertionError(f"not a leader's command: {command.type}")


def _reassess(state: CaseState, command: c.ReassessRisk, now: datetime) -> list[e.EventBody]:
    policy = state.policy
    before, after = state.risk_level, command.risk_level
    raised: list[tuple[AlertKind, str | None, str]] = []
    if policy is not None:
        risk_alerts = policy.risk_alerts
        immediate = policy.immediate_report_levels
        rising = after in immediate and (before not in immediate or _RANK[after] > _RANK[before])
        gained = {
            name
            for name, value in command.flags.model_dump().items()
            if value and not getattr(state.flags, name)
        }
        if rising or "civil_to_criminal_risk" in gained:
            why = f"风险研判为{RISK_LABELS[after]}" if rising else "风险研判新增民转刑风险"
            chain = risk_alerts.direct_report_chain if risk_alerts else None
            raised.append((AlertKind.MAJOR_REPORT, chain, why))
        for name, flag_alert in (risk_alerts.flags if risk_alerts else {}).items():
            if name in gained:
                kind = AlertKind(flag_alert.kind)
                raised.append((kind, flag_alert.chain, "风险研判"))
    alerts: list[e.EventBody] = []
    for offset, (kind, chain, why) in enumerate(raised):
        title = f"【{_KIND_TITLES[kind]}】{state.case_id} {state.title}（{why}）"
        alerts.append(raise_alert(state, kind, title, now, offset=offset, chain_id=chain))
    ids = tuple(a.alert.alert_id for a in alerts if isinstance(a, e.AlertRaised))
    reassessed = e.RiskReassessed(
        risk_level=after,
        flags=command.flags,
        reasons=command.reasons,
        assessment_no=len(state.risk_assessments) + 1,
        previous_level=before,
        previous_flags=state.flags,
        alert_ids=ids,
    )
    return [reassessed, *alerts]


_KIND_TITLES: dict[AlertKind, str] = {
    AlertKind.MAJOR_REPORT: "重大矛盾纠纷直报",
    AlertKind.COLLECTIVE_REPORT: "群体性矛盾纠纷报告",
    AlertKind.SKIP_LEVEL_REPORT: "越级上访风险报告",
    AlertKind.WARNING: "预警",
    AlertKind.BREACH: "逾期",
}
