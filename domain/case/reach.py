"""Reach follows the case (案件可及范围): who may read a case and who may act on it, now.

A case's place (属地) and its reporter are fixed when it is registered; the organisations it
involves change with every hand-off. The holder's staff act on the case; the staff of the
organisation a transfer awaits take it (签收) or send it back (退回); an assigned department's staff
report back (反馈) on their assignment; every organisation the case involves (holder, incoming,
registering, former holders, co-handlers, assigned departments) reads it. Leaders and auditors
reach their jurisdiction subtree; a grid worker (网格员) only the cases they reported.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.base import Frozen
from domain.case.state import CaseState
from domain.people.access import ADMIN_ROLES, CENTER_ROLES, Permission, Principal, Role

# Commands answered by the organisation a transfer awaits, not by the holder.
INCOMING_COMMANDS = frozenset({"take", "return"})
REPORT_BACK = "report_back"
ACKNOWLEDGE_ALERT = "acknowledge_alert"
# What a leader sends on a case within reach (领导批示, 风险研判); a handler may reassess too.
ISSUE_INSTRUCTION = "issue_instruction"
# 挂牌督办 and 摘牌: a leader's only (the case checks the lister's level and the approver).
LISTING_COMMANDS = frozenset({"list_case", "delist_case"})
LEADER_COMMANDS = frozenset({ISSUE_INSTRUCTION, "reassess_risk"}) | LISTING_COMMANDS


class CaseReach(Frozen):
    """What decides who reaches a case: its place, reporter and organisations as they stand."""

    jurisdiction_code: str
    reporter_id: str | None = None
    holder_id: str | None = None
    incoming_id: str | None = None
    co_handlers: frozenset[str] = frozenset()
    # assignment_no → the department assigned (answered or not: an answered one refuses again).
    departments: Mapping[int, str] = {}
    related: frozenset[str] = frozenset()

    @classmethod
    def of(cls, state: CaseState) -> CaseReach:
        return cls(
            jurisdiction_code=state.jurisdiction.code,
            reporter_id=state.reporter_id,
            holder_id=state.holder_id,
            incoming_id=state.incoming_id,
            co_handlers=frozenset(org.org_id for org in state.co_handlers),
            departments={a.assignment_no: a.department.org_id for a in state.assignments},
            related=state.related_organisations,
        )

    def acting_organisation(
        self, command_type: str, assignment_no: int | None = None
    ) -> str | None:
        """The organisation whose staff may send ``command_type`` now.

        Without a transfer awaiting, 签收/退回 fall to the holder (whom the case then refuses:
        nothing awaits); a report-back on an assignment the case does not have, likewise.
        """
        if command_type in INCOMING_COMMANDS and self.incoming_id is not None:
            return self.incoming_id
        if command_type == REPORT_BACK and assignment_no is not None:
            department = self.departments.get(assignment_no)
            if department is not None:
                return department
        return self.holder_id


def may_read(principal: Principal, reach: CaseReach) -> bool:
    """The case is within the caller's reach (else it does not exist for them: 404)."""
    if principal.role in ADMIN_ROLES:
        return False
    if principal.role is Role.GRID_WORKER:
        return reach.reporter_id is not None and reach.reporter_id == principal.user_id
    if principal.role in CENTER_ROLES:
        return principal.center_id is not None and principal.center_id in reach.related
    return principal.covers(reach.jurisdiction_code)


def may_act(
    principal: Principal, reach: CaseReach, command_type: str, assignment_no: int | None = None
) -> bool:
    """The caller's organisation is the one that sends ``command_type`` on the case now; a
    leader acknowledges (签收) alerts on the cases within their jurisdiction, and nothing else."""
    if principal.role in CENTER_ROLES:
        if command_type == ISSUE_INSTRUCTION or command_type in LISTING_COMMANDS:
            return False  # 批示, 挂牌 and 摘牌 are a leader's
        acting = reach.acting_organisation(command_type, assignment_no)
        return acting is not None and principal.center_id == acting
    if command_type == ACKNOWLEDGE_ALERT and principal.may(Permission.ACK_ALERT):
        return may_read(principal, reach)
    if command_type in LEADER_COMMANDS and principal.may(Permission.INSTRUCT):
        return may_read(principal, reach)
    return False
