"""A CaseWorkflow changed carelessly, for showing that an archived history catches the change.

In a module of its own: the Replayer's sandbox imports the module that defines the workflow, and
this one imports nothing but the workflow.
"""

from __future__ import annotations

from temporalio import workflow

from workflows.case_workflow import CaseWorkflow
from workflows.contract import WORKFLOW_TYPE, CaseWorkflowInput, CommandOutcome

with workflow.unsafe.imports_passed_through():
    from domain.case.state import CaseState


@workflow.defn(name=WORKFLOW_TYPE)
class DriftedCaseWorkflow(CaseWorkflow):
    """A new timer before the loop, without ``workflow.patched``: old histories no longer fit."""

    @workflow.run
    async def run(self, start: CaseWorkflowInput) -> CommandOutcome | CaseState | None:
        await workflow.sleep(1)
        return await super().run(start)
