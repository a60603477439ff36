"""Hand-offs between organisations in the dossier: 分流, 转办, 签收, 退回, 交办, 上提, 联合调处."""

from __future__ import annotations

from datetime import date

from activities.reports.sections.parts import Part, Stamp, stamp
from domain.case.labels import EVENT_LABELS
from domain.case.state import CaseState
from domain.organisation.organisations import ORG_LEVEL_LABELS, ORG_TYPE_LABELS, OrgRef


class Organisation(Part):
    """单位 as the case recorded it (name, level and type at the time)."""

    org_id: str
    name: str
    level_label: str
    type_label: str


class HandOff(Part):
    """转办 / 签收 / 退回 / 交办 / 反馈 / 上提 / 联合调处: one hand-off, in order."""

    kind: str
    kind_label: str
    organisation: Organisation
    from_organisation: Organisation | None
    reason: str
    recorded: Stamp


class Assignment(Part):
    """交办 with its report-back deadline (A4) and the department's report, once given."""

    assignment_no: int
    department: Organisation
    deadline: date
    instructions: str
    assigned: Stamp
    result: str | None
    reported_on: date | None
    reported: Stamp | None


class Handoffs(Part):
    """承办单位与转办交办: who holds the case, the transfer awaiting 签收, the organisations
    that held it, the co-handlers, the assignments, a lift suggestion and every hand-off."""

    holder: Organisation | None
    incoming: Organisation | None
    former_holders: list[str]
    co_handlers: list[Organisation]
    assignments: list[Assignment]
    lift_suggestion: str | None
    log: list[HandOff]


def handoffs(state: CaseState) -> Handoffs | None:
    if state.holder is None and not state.handoffs:
        return None
    pending = state.pending_transfer
    return Handoffs(
        holder=_org(state.holder) if state.holder else None,
        incoming=_org(pending.to_organisation) if pending else None,
        former_holders=list(state.former_holders),
        co_handlers=[_org(o) for o in state.co_handlers],
        assignments=[
            Assignment(
                assignment_no=a.assignment_no,
                department=_org(a.department),
                deadline=a.deadline,
                instructions=a.instructions,
                assigned=stamp(a.assigned),
                result=a.report.result if a.report else None,
                reported_on=a.report.reported_on if a.report else None,
                reported=stamp(a.report.recorded) if a.report else None,
            )
            for a in state.assignments
        ],
        lift_suggestion=state.lift_suggestion.reason if state.lift_suggestion else None,
        log=[
            HandOff(
                kind=h.kind,
                kind_label="分流" if h.kind == "case_registered" else EVENT_LABELS[h.kind],
                organisation=_org(h.organisation),
                from_organisation=_org(h.from_organisation) if h.from_organisation else None,
                reason=h.reason,
                recorded=stamp(h.recorded),
            )
            for h in state.handoffs
        ],
    )


def _org(org: OrgRef) -> Organisation:
    return Organisation(
        org_id=org.org_id,
        name=org.name,
        level_label=ORG_LEVEL_LABELS[org.level],
        type_label=ORG_TYPE_LABELS[org.type],
    )
