"""排查 duties as workflow code: one workflow per period, one per unit's duty.

A period (started by its cadence's Schedule, or by a leader's 专项排查) opens a duty for every
unit in scope through one idempotent activity and ends. Each duty is a workflow of its own, keyed
by its stable duty id: it waits for the unit's report until the period's due time, then walks the
screening escalation chain like a case's clock (the same ``domain.case.alerts`` steps and the same
notifier activity), until a late report stops it or the chain runs out (未报送). One workflow per
duty rather than one per period: each unit's wait, update and escalation is a short history of
its own, a report is an update addressed by the duty id alone, and a county of hundreds of units
never grows one history past Temporal's limits.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain.case.alerts import (
        Alert,
        AlertKind,
        Notification,
        Recipients,
        first_notice,
        next_step,
        wait_after,
    )
    from domain.errors import ForbiddenTransition, InvalidCommand
    from domain.screening.duties import DutyStatus, ScreeningReport, report_problem
    from domain.values import china_date
    from workflows.contract import DELIVER_ACTIVITY, AlertDelivery, refusal_failure
    from workflows.screening_contract import (
        DUTY_STATUS_QUERY,
        FILE_REPORT_UPDATE,
        OPEN_DUTIES_ACTIVITY,
        RECORD_DUTY_ACTIVITY,
        SCREENING_DUTY_WORKFLOW,
        SCREENING_PERIOD_WORKFLOW,
        DutyInput,
        DutyOutcome,
        DutyRecord,
        OpenDuties,
        OpenedDuties,
        PeriodInput,
    )

STEP = timedelta(minutes=10)
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)


@workflow.defn(name=SCREENING_PERIOD_WORKFLOW)
class ScreeningPeriodWorkflow:
    @workflow.run
    async def run(self, request: PeriodInput) -> OpenedDuties:
        day = request.day or china_date(workflow.now())
        opened: OpenedDuties = await workflow.execute_activity(
            OPEN_DUTIES_ACTIVITY,
            OpenDuties(rule_id=request.rule_id, day=day, sweep=request.sweep),
            result_type=OpenedDuties,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=RETRY,
        )
        return opened


@workflow.defn(name=SCREENING_DUTY_WORKFLOW)
class ScreeningDutyWorkflow:
    def __init__(self) -> None:
        self._status = DutyStatus.OPEN
        self._level = 0
        self._report: ScreeningReport | None = None

    @workflow.query(name=DUTY_STATUS_QUERY)
    def status(self) -> DutyOutcome:
        return DutyOutcome(
            duty_id=workflow.info().workflow_id, status=self._status, level=self._level
        )

    @workflow.update(name=FILE_REPORT_UPDATE)
    async def file_report(self, report: ScreeningReport) -> DutyOutcome:
        status = DutyStatus.FILED if self._status is DutyStatus.OPEN else DutyStatus.FILED_LATE
        filed = report.model_copy(update={"filed_at": workflow.now()})
        # The report is in the store before the duty says so: a reader never sees a filed duty
        # without its report.
        await workflow.execute_activity(
            RECORD_DUTY_ACTIVITY,
            DutyRecord(
                duty_id=workflow.info().workflow_id,
                status=status,
                at=workflow.now(),
                level=self._level,
                report=filed,
            ),
            start_to_close_timeout=STEP,
            retry_policy=RETRY,
        )
        self._status, self._report = status, filed
        return DutyOutcome(duty_id=workflow.info().workflow_id, status=status, level=self._level)

    @file_report.validator
    def _check(self, report: ScreeningReport) -> None:
        if self._report is not None or self._status not in (DutyStatus.OPEN, DutyStatus.OVERDUE):
            raise refusal_failure(
                ForbiddenTransition(
                    "该期排查已报送或已结束，不能再报送", "this duty is filed or closed"
                )
            )
        problem = report_problem(report)
        if problem is not None:
            zh, en, field = problem
            raise refusal_failure(InvalidCommand(zh, en, field=field))

    @workflow.run
    async def run(self, request: DutyInput) -> DutyOutcome:
        duty = request.duty
        chain = request.chain
        wait = duty.period.due_at - workflow.now()
        if not await self._filed_within(wait):
            who = Recipients(
                responsible_person=None,
                responsible_unit=None,
                package_leader=None,
                town_code=duty.town_code,
                county_code=duty.county_code,
                organisation=duty.unit.org_id,
            )
            now = workflow.now()
            level, recipient, next_at = first_notice(chain, who, now)
            alert = Alert(
                alert_id=f"{duty.duty_id}-M",
                kind=AlertKind.BREACH,
                clock_id=None,
                title=f"【排查逾期未报】{duty.unit.name} {duty.period.key} 排查报告未报送",
                raised_at=now,
                level=level,
                recipient=recipient,
                notifications=(Notification(level=level, recipient=recipient, attempt=1, at=now),),
            )
            self._status = DutyStatus.OVERDUE
            await self._notify(duty.duty_id, alert, level, recipient, 1)
            planned = next_at
            while planned is not None and self._report is None:
                if await self._filed_within(planned - workflow.now()):
                    break
                step = next_step(alert, chain, who, planned)
                if step is None:
                    break
                alert = alert.model_copy(
                    update={
                        "level": step.level,
                        "recipient": step.recipient,
                        "notifications": (*alert.notifications, step),
                    }
                )
                await self._notify(duty.duty_id, alert, step.level, step.recipient, step.attempt)
                planned = wait_after(step, chain, planned)
            if self._report is None:
                self._status = DutyStatus.MISSED
                await self._record(duty.duty_id, DutyStatus.MISSED, self._level, "")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return DutyOutcome(duty_id=duty.duty_id, status=self._status, level=self._level)

    async def _filed_within(self, wait: timedelta) -> bool:
        if wait <= timedelta(0):
            return self._report is not None
        try:
            await workflow.wait_condition(lambda: self._report is not None, timeout=wait)
        except TimeoutError:
            return False
        return True

    async def _notify(self, duty_id: str, alert: Alert, level: int, recipient: str, n: int) -> None:
        self._level = level
        await self._record(duty_id, DutyStatus.OVERDUE, level, recipient)
        try:
            await self._deliver(duty_id, alert, level, recipient, n)
        except ActivityError:
            # Every channel refused for good: the escalation goes on; the store shows the level.
            workflow.logger.warning("screening alert not delivered", extra={"duty_id": duty_id})

    async def _deliver(
        self, duty_id: str, alert: Alert, level: int, recipient: str, n: int
    ) -> None:
        await workflow.execute_activity(
            DELIVER_ACTIVITY,
            AlertDelivery(
                case_id=duty_id,
                case_title=alert.title,
                alert_id=alert.alert_id,
                kind="screening_missed",
                level=level,
                recipient=recipient,
                attempt=n,
                title=alert.title,
                raised_at=alert.raised_at,
            ),
            start_to_close_timeout=STEP,
            retry_policy=RetryPolicy(maximum_attempts=5, maximum_interval=timedelta(minutes=5)),
        )

    async def _record(self, duty_id: str, status: DutyStatus, level: int, recipient: str) -> None:
        if self._report is not None:
            return  # a report filed meanwhile has the last word
        await workflow.execute_activity(
            RECORD_DUTY_ACTIVITY,
            DutyRecord(
                duty_id=duty_id, status=status, at=workflow.now(), level=level, recipient=recipient
            ),
            start_to_close_timeout=STEP,
            retry_policy=RETRY,
        )
