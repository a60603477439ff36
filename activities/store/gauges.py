"""运行指标: the domain gauges a monitor watches, read from the read model in a few indexed
queries (run by a periodic collector, never on each scrape)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from activities.store.sql import utc
from activities.store.tables import (
    AlertRow,
    CaseBehindRow,
    CaseEventRow,
    CaseRow,
    HistoryArchiveRow,
    WorkItemRow,
)
from domain.base import Frozen
from domain.case.alerts import AlertStatus
from domain.case.stages import TERMINAL_STAGES, Stage

_OPEN_STAGES = tuple(stage.value for stage in Stage if stage not in TERMINAL_STAGES)
_ENDED_STAGES = tuple(stage.value for stage in TERMINAL_STAGES)


class DomainGauges(Frozen):
    """One reading of the gauges."""

    open_by_stage: dict[str, int]  # every open stage, zero when none
    clocks_overdue: int
    alerts_unacknowledged: int
    projection_lag_seconds: float
    cases_behind: int  # 记录同步滞后: cases whose events the store refused
    archive_backlog: int


async def read_gauges(*, connection: AsyncConnection, now: datetime) -> DomainGauges:
    by_stage = dict.fromkeys(_OPEN_STAGES, 0)
    rows = await connection.execute(
        select(CaseRow.stage, func.count())
        .where(CaseRow.stage.in_(_OPEN_STAGES))
        .group_by(CaseRow.stage)
    )
    for stage, count in rows:
        by_stage[stage] = count
    overdue_clocks = (
        select(WorkItemRow.case_id, WorkItemRow.clock_id)
        .where(WorkItemRow.clock_id.is_not(None), WorkItemRow.due_at < now)
        .distinct()
        .subquery()
    )
    overdue = await connection.scalar(select(func.count()).select_from(overdue_clocks))
    unacknowledged = await connection.scalar(
        select(func.count()).select_from(AlertRow).where(AlertRow.status == AlertStatus.OPEN.value)
    )
    newest = (
        await connection.execute(
            select(CaseEventRow.occurred_at, CaseEventRow.recorded_at)
            .order_by(CaseEventRow.id.desc())
            .limit(1)
        )
    ).first()
    lag = (
        max(0.0, (utc(newest.recorded_at) - utc(newest.occurred_at)).total_seconds())
        if newest is not None
        else 0.0
    )
    behind = await connection.scalar(select(func.count()).select_from(CaseBehindRow))
    final_run_archived = exists().where(
        and_(
            HistoryArchiveRow.workflow_id == CaseRow.case_id,
            HistoryArchiveRow.status != "continued_as_new",
        )
    )
    backlog = await connection.scalar(
        select(func.count())
        .select_from(CaseRow)
        .where(CaseRow.stage.in_(_ENDED_STAGES), ~final_run_archived)
    )
    return DomainGauges(
        open_by_stage=by_stage,
        clocks_overdue=overdue or 0,
        alerts_unacknowledged=unacknowledged or 0,
        projection_lag_seconds=lag,
        cases_behind=behind or 0,
        archive_backlog=backlog or 0,
    )
