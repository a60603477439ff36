"""LedgerImportWorkflow: 台账导入, a ledger file registered row by row, durably.

The rows go in batches, each one activity: it reads its rows from the kept file, skips those an
earlier attempt finished, records a rejected row with its reason and registers every other row
as a case through intake (keyed by the file and the row, so a row is one case however often its
batch runs). A worker killed mid-batch stops heartbeating and the batch runs again elsewhere;
what it had done is skipped. After ``batches_per_run`` batches the workflow continues as new
with the next row, so a file of any length keeps a short history.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contract import (
        LEDGER_BATCH_ACTIVITY,
        LEDGER_FINISH_ACTIVITY,
        LEDGER_IMPORT_WORKFLOW,
        LedgerBatch,
        LedgerBatchResult,
        LedgerImportInput,
        LedgerImportResult,
    )

BATCH_TIMEOUT = timedelta(minutes=30)
BATCH_HEARTBEAT = timedelta(seconds=20)
BATCH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
)


@workflow.defn(name=LEDGER_IMPORT_WORKFLOW)
class LedgerImportWorkflow:
    @workflow.run
    async def run(self, request: LedgerImportInput) -> LedgerImportResult:
        row = request.next_row
        for _ in range(request.batches_per_run):
            if row > request.total_rows:
                break
            last = min(row + request.batch_size - 1, request.total_rows)
            await workflow.execute_activity(
                LEDGER_BATCH_ACTIVITY,
                LedgerBatch(
                    import_id=request.import_id,
                    file_sha256=request.file_sha256,
                    first_row=row,
                    last_row=last,
                    actor=request.actor,
                    user_id=request.user_id,
                    center_id=request.center_id,
                    jurisdiction=request.jurisdiction,
                ),
                result_type=LedgerBatchResult,
                start_to_close_timeout=BATCH_TIMEOUT,
                heartbeat_timeout=BATCH_HEARTBEAT,
                retry_policy=BATCH_RETRY,
            )
            row = last + 1
        if row <= request.total_rows:
            workflow.continue_as_new(request.model_copy(update={"next_row": row}))
        # The counts from the store: exact whatever the batches' attempts were.
        result: LedgerImportResult = await workflow.execute_activity(
            LEDGER_FINISH_ACTIVITY,
            request,
            result_type=LedgerImportResult,
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=BATCH_RETRY,
        )
        return result
