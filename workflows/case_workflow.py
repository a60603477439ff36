"""CaseWorkflow: the durable life of one case. Every command is the update ``apply``.

Clocks (since patch ``clocks-v2``): at intake the case snapshots its policy; the run loop waits
for the earliest warning, due time or escalation step (re-armed whenever a command changes the
clocks) and records what fell due; alert notifications go out as activities the case does not
wait for. A command that records a fact late (补录, since ``late-entry-v1``) records the warning
or breach it causes with its own events. A case registered before the hand-off rules gets them
on its first hand-off (``handoffs-v1``: PolicyAmended, recorded before the hand-off's events).

What crosses the history per command (since ``lean-answer-v1`` and ``events-only-projection-v1``):
the command, its new events (once, to the store, which folds them onto the case it holds) and a
short answer (also what an ended run returns); the whole case crosses only when a run hands it
over to the next (continue-as-new).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError

with workflow.unsafe.imports_passed_through():
    from domain.case import events as e
    from domain.case.calendar_years import extend_calendar, intake_years, years_lacking
    from domain.case.commands import (
        ATTACHING,
        LEADER_ACTS,
        LISTING,
        CommandEnvelope,
        IssueDocument,
        RecordCourtDecision,
        Register,
    )
    from domain.case.decide import (
        advance,
        amend_policy,
        decide,
        needs_handoff_rules,
        reschedule_provisional,
        snapshot_policy,
    )
    from domain.case.documents import PROVISIONAL_NUMBER, pending_key
    from domain.case.evolve import evolve
    from domain.case.issued import DocumentNumber
    from domain.case.policy import CasePolicy
    from domain.case.state import CaseState
    from domain.case.timekeeping import next_wakeup
    from domain.deadlines.calendar import HolidayCalendar
    from domain.errors import DomainError
    from domain.values import china_date
    from workflows.contract import (
        APPLY_UPDATE,
        ASSIGN_DOCUMENT_NUMBER_ACTIVITY,
        CALENDAR_UPDATE,
        DELIVER_ACTIVITY,
        DOCUMENT_NUMBER_UNAVAILABLE,
        POLICY_ACTIVITY,
        PROJECT_ACTIVITY,
        PROJECTION_REFUSED,
        REPROJECT_SIGNAL,
        STATE_QUERY,
        WORKFLOW_TYPE,
        AlertDelivery,
        CaseWorkflowInput,
        CommandOutcome,
        DeliveryOutcome,
        DocumentNumberRequest,
        PolicyRequest,
        ProjectionBatch,
        ProjectionResult,
        refusal_failure,
    )
    from workflows.notices import deliveries_for
    from workflows.patches import (
        ATTACHMENTS_PATCH,
        CALENDAR_YEARS_PATCH,
        CLOCKS_PATCH,
        COURT_ACCEPTANCE_PATCH,
        DOCUMENTS_PATCH,
        DURABLE_PROJECTION_PATCH,
        EVENTS_ONLY_PROJECTION_PATCH,
        FORGED_START_PATCH,
        HANDOFFS_PATCH,
        IMMINENT_TIMER_KEPT_PATCH,
        LATE_ENTRY_PATCH,
        LEADER_ACTS_PATCH,
        LEAN_ANSWER_PATCH,
        LISTING_PATCH,
        LOCAL_PROJECTION_PATCH,
        PROJECTION_HELD_PATCH,
        STORE_OUTAGE_PATCH,
        Patches,
    )

# The 文号 store may be away briefly; after that the issue is refused (503), nothing recorded.
NUMBER_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=2),
    maximum_attempts=5,
)

# A projection attempt retries briefly; if the store is still away the case marks it down,
# answers commands from its own state, and tries again on a timer until it lands.
PROJECTION_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=2),
    maximum_attempts=5,
)
STORE_RETRY_BACKOFF = (timedelta(seconds=2), timedelta(seconds=5), timedelta(seconds=15))
# A clock timer due this soon is not cancelled when replaced: it may have fired while the task
# was with the worker (longer than a workflow task's 10 s timeout is never "meanwhile").
IMMINENT = timedelta(seconds=10)
# A leader's channel may be down for a while; the case goes on meanwhile.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=30,
)


@workflow.defn(name=WORKFLOW_TYPE)
class CaseWorkflow:
    @workflow.init
    def __init__(self, start: CaseWorkflowInput) -> None:
        self._state: CaseState | None = start.state
        # Continue-as-new well before Temporal's own limits so replays of one run stay short.
        self._max_history_events = start.max_history_events
        self._patched = Patches(start.patch_baseline)
        # From baseline 2 (a run's input says so; nothing is asked of the history), a command
        # that takes several steps (intake: its policy; a hand-off: the rules) projects once.
        self._one_batch = self._patched.built_in(LOCAL_PROJECTION_PATCH)
        self._unprojected: list[e.Event] = []
        self._projected_seq = start.state.seq if start.state else 0
        self._lock = asyncio.Lock()
        self._deliveries: set[asyncio.Future[DeliveryOutcome]] = set()
        self._armed_for: datetime | None = None
        self._timer: asyncio.Task[None] | None = None
        self._store_down = False
        self._store_failures = 0
        # The store refused the unprojected events' content: wait for news before trying again.
        self._held = False

    @workflow.run
    async def run(self, start: CaseWorkflowInput) -> CommandOutcome | CaseState | None:
        if (
            start.state is not None
            and workflow.info().continued_run_id is None
            and self._patched(FORGED_START_PATCH)
        ):
            raise ApplicationError(
                "案件只能由接口登记，不能带着案件状态直接启动 / a case cannot be started with a "
                "state from outside",
                type="forged_start",
                non_retryable=True,
            )
        while True:
            self._rearm()
            await workflow.wait_condition(self._ready)
            if self._projectable():
                await self._project()
                continue
            if self._timer_due():
                async with self._lock:
                    assert self._state is not None
                    self._record(advance(self._state, now=workflow.now()))
                continue
            if self._should_stop() and self._may_let_go():
                break
        if self._state is not None and not self._state.is_terminal:
            workflow.continue_as_new(
                CaseWorkflowInput(
                    state=self._state,
                    max_history_events=self._max_history_events,
                    patch_baseline=self._patched.baseline,
                )
            )
        # The ended case is in the store (every batch landed before the loop let go).
        return None if self._state is None else self._answer(self._state)

    @workflow.update(name=APPLY_UPDATE)
    async def apply(self, envelope: CommandEnvelope) -> CommandOutcome | CaseState:
        """Record a command's events, wait until the store has them, say where the case is."""
        async with self._lock:
            if isinstance(envelope.command, ATTACHING):
                self._patched(ATTACHMENTS_PATCH)
            if isinstance(envelope.command, IssueDocument) and self._patched(DOCUMENTS_PATCH):
                envelope = await self._numbered(envelope)
            events = self._decide(envelope)
            if (
                events
                and needs_handoff_rules(self._state, envelope.command)
                and self._patched(HANDOFFS_PATCH)
            ):
                await self._amend_policy()
                events = self._decide(envelope)  # numbered after the amendment
            lacking = years_lacking(self._state, envelope.command)
            if events and lacking and self._patched(CALENDAR_YEARS_PATCH):
                await self._extend_calendar(lacking)
                events = self._decide(envelope)  # counted with the years added
            if events and isinstance(envelope.command, LEADER_ACTS):
                self._patched(LEADER_ACTS_PATCH)  # marks the histories that hold them
            if events and isinstance(envelope.command, LISTING):
                self._patched(LISTING_PATCH)
            self._record(events)
            if isinstance(envelope.command, Register) and events and self._patched(CLOCKS_PATCH):
                await self._snapshot_policy(envelope)
            self._record_what_fell_due()
            state = self._state
            assert state is not None  # decide() refuses every command before registration
        # While the store is down the case still takes commands; the projection catches up later.
        await workflow.wait_condition(lambda: self._projected_seq >= state.seq or self._store_down)
        return self._answer(state)

    def _decide(self, envelope: CommandEnvelope) -> list[e.Event]:
        strict = not isinstance(envelope.command, RecordCourtDecision) or self._patched(
            COURT_ACCEPTANCE_PATCH
        )
        try:
            return decide(self._state, envelope, now=workflow.now(), court_acceptance_first=strict)
        except DomainError as error:
            # The validator passed but an update applied in between changed the stage.
            raise refusal_failure(error) from None

    @apply.validator
    def _validate_apply(self, envelope: CommandEnvelope) -> None:
        command = envelope.command
        if isinstance(command, IssueDocument):  # checked as if numbered: the number comes later
            numbered = command.model_copy(update={"number": PROVISIONAL_NUMBER})
            envelope = envelope.model_copy(update={"command": numbered})
        try:
            decide(self._state, envelope, now=workflow.now())
        except DomainError as error:
            raise refusal_failure(error) from None

    async def _numbered(self, envelope: CommandEnvelope) -> CommandEnvelope:
        """The issue with the document's 文号: the one it holds, else the next of the holding
        organisation's series (a number a caller sent is never used)."""
        command = envelope.command
        assert isinstance(command, IssueDocument)
        command = command.model_copy(update={"number": None})
        state = self._state
        try:
            key = pending_key(state, command.kind, command.subject) if state else None
        except DomainError as error:
            raise refusal_failure(error) from None
        if state is not None and key is not None:
            holder = state.holder
            request = DocumentNumberRequest(
                case_id=state.case_id,
                document_key=key,
                org_id=state.holder_id or "unassigned",
                org_name=holder.name if holder is not None else (state.holder_id or "—"),
                year=china_date(workflow.now()).year,
            )
            try:
                number: DocumentNumber = await workflow.execute_activity(
                    ASSIGN_DOCUMENT_NUMBER_ACTIVITY,
                    request,
                    result_type=DocumentNumber,
                    start_to_close_timeout=timedelta(seconds=15),
                    retry_policy=NUMBER_RETRY,
                )
            except ActivityError:
                raise ApplicationError(
                    "文号暂时无法分配，文书未出具 / no document number could be assigned",
                    type=DOCUMENT_NUMBER_UNAVAILABLE,
                    non_retryable=True,
                ) from None
            command = command.model_copy(update={"number": number})
        return envelope.model_copy(update={"command": command})

    @workflow.update(name=CALENDAR_UPDATE)
    async def load_calendar(self, calendar: HolidayCalendar) -> CommandOutcome | CaseState | None:
        """Newly published holiday data: provisional due times are computed again (recorded)."""
        async with self._lock:
            if self._state is not None:
                self._record(reschedule_provisional(self._state, calendar, now=workflow.now()))
            state = self._state
        if state is not None:
            await workflow.wait_condition(
                lambda: self._projected_seq >= state.seq or self._store_down
            )
            return self._answer(state)
        return None

    @load_calendar.validator
    def _validate_calendar(self, calendar: HolidayCalendar) -> None:
        """Nothing of the case to check; the worker's command guard checks the API's signature
        here (validators are where an update is refused before it reaches the history)."""

    @workflow.query(name=STATE_QUERY)
    def state(self) -> CaseState | None:
        return self._state

    def _answer(self, state: CaseState) -> CommandOutcome | CaseState:
        """What an update or the ended run answers, recorded in history: the case's seq (a run
        from before lean-answer-v1: the whole case)."""
        if not self._patched(LEAN_ANSWER_PATCH):
            return state
        return CommandOutcome(
            case_id=state.case_id, seq=state.seq, projected=self._projected_seq >= state.seq
        )

    async def _policy_in_force(self, years: tuple[int, ...] = ()) -> CasePolicy:
        """The policy in force now, selected for this case (its kind, category, channel…), its
        holiday data holding ``years`` besides those from this year on."""
        state = self._state
        assert state is not None
        request = PolicyRequest(
            kind=state.kind,
            category=state.category,
            channel=state.channel,
            risk_level=state.risk_level,
            jurisdiction_code=state.jurisdiction.code,
            year=china_date(workflow.now()).year,
            years=years,
        )
        policy: CasePolicy = await workflow.execute_local_activity(
            POLICY_ACTIVITY,
            request,
            result_type=CasePolicy,
            start_to_close_timeout=timedelta(seconds=10),
        )
        return policy

    async def _amend_policy(self) -> None:
        policy = await self._policy_in_force()
        assert self._state is not None
        self._record(amend_policy(self._state, policy, now=workflow.now()))

    async def _extend_calendar(self, years: tuple[int, ...]) -> None:
        policy = await self._policy_in_force(years)
        assert self._state is not None
        self._record(extend_calendar(self._state, policy.calendar, years, now=workflow.now()))

    async def _snapshot_policy(self, envelope: CommandEnvelope) -> None:
        assert isinstance(envelope.command, Register)
        earlier = intake_years(envelope.command, china_date(workflow.now()).year)
        if earlier and not self._patched(CALENDAR_YEARS_PATCH):
            earlier = ()
        policy = await self._policy_in_force(earlier)
        assert self._state is not None
        self._record(
            snapshot_policy(
                self._state,
                policy,
                actor=envelope.actor,
                command_id=envelope.command_id,
                now=workflow.now(),
            )
        )

    def _record_what_fell_due(self) -> None:
        """After a command: whatever is already due (a clock started from a legal date long past
        has run out, or its warning time has passed) is recorded at once. The patch is asked only
        then, so a history without late entries carries no marker."""
        wake = self._wakeup()
        if wake is None or wake > workflow.now() or not self._patched(LATE_ENTRY_PATCH):
            return
        assert self._state is not None
        self._record(advance(self._state, now=workflow.now()))

    def _record(self, events: list[e.Event]) -> None:
        """Fold events into the case, queue them for the store, send the notifications."""
        for event in events:
            self._state = evolve(self._state, event)
            for delivery in deliveries_for(self._state, event, self._patched):
                self._deliver(delivery)
        self._unprojected.extend(events)
        if events and self._held:
            # News: the store is offered the held events again, and this command waits to
            # hear whether it took them (as any command waits for the store).
            self._held = False
            self._store_down = False

    def _deliver(self, delivery: AlertDelivery) -> None:
        handle = workflow.start_activity(
            DELIVER_ACTIVITY,
            delivery,
            result_type=DeliveryOutcome,
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=DELIVERY_RETRY,
        )
        self._deliveries.add(handle)
        handle.add_done_callback(self._delivery_done)

    def _delivery_done(self, handle: asyncio.Future[DeliveryOutcome]) -> None:
        self._deliveries.discard(handle)
        if not handle.cancelled() and handle.exception() is not None:
            # Retries exhausted or a permanent failure: recorded by the notifier; the alert
            # stays in the recipient's inbox and escalation goes on regardless.
            workflow.logger.warning("alert delivery gave up: %s", handle.exception())

    def _projectable(self) -> bool:
        """Events wait for the store, which is not holding them, and (baseline 2 on) no command
        is still deciding: a command's events go in one batch, however many steps it takes."""
        if not self._unprojected or self._held:
            return False
        return not (self._one_batch and self._lock.locked())

    def _ready(self) -> bool:
        return (
            self._projectable()
            or self._timer_due()
            or self._wakeup() != self._armed_for
            or (self._should_stop() and self._may_let_go())
        )

    def _may_let_go(self) -> bool:
        """Nothing left to finish: handlers, deliveries, and events the store has not taken
        (a case held with refused events stays open until they land)."""
        return workflow.all_handlers_finished() and not self._deliveries and not self._unprojected

    @workflow.signal(name=REPROJECT_SIGNAL)
    def reproject(self) -> None:
        """An operator fixed what made the store refuse this case's events: offer them again."""
        if self._held:
            self._held = False
            self._store_down = False

    def _wakeup(self) -> datetime | None:
        return next_wakeup(self._state) if self._state is not None else None

    def _rearm(self) -> None:
        """One timer for the earliest clock event, replaced only when that moment changes
        (the updatable-timer pattern): commands that leave it alone add no timer events."""
        wake = self._wakeup()
        if wake == self._armed_for:
            return
        armed, self._armed_for = self._armed_for, wake
        if self._timer is not None:
            if not self._imminent(self._timer, armed):
                self._timer.cancel()
            self._timer = None
        if wake is not None and wake > workflow.now() and self._patched(CLOCKS_PATCH):
            self._timer = asyncio.create_task(workflow.sleep(wake - workflow.now()))

    def _imminent(self, timer: asyncio.Task[None], armed: datetime | None) -> bool:
        """A pending timer about to fire is left to fire: cancelling one that fired while this
        task was with the worker is a command about a timer the server has already closed."""
        return (
            not timer.done()
            and armed is not None
            and armed <= workflow.now() + IMMINENT
            and self._patched(IMMINENT_TIMER_KEPT_PATCH)
        )

    def _timer_due(self) -> bool:
        wake = self._wakeup()
        return wake is not None and wake <= workflow.now()

    def _should_stop(self) -> bool:
        if self._state is None:
            return False
        if self._state.is_terminal:
            return True
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > self._max_history_events
        )

    async def _project(self) -> None:
        assert self._state is not None
        # The events are the whole news: the store holds the case as of its last batch.
        lean = self._patched(EVENTS_ONLY_PROJECTION_PATCH)
        batch = ProjectionBatch(
            case_id=self._state.case_id,
            events=tuple(self._unprojected),
            state=None if lean else self._state,
        )
        try:
            durable = self._patched(DURABLE_PROJECTION_PATCH)
            if durable and self._patched(LOCAL_PROJECTION_PATCH):
                # Written from inside this task: the history length tells a later attempt of
                # the task (should this one be lost) that these events are its to replace.
                length = workflow.info().get_current_history_length()
                await workflow.execute_local_activity(
                    PROJECT_ACTIVITY,
                    batch.model_copy(update={"history_length": length}),
                    result_type=ProjectionResult,
                    start_to_close_timeout=timedelta(seconds=15),
                    retry_policy=PROJECTION_RETRY,
                )
            elif durable:
                await workflow.execute_activity(
                    PROJECT_ACTIVITY,
                    batch,
                    result_type=ProjectionResult,
                    start_to_close_timeout=timedelta(seconds=15),
                    retry_policy=PROJECTION_RETRY,
                )
            else:
                await workflow.execute_local_activity(
                    PROJECT_ACTIVITY,
                    batch,
                    result_type=ProjectionResult,
                    start_to_close_timeout=timedelta(seconds=15),
                    retry_policy=PROJECTION_RETRY,
                )
        except (ActivityError, ApplicationError, TemporalTimeoutError) as error:
            # A local activity that gives up surfaces its own failure, not an ActivityError.
            self._patched(STORE_OUTAGE_PATCH)
            self._store_down = True
            if _refused_for_good(error) and self._patched(PROJECTION_HELD_PATCH):
                self._held = True  # the store marked the case behind and told an operator
                workflow.logger.error("case store refused events; held until the next command")
                return
            wait = STORE_RETRY_BACKOFF[min(self._store_failures, len(STORE_RETRY_BACKOFF) - 1)]
            self._store_failures += 1
            workflow.logger.warning("case store unavailable; retrying the projection in %s", wait)
            await workflow.sleep(wait)
            return
        self._store_down = False
        self._store_failures = 0
        last = batch.events[-1].seq
        self._unprojected = [event for event in self._unprojected if event.seq > last]
        self._projected_seq = last


def _refused_for_good(error: BaseException) -> bool:
    cause = error.cause if isinstance(error, ActivityError) else error
    return isinstance(cause, ApplicationError) and cause.type == PROJECTION_REFUSED
