"""Histories of the ledger import (台账导入, issue 21).

    python -m tests.replay.record TAG ledger

* LedgerImportWorkflow over 2,500 rows: ten batches, continue-as-new, three batches and the
  tally (both runs kept; the batch and tally activities are stand-ins answering as the real
  ones do: the workflow sees only their results);
* a dispute entered from a paper ledger in one go: received, accepted, mediated and failed on
  its paper dates (``failed_on``, within B2's month), struck off — no breach, no alert.
"""

from __future__ import annotations

import json
from typing import Any

from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.policy.calendar_data import load_calendar
from activities.runtime.devstack import temporal_cli
from tests.workflows.clock_harness import clockwork
from worker import build_worker
from workflows.contract import (
    LEDGER_BATCH_ACTIVITY,
    LEDGER_FINISH_ACTIVITY,
    LEDGER_IMPORT_WORKFLOW,
    LedgerBatch,
    LedgerBatchResult,
    LedgerImportInput,
    LedgerImportResult,
    ledger_import_workflow_id,
)


@activity.defn(name=LEDGER_BATCH_ACTIVITY)
async def import_ledger_batch(batch: LedgerBatch) -> LedgerBatchResult:
    rows = batch.last_row - batch.first_row + 1
    return LedgerBatchResult(registered=rows - 1, rejected=1, skipped=0)


@activity.defn(name=LEDGER_FINISH_ACTIVITY)
async def finish_ledger_import(request: LedgerImportInput) -> LedgerImportResult:
    return LedgerImportResult(import_id=request.import_id, registered=2487, rejected=13)


async def record_ledger(tag: str) -> None:
    from tests.replay.record import ENGINE, HISTORIES, TASK_QUEUE, _guard, _save_history

    steps: list[Any] = [import_ledger_batch, finish_ledger_import]
    async with await WorkflowEnvironment.start_local(
        **ENGINE, dev_server_existing_path=temporal_cli(), ui=False
    ) as env:
        async with build_worker(env.client, TASK_QUEUE, steps, guard=_guard()):
            request = LedgerImportInput(
                import_id="0" * 31 + "1",
                file_sha256="ab" * 32,
                total_rows=2500,
                actor="王芳 (wangfang)",
                user_id="wangfang",
                center_id="xw-center",
                jurisdiction="320102",
            )
            workflow_id = ledger_import_workflow_id(request.import_id)
            handle = await env.client.start_workflow(
                LEDGER_IMPORT_WORKFLOW, request, id=workflow_id, task_queue=TASK_QUEUE
            )
            await handle.result()
            first = env.client.get_workflow_handle(
                workflow_id, run_id=handle.first_execution_run_id
            )
            history = await first.fetch_history()
            path = HISTORIES / f"{tag}_ledger_import_run1.json"
            path.write_text(json.dumps(json.loads(history.to_json()), ensure_ascii=False, indent=1))
            print(f"recorded {path.name}")
            await _save_history(env.client, workflow_id, f"{tag}_ledger_import_run2")

    async with clockwork(load_calendar()) as cw:
        case = await cw.register(received_on="2026-09-01")
        await cw.act(case, "accept", accepted_on="2026-09-02")
        await cw.act(case, "start_mediation", started_on="2026-09-02")
        await cw.act(case, "record_mediation_failure", failed_on="2026-09-20")
        state = await cw.act(case, "close", remark="台账导入：按台账记载办结")
        assert not state.alerts, state.alerts
        await cw.client.get_workflow_handle(case.id).result()
        await _save_history(cw.client, case.id, f"{tag}_paper_case_failed_on_its_date")
