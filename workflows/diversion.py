"""DiversionWorkflow: 访调对接, a petition handed to mediation as a linked dispute, durably.

Three idempotent steps, in an order that leaves nothing half-done after a crash anywhere:

1. reserve the dispute number, bound to the petition's diversion key (a retry gets the same
   number; a petition whose stage forbids the diversion is refused before any number is taken);
2. record the link on the petition (its ``apply`` update; the petition's workflow has the last
   word, and a refusal here ends the diversion before any dispute exists);
3. open the linked dispute (update-with-start keyed by its number: opened once, however often
   this step runs).

The link is recorded before the dispute opens, so a diversion interrupted between the two steps
resumes at the third on any worker: it can neither lose the link nor open two disputes.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.values import china_date
    from workflows.contract import (
        DIVERSION_WORKFLOW,
        OPEN_DISPUTE_ACTIVITY,
        RECORD_DIVERSION_ACTIVITY,
        RESERVE_DISPUTE_ACTIVITY,
        DisputeNumber,
        DisputeNumberRequest,
        DiversionInput,
        DiversionResult,
        DiversionStep,
    )

# Each step is one call to the store or to a case; a worker that dies mid-step stops
# heartbeating, and the step runs again elsewhere within seconds. Until a step succeeds or is
# refused it is tried again (the store or Temporal may be away for a while).
STEP_TIMEOUT = timedelta(minutes=2)
STEP_HEARTBEAT = timedelta(seconds=10)
STEP_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=500),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
)


@workflow.defn(name=DIVERSION_WORKFLOW)
class DiversionWorkflow:
    @workflow.run
    async def run(self, request: DiversionInput) -> DiversionResult:
        try:
            number = await workflow.execute_activity(
                RESERVE_DISPUTE_ACTIVITY,
                DisputeNumberRequest(
                    petition_id=request.petition_id, year=china_date(workflow.now()).year
                ),
                result_type=DisputeNumber,
                start_to_close_timeout=STEP_TIMEOUT,
                heartbeat_timeout=STEP_HEARTBEAT,
                retry_policy=STEP_RETRY,
            )
            step = DiversionStep(
                petition_id=request.petition_id,
                dispute_case_id=number.case_id,
                actor=request.actor,
                center_id=request.center_id,
                note=request.note,
            )
            for activity in (RECORD_DIVERSION_ACTIVITY, OPEN_DISPUTE_ACTIVITY):
                await workflow.execute_activity(
                    activity,
                    step,
                    start_to_close_timeout=STEP_TIMEOUT,
                    heartbeat_timeout=STEP_HEARTBEAT,
                    retry_policy=STEP_RETRY,
                )
        except ActivityError as error:
            refusal = error.cause
            if isinstance(refusal, ApplicationError) and refusal.non_retryable:
                # The case's refusal, as the workflow's own failure: the API answers with it.
                raise ApplicationError(
                    refusal.message, *refusal.details, type=refusal.type, non_retryable=True
                ) from None
            raise
        return DiversionResult(petition_id=request.petition_id, dispute_case_id=number.case_id)
