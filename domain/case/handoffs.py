"""Hand-offs between organisations (转办 签收 退回 撤回 交办 反馈 上提 联合调处): what each records.

The stage table (``domain.case.stages``) says when a hand-off may happen at all; these rules say
what else the case must be for it (a transfer awaiting 签收, an assignment not yet answered…).
"""

from __future__ import annotations

from datetime import date

from domain.case import commands as c
from domain.case import events as e
from domain.case.facts import not_before, not_future
from domain.case.state import CaseState
from domain.errors import ForbiddenTransition, InvalidCommand
from domain.organisation.organisations import OrgRef
from domain.values import china_date


def _holder(state: CaseState) -> OrgRef | None:
    return state.holder


def _not_the_holder(state: CaseState, org: OrgRef, field: str) -> None:
    if org.org_id == state.holder_id:
        raise InvalidCommand(
            f"案件已由{org.name}办理", f"{org.org_id} already handles the case", field=field
        )


def _pending(state: CaseState) -> None:
    if state.pending_transfer is None:
        raise ForbiddenTransition("本案没有待签收的转办", "no transfer awaits taking or return")


def _nothing_pending(state: CaseState) -> None:
    pending = state.pending_transfer
    if pending is not None:
        raise ForbiddenTransition(
            f"本案已转办{pending.to_organisation.name}，待其签收或退回",
            f"a transfer to {pending.to_organisation.org_id} awaits taking or return",
        )


def handoff_body(state: CaseState, command: c.Command, today: date) -> e.EventBody:  # noqa: C901
    """The event ``command`` records, or a DomainError that records nothing."""
    match command:
        case c.Transfer():
            _nothing_pending(state)
            _not_the_holder(state, command.to_organisation, "to_organisation")
            return e.CaseTransferred(
                to_organisation=command.to_organisation,
                from_organisation=_holder(state),
                reason=command.reason,
            )
        case c.Take():
            _pending(state)
            assert state.pending_transfer is not None
            return e.TransferTaken(
                organisation=state.pending_transfer.to_organisation, note=command.note
            )
        case c.Return():
            _pending(state)
            assert state.pending_transfer is not None
            return e.TransferReturned(
                organisation=state.pending_transfer.to_organisation, reason=command.reason
            )
        case c.Recall():
            # 撤回转办: the sender, while the organisation it awaits has neither taken nor
            # returned it (the case's reach lets only the holder's staff send it).
            if state.pending_transfer is None:
                raise ForbiddenTransition(
                    "本案没有待签收的转办，无可撤回", "no transfer awaits taking: nothing to recall"
                )
            return e.TransferRecalled(
                organisation=state.pending_transfer.to_organisation, reason=command.reason
            )
        case c.Assign():
            not_before(command.deadline, today, "deadline", "今天", "today")
            return e.CaseAssigned(
                department=command.department,
                deadline=command.deadline,
                instructions=command.instructions,
                assignment_no=len(state.assignments) + 1,
            )
        case c.ReportBack():
            assignment = state.assignment(command.assignment_no)
            if assignment is None:
                raise InvalidCommand(
                    f"本案没有第 {command.assignment_no} 次交办",
                    f"the case has no assignment {command.assignment_no}",
                    field="assignment_no",
                )
            if assignment.report is not None:
                raise ForbiddenTransition(
                    f"第 {command.assignment_no} 次交办已反馈办理结果",
                    f"assignment {command.assignment_no} was already reported back",
                )
            reported_on = command.reported_on or today
            not_future(reported_on, today, "reported_on")
            assigned_on = china_date(assignment.assigned.at)
            not_before(reported_on, assigned_on, "reported_on", "交办之日", "the assignment")
            return e.ReportBackRecorded(
                assignment_no=command.assignment_no,
                result=command.result,
                reported_on=reported_on,
            )
        case c.Lift():
            # The organisation a transfer awaits takes it or sends it back first.
            _nothing_pending(state)
            _not_the_holder(state, command.to_organisation, "to_organisation")
            return e.CaseLifted(
                to_organisation=command.to_organisation,
                from_organisation=_holder(state),
                reason=command.reason,
            )
        case c.AddCoHandler():
            org = command.organisation
            _not_the_holder(state, org, "organisation")
            if any(o.org_id == org.org_id for o in state.co_handlers):
                raise InvalidCommand(
                    f"{org.name}已在联合调处单位中",
                    f"{org.org_id} already co-handles the case",
                    field="organisation",
                )
            return e.CoHandlerAdded(organisation=org, note=command.note)
        case c.RemoveCoHandler():
            org = command.organisation
            if not any(o.org_id == org.org_id for o in state.co_handlers):
                raise InvalidCommand(
                    f"{org.name}不是联合调处单位",
                    f"{org.org_id} does not co-handle the case",
                    field="organisation",
                )
            return e.CoHandlerRemoved(organisation=org, note=command.note)
    raise AssertionError(f"not a hand-off command: {command.type}")
