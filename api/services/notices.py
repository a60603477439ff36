"""提醒数: how many new alerts, incoming transfers and due items wait for the caller, shown
beside the console's menu on every page and polled by it (``GET /v1/notices``).

Cheap by construction: one count of open alerts within the caller's reach (the alert list's
reach) and one grouped count of the caller's work items (the worklist's own filter, from the
``(org_id, kind)`` index); nothing for roles without a worklist. Counts only, never a case.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import alert_store, worklists
from api.errors import database_errors
from api.services.worklist import WORKLIST_ROLES, work_filter
from domain.case.alerts import AlertStatus
from domain.case.worklist import WorkKind
from domain.people.access import Permission, Principal

# Due items: a clock warned or run out, a report-back or a follow-up coming due.
DUE_KINDS = (
    WorkKind.CLOCK_WARNING,
    WorkKind.CLOCK_OVERDUE,
    WorkKind.REPORT_BACK_DUE,
    WorkKind.FOLLOW_UP_DUE,
)


class Notices(BaseModel):
    """新提醒 (open alerts), 待签收 (transfers awaiting the caller's organisation), 待办到期."""

    alerts: int = 0
    incoming: int = 0
    due: int = 0

    @property
    def total(self) -> int:
        return self.alerts + self.incoming + self.due


async def notices(
    principal: Principal, *, sessionmaker: async_sessionmaker[AsyncSession]
) -> Notices:
    if principal.role not in WORKLIST_ROLES:
        return Notices()
    within, center_id = principal.list_reach
    with database_errors():
        async with sessionmaker() as session:
            alerts = 0
            if principal.may(Permission.READ_ALERTS):
                alerts = await alert_store.count_alerts(
                    AlertStatus.OPEN.value, session=session, within=within, center_id=center_id
                )
            counts = await worklists.count_work(work_filter(principal), session=session)
    return Notices(
        alerts=alerts,
        incoming=counts.get(WorkKind.INCOMING_TRANSFER.value, 0),
        due=sum(counts.get(kind.value, 0) for kind in DUE_KINDS),
    )
