"""Who may do what (权限): roles, the principal acting, and the scope of a case.

Three-way separation (三员分立): the system administrator (系统管理员) keeps the system running
(the registry, alert recipients) and sees no case; the security administrator (安全管理员)
manages users, roles and keys, sees no case, and never hands anyone a credential alone
(``domain.people.administration``); auditors (审计人员) read through the audit endpoints only,
stating a purpose, and read the administration trail; leaders see and acknowledge
alerts in their jurisdiction subtree; mediators and center admins work for an organisation (单位)
and reach the cases it holds or has a part in (``domain.case.reach``); grid workers (网格员) report
cases from their grid and follow the status of what they reported, nothing else.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

from domain.base import Frozen
from domain.text import Name
from domain.values import JURISDICTION_CODE

JurisdictionPrefix = Annotated[str, StringConstraints(pattern=JURISDICTION_CODE)]
GridCode = Annotated[str, StringConstraints(pattern=r"^\d{15}$")]
UserId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
CenterId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class Role(StrEnum):
    MEDIATOR = "mediator"  # 调解员
    CENTER_ADMIN = "center_admin"  # 中心管理员
    LEADER = "leader"  # 领导
    AUDITOR = "auditor"  # 审计人员
    SYSTEM_ADMIN = "system_admin"  # 系统管理员
    SECURITY_ADMIN = "security_admin"  # 安全管理员
    GRID_WORKER = "grid_worker"  # 网格员


ROLE_LABELS: dict[Role, str] = {
    Role.MEDIATOR: "调解员",
    Role.CENTER_ADMIN: "中心管理员",
    Role.LEADER: "领导",
    Role.AUDITOR: "审计人员",
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.GRID_WORKER: "网格员",
}


class Permission(StrEnum):
    LIST_CASES = "list_cases"  # lists and counts, always masked
    READ_CASE = "read_case"  # a case, its timeline and clocks
    ACT = "act"  # intake and every command on a case
    REVEAL_PII = "reveal_pii"  # clear ID numbers and phones, recorded in the access trail
    SEE_WATCHED = "see_watched"  # 重点人员 flags
    READ_ALERTS = "read_alerts"
    ACK_ALERT = "ack_alert"
    AUDIT = "audit"  # the audit endpoints (with a purpose), the access and administration trails
    MANAGE_USERS = "manage_users"  # add users, enable, unlock, ask for a password link
    APPROVE_CREDENTIALS = "approve_credentials"  # approve another administrator's request
    MANAGE_RECIPIENTS = "manage_recipients"
    REPORT_FROM_GRID = "report_from_grid"  # 网格上报: intake from the caller's own grid
    READ_OWN_REPORTS = "read_own_reports"  # the status of the cases the caller reported
    INSTRUCT = "instruct"  # 领导批示 and 风险研判 on the cases within the leader's jurisdiction
    RECEIVE_VISITORS = "receive_visitors"  # 领导接访: the reception log, cases registered from it
    HOLD_ACCOUNTABLE = "hold_accountable"  # 约谈/通报: record them (leaders over the unit's area)
    FILE_SCREENING = "file_screening"  # 排查: the unit's duties, its reports and 零报告
    LAUNCH_SWEEP = "launch_sweep"  # 专项排查 in the leader's area; the duties of its units
    MANAGE_SCHEDULES = "manage_schedules"  # pause and resume the recurring work's Schedules


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MEDIATOR: frozenset(
        {P.LIST_CASES, P.READ_CASE, P.ACT, P.REVEAL_PII, P.READ_ALERTS, P.FILE_SCREENING}
    ),
    Role.CENTER_ADMIN: frozenset(
        {
            P.LIST_CASES,
            P.READ_CASE,
            P.ACT,
            P.REVEAL_PII,
            P.READ_ALERTS,
            P.MANAGE_USERS,
            P.FILE_SCREENING,
        }
    ),
    Role.LEADER: frozenset(
        {
            P.LIST_CASES,
            P.READ_CASE,
            P.SEE_WATCHED,
            P.READ_ALERTS,
            P.ACK_ALERT,
            P.INSTRUCT,
            P.RECEIVE_VISITORS,
            P.HOLD_ACCOUNTABLE,
            P.LAUNCH_SWEEP,
        }
    ),
    Role.AUDITOR: frozenset({P.LIST_CASES, P.AUDIT, P.REVEAL_PII, P.SEE_WATCHED}),
    Role.SYSTEM_ADMIN: frozenset({P.MANAGE_RECIPIENTS, P.MANAGE_SCHEDULES}),
    Role.SECURITY_ADMIN: frozenset({P.MANAGE_USERS, P.APPROVE_CREDENTIALS}),
    Role.GRID_WORKER: frozenset({P.REPORT_FROM_GRID, P.READ_OWN_REPORTS}),
}

# Roles whose reach is their organisation's cases rather than everything under their jurisdiction.
CENTER_ROLES = frozenset({Role.MEDIATOR, Role.CENTER_ADMIN})
# The administrators (三员分立): they keep the system or its users and read no case.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
_READS_CASES = frozenset(
    {P.LIST_CASES, P.READ_CASE, P.REVEAL_PII, P.AUDIT, P.READ_OWN_REPORTS, P.SEE_WATCHED}
)
# Roles that read cases or personal data: a credential of theirs opens cases to whoever holds it.
CASE_READING_ROLES = frozenset(
    role for role, granted in ROLE_PERMISSIONS.items() if granted & _READS_CASES
)


class Principal(Frozen):
    """The authenticated caller: a user of the directory, reached by API key or bearer token."""

    user_id: UserId
    display_name: Name
    role: Role
    jurisdiction: JurisdictionPrefix | None = None
    center_id: CenterId | None = None  # the organisation (单位) the user belongs to
    grid_code: GridCode | None = None  # 网格员: the grid they report from
    mediator_id: str | None = None  # 调解员名册: the roster entry the user is, when linked

    def may(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def actor(self) -> str:
        """How the principal is recorded on events: name and account, e.g. ``王芳 (wangfang)``."""
        return f"{self.display_name} ({self.user_id})"

    def covers(self, jurisdiction_code: str) -> bool:
        """The code lies in the principal's subtree (county ⊃ town ⊃ village)."""
        return self.jurisdiction is not None and jurisdiction_code.startswith(self.jurisdiction)

    @property
    def list_reach(self) -> tuple[str | None, str | None]:
        """What lists and counts are narrowed to: (jurisdiction subtree, center or None)."""
        return self.jurisdiction, (self.center_id if self.role in CENTER_ROLES else None)

    @property
    def grid_village(self) -> str | None:
        """The village (村/社区) a grid worker's grid lies in: where their reports are placed."""
        return self.grid_code[:12] if self.grid_code is not None else None

    def may_register_at(self, jurisdiction_code: str) -> bool:
        """A new case belongs to the registering organisation, placed inside the registrar's
        area; a grid worker's report is placed at the village of their grid."""
        if self.role is Role.GRID_WORKER:
            return self.center_id is not None and jurisdiction_code == self.grid_village
        return (
            self.may(Permission.ACT)
            and self.center_id is not None
            and self.covers(jurisdiction_code)
        )

    @property
    def complete(self) -> bool:
        """A principal missing what its role needs to reach anything (no center, no area)."""
        if self.role in ADMIN_ROLES:
            return True
        if self.role is Role.GRID_WORKER:
            return (
                self.center_id is not None
                and self.grid_code is not None
                and self.jurisdiction is not None
                and self.grid_code.startswith(self.jurisdiction)
            )
        if self.role in CENTER_ROLES:
            return self.center_id is not None and self.jurisdiction is not None
        return self.jurisdiction is not None
