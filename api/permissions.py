"""Permissions (权限) as dependencies: a route names the role it needs in its signature.

``Mediator`` in a route's parameters means "an authenticated principal whose role may act on
cases"; any other caller gets 403 before anything is looked up (so a 403 reveals nothing), and an
unauthenticated one 401. Reach (which cases) is checked by the services, as part of the query.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from api.auth import PrincipalDep
from api.errors import forbidden
from domain.organisation.registry import may_manage_organisations, may_read_registry
from domain.people.access import Permission, Principal


def require_permission(*any_of: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the principal, if its role grants one of ``any_of``; else 403."""

    async def permitted(principal: PrincipalDep) -> Principal:
        if not any(principal.may(permission) for permission in any_of):
            first = any_of[0]
            raise forbidden(
                f"当前角色无权执行此操作（{first.value}）",
                f"role '{principal.role.value}' may not {first.value.replace('_', ' ')}",
            )
        return principal

    return permitted


# Lists and counts of cases (always masked).
Lister = Annotated[Principal, Depends(require_permission(Permission.LIST_CASES))]
# A case, its clocks.
Reader = Annotated[Principal, Depends(require_permission(Permission.READ_CASE))]
# The timeline: those who read cases, and auditors stating a purpose.
TimelineReader = Annotated[
    Principal, Depends(require_permission(Permission.READ_CASE, Permission.AUDIT))
]
# Intake and every command on a case.
Mediator = Annotated[Principal, Depends(require_permission(Permission.ACT))]
# Intake: those who act on cases, and grid workers reporting from their grid (网格上报).
Registrar = Annotated[
    Principal, Depends(require_permission(Permission.ACT, Permission.REPORT_FROM_GRID))
]
# A case: those who read cases, and grid workers following what they reported (status only).
CaseReader = Annotated[
    Principal, Depends(require_permission(Permission.READ_CASE, Permission.READ_OWN_REPORTS))
]
# 领导批示 and the list of instructions.
Instructor = Annotated[Principal, Depends(require_permission(Permission.INSTRUCT))]
# 领导接访: the reception log and the cases registered from it (leaders).
Receiver = Annotated[Principal, Depends(require_permission(Permission.RECEIVE_VISITORS))]
# 领导接访 read: the leaders who receive visitors; auditors stating a purpose (recorded).
ReceptionReader = Annotated[
    Principal, Depends(require_permission(Permission.RECEIVE_VISITORS, Permission.AUDIT))
]
# 约谈/通报: leaders record them; leaders and auditors (stating a purpose, recorded) read them.
Summoner = Annotated[Principal, Depends(require_permission(Permission.HOLD_ACCOUNTABLE))]
AccountabilityReader = Annotated[
    Principal, Depends(require_permission(Permission.HOLD_ACCOUNTABLE, Permission.AUDIT))
]
# 风险研判: the case's handlers and leaders within reach.
Assessor = Annotated[Principal, Depends(require_permission(Permission.ACT, Permission.INSTRUCT))]
# 排查: a unit files its reports; leaders launch 专项排查 and follow their units' duties.
ScreeningFiler = Annotated[Principal, Depends(require_permission(Permission.FILE_SCREENING))]
SweepLauncher = Annotated[Principal, Depends(require_permission(Permission.LAUNCH_SWEEP))]
DutyReader = Annotated[
    Principal,
    Depends(require_permission(Permission.FILE_SCREENING, Permission.LAUNCH_SWEEP)),
]
ScheduleKeeper = Annotated[Principal, Depends(require_permission(Permission.MANAGE_SCHEDULES))]
AlertReader = Annotated[Principal, Depends(require_permission(Permission.READ_ALERTS))]
AlertAcknowledger = Annotated[Principal, Depends(require_permission(Permission.ACK_ALERT))]
# The audit endpoints (each read with a purpose) and the access trail.
Auditor = Annotated[Principal, Depends(require_permission(Permission.AUDIT))]
RecipientAdmin = Annotated[Principal, Depends(require_permission(Permission.MANAGE_RECIPIENTS))]


async def _registry_reader(principal: PrincipalDep) -> Principal:
    if not may_read_registry(principal):
        raise forbidden("当前角色无权查看单位名录", f"role '{principal.role.value}' may not read")
    return principal


async def _registry_admin(principal: PrincipalDep) -> Principal:
    if not may_manage_organisations(principal):
        raise forbidden(
            "只有系统管理员可以管理单位", f"role '{principal.role.value}' may not manage units"
        )
    return principal


# The registry (no personal data): every role that works with cases reads it (not grid workers).
RegistryReader = Annotated[Principal, Depends(_registry_reader)]
# Organisations: the system administrator (an organisation's roster: also its center admin).
RegistryAdmin = Annotated[Principal, Depends(_registry_admin)]
