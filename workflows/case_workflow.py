"""CaseWorkflow: the durable life of one case. Every command is the update ``apply``."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.commands import CommandEnvelope
    from domain.decide import decide
    from domain.errors import DomainError
    from domain.events import Event
    from domain.evolve import evolve
    from domain.state import CaseState
    from workflows.contract import (
        APPLY_UPDATE,
        PROJECT_ACTIVITY,
        STATE_QUERY,
        WORKFLOW_TYPE,
        CaseWorkflowInput,
        ProjectionBatch,
        ProjectionResult,
    )

# The projection must eventually land: retry for as long as the database is away.
PROJECTION_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
)


def to_application_error(error: DomainError) -> ApplicationError:
    """A refused command, in the shape the API maps to 404/409/422 (never retried)."""
    return ApplicationError(
        str(error),
        {
            "code": error.code,
            "message_zh": error.message_zh,
            "message_en": error.message_en,
            "field": error.field,
        },
        type=error.code,
        non_retryable=True,
    )


@workflow.defn(name=WORKFLOW_TYPE)
class CaseWorkflow:
    @workflow.init
    def __init__(self, start: CaseWorkflowInput) -> None:
        self._state: CaseState | None = start.state
        # Continue-as-new well before Temporal's own limits so replays of one run stay short.
        self._max_history_events = start.max_history_events
        self._unprojected: list[Event] = []
        self._projected_seq = start.state.seq if start.state else 0

    @workflow.run
    async def run(self, start: CaseWorkflowInput) -> CaseState | None:
        while True:
            await workflow.wait_condition(
                lambda: (
                    bool(self._unprojected)
                    or (self._should_stop() and workflow.all_handlers_finished())
                )
            )
            if self._unprojected:
                await self._project()
                continue
            break
        if self._state is not None and not self._state.is_terminal:
            workflow.continue_as_new(
                CaseWorkflowInput(state=self._state, max_history_events=self._max_history_events)
            )
        return self._state

    @workflow.update(name=APPLY_UPDATE)
    async def apply(self, envelope: CommandEnvelope) -> CaseState:
        """Record a command's events, wait until the store has them, return the case."""
        try:
            events = decide(self._state, envelope, now=workflow.now())
        except DomainError as error:
            # The validator passed but an update applied in between changed the stage.
            raise to_application_error(error) from None
        state = self._state
        for event in events:
            state = evolve(state, event)
        assert state is not None  # decide() refuses every command before registration
        self._state = state
        self._unprojected.extend(events)
        await workflow.wait_condition(lambda: self._projected_seq >= state.seq)
        return state

    @apply.validator
    def _validate_apply(self, envelope: CommandEnvelope) -> None:
        try:
            decide(self._state, envelope, now=workflow.now())
        except DomainError as error:
            raise to_application_error(error) from None

    @workflow.query(name=STATE_QUERY)
    def state(self) -> CaseState | None:
        return self._state

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
        batch = ProjectionBatch(
            case_id=self._state.case_id, events=tuple(self._unprojected), state=self._state
        )
        await workflow.execute_local_activity(
            PROJECT_ACTIVITY,
            batch,
            result_type=ProjectionResult,
            start_to_close_timeout=timedelta(seconds=15),
            retry_policy=PROJECTION_RETRY,
        )
        last = batch.events[-1].seq
        self._unprojected = [event for event in self._unprojected if event.seq > last]
        self._projected_seq = last
