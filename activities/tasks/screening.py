"""The activities of 排查 duties: open a period's duties (rows and workflows), record a duty's
status as its workflow decides it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.store import screening as store
from domain.screening.duties import (
    Duty,
    Period,
    ScreeningPolicy,
    Unit,
    duty_id,
    period_of,
    sweep_period,
    units_for_rule,
    units_for_sweep,
)
from workflows.screening_contract import (
    OPEN_DUTIES_ACTIVITY,
    RECORD_DUTY_ACTIVITY,
    SCREENING_DUTY_WORKFLOW,
    DutyInput,
    DutyRecord,
    OpenDuties,
    OpenedDuties,
)

log = structlog.get_logger(__name__)
AT_ONCE = 8


def duties_of(
    request: OpenDuties, policy: ScreeningPolicy, units: list[Unit]
) -> tuple[Period, list[Duty]]:
    """The period and the duties it opens: the cadence rule's units, or the sweep's area."""
    period: Period
    if request.sweep is not None:
        sweep = request.sweep
        period = sweep_period(f"ZX{sweep.sweep_id}", sweep.starts_on, sweep.ends_on)
        source, theme = f"sweep-{sweep.sweep_id}", sweep.theme
        chosen = units_for_sweep(sweep.area, units)
    else:
        assert request.rule_id is not None
        rule = policy.rule(request.rule_id)
        period, source, theme = period_of(rule.cadence, request.day), rule.rule_id, ""
        chosen = units_for_rule(policy, rule, units)
    return period, [
        Duty(
            duty_id=duty_id(source, period.key, unit.org_id),
            source=source,
            theme=theme,
            period=period,
            unit=unit,
            town_code=unit.jurisdiction_code[:9] if len(unit.jurisdiction_code) >= 9 else None,
            county_code=unit.jurisdiction_code[:6],
        )
        for unit in chosen
    ]


class ScreeningDuties:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: Client,
        policy: ScreeningPolicy,
        task_queue: str,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._client = client
        self._policy = policy
        self._task_queue = task_queue

    @activity.defn(name=OPEN_DUTIES_ACTIVITY)
    async def open_screening_duties(self, request: OpenDuties) -> OpenedDuties:
        """Rows first (idempotent), then one workflow per duty (already started: left alone), so
        a retry after a crash anywhere opens each duty once."""
        async with self._sessionmaker.begin() as session:
            units = await store.screening_units(session=session)
            period, duties = duties_of(request, self._policy, units)
            await store.open_duties(duties, at=datetime.now(UTC), session=session)
        gate = asyncio.Semaphore(AT_ONCE)

        async def start(duty: Duty) -> None:
            async with gate:
                try:
                    await self._client.start_workflow(
                        SCREENING_DUTY_WORKFLOW,
                        DutyInput(duty=duty, chain=self._policy.chain),
                        id=duty.duty_id,
                        task_queue=self._task_queue,
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    )
                except WorkflowAlreadyStartedError:
                    pass
                activity.heartbeat()

        await asyncio.gather(*(start(duty) for duty in duties))
        log.info("screening_period_opened", period=period.key, duties=len(duties))
        return OpenedDuties(period_key=period.key, duty_ids=tuple(d.duty_id for d in duties))

    @activity.defn(name=RECORD_DUTY_ACTIVITY)
    async def record_screening_duty(self, record: DutyRecord) -> None:
        async with self._sessionmaker.begin() as session:
            await store.record_duty(
                record.duty_id,
                record.status,
                at=record.at,
                level=record.level,
                recipient=record.recipient,
                report=record.report,
                session=session,
            )
