"""Recorded histories replay with the current CaseWorkflow; an incompatible change is caught."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.case_workflow import CaseWorkflow
from workflows.contract import WORKFLOW_TYPE, CaseWorkflowInput

with workflow.unsafe.imports_passed_through():
    from domain.state import CaseState

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def test_there_are_recorded_histories() -> None:
    assert len(HISTORIES) >= 6


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays_deterministically(path: Path) -> None:
    replayer = Replayer(workflows=[CaseWorkflow], data_converter=pydantic_data_converter)
    async with asyncio.timeout(60):  # a replay that stalls is a failure, not a hung CI
        result = await replayer.replay_workflow(_history(path), raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure


@workflow.defn(name=WORKFLOW_TYPE)
class ReorderedCaseWorkflow(CaseWorkflow):
    """What a careless edit looks like: a new timer before the loop, without workflow.patched."""

    @workflow.run
    async def run(self, start: CaseWorkflowInput) -> CaseState | None:
        await workflow.sleep(1)
        return await super().run(start)


async def test_an_incompatible_workflow_change_fails_replay() -> None:
    replayer = Replayer(workflows=[ReorderedCaseWorkflow], data_converter=pydantic_data_converter)
    full = next(p for p in HISTORIES if p.stem.endswith("full_lifecycle"))
    result = await replayer.replay_workflow(_history(full), raise_on_replay_failure=False)
    assert result.replay_failure is not None
    assert "nondetermin" in str(result.replay_failure).lower()
