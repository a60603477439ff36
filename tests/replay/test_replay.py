"""Recorded histories replay with the current workflows; an incompatible change is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from activities.audit.replay import replay_history
from activities.runtime.command_auth import HEADER
from activities.runtime.payload_codec import encrypting_converter, is_encrypted
from tests.engine_keys import KEYS_A
from tests.replay.drifted_workflow import DriftedCaseWorkflow
from worker import WORKFLOWS

with workflow.unsafe.imports_passed_through():
    from domain.case.alerts import AlertKind
    from domain.case.events import DocumentIssued, Event
    from domain.case.evolve import fold
    from domain.case.stages import Stage
    from domain.case.state import CaseState
    from workflows.contract import PROJECT_ACTIVITY, CommandOutcome, ProjectionBatch

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))
# Histories recorded since payload encryption are ciphertext under the test key A; the older
# ones pass through this converter as they are.
CONVERTER = encrypting_converter(KEYS_A.payload)


def _history(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


async def _states_after_commands(history: WorkflowHistory) -> list[CaseState]:
    """The case after each command. A run from before lean-answer-v1 answered with the case;
    since, the answer is its seq, and the case is the fold of the events the projection batches
    carried up to that seq."""
    projected: dict[int, Event] = {}
    states: list[CaseState] = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            if attributes.activity_type.name == PROJECT_ACTIVITY:
                [batch] = await CONVERTER.decode(attributes.input.payloads, [ProjectionBatch])
                projected.update((e.seq, e) for e in batch.events)
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            outcome = event.workflow_execution_update_completed_event_attributes.outcome
            [payload] = await CONVERTER.payload_codec.decode(outcome.success.payloads)  # type: ignore[union-attr]
            answer = json.loads(payload.data)
            if "stage" in answer:
                states.append(CaseState.model_validate(answer))
                continue
            seq = CommandOutcome.model_validate(answer).seq
            state = fold([projected[n] for n in sorted(projected) if n <= seq])
            assert state is not None
            states.append(state)
    return states


def test_there_are_recorded_histories() -> None:
    assert len(HISTORIES) >= 6


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays_deterministically(path: Path) -> None:
    # The same replay `fengqiao audit replay` runs: a stalled replay is a failure, not a hung CI.
    failure = await replay_history(
        _history(path), workflows=WORKFLOWS, timeout=60, data_converter=CONVERTER
    )
    assert failure is None, failure


ENCRYPTED = [p for p in HISTORIES if p.stem.startswith("v7_h16engine_")]


def test_histories_recorded_since_encryption_hold_ciphertext_and_signed_commands() -> None:
    assert len(ENCRYPTED) >= 10
    for path in ENCRYPTED:
        history = _history(path)
        updates = [
            e.workflow_execution_update_accepted_event_attributes.accepted_request
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]
        started = history.events[0].workflow_execution_started_event_attributes
        assert all(is_encrypted(p) for p in started.input.payloads), path.name
        for request in updates:
            assert all(is_encrypted(p) for p in request.input.args.payloads), path.name
            assert HEADER in request.input.header.fields, path.name


async def test_an_encrypted_history_does_not_replay_without_its_key() -> None:
    """The replay really reads the ciphertext: without the payload key it cannot."""
    full = next(p for p in ENCRYPTED if p.stem.endswith("full_lifecycle"))
    failure = await replay_history(_history(full), workflows=WORKFLOWS, timeout=60)
    assert failure is not None


async def test_an_incompatible_workflow_change_fails_replay() -> None:
    full = next(p for p in HISTORIES if p.stem.endswith("full_lifecycle"))
    failure = await replay_history(
        _history(full), workflows=(DriftedCaseWorkflow,), timeout=60, data_converter=CONVERTER
    )
    assert failure is not None
    assert "nondetermin" in failure.lower()


async def test_a_recorded_full_life_has_every_stage_clocks_and_an_escalation() -> None:
    """The representative case: every dispute stage to close-out, timers that fired, a breach
    escalated past the first level (tests/replay/record.py: record_full_life_with_clocks)."""
    newest = [p for p in HISTORIES if p.stem.endswith("full_life_clocks_escalation_closed")][-1]
    history = _history(newest)
    states = await _states_after_commands(history)
    dispute_life = {
        Stage.REGISTERED,
        Stage.ACCEPTED,
        Stage.MEDIATING,
        Stage.AGREEMENT_REACHED,
        Stage.CONFIRMATION_PENDING,
        Stage.FOLLOWING_UP,
        Stage.CLOSED,
    }
    assert {state.stage for state in states} == dispute_life
    assert any(e.event_type == EventType.EVENT_TYPE_TIMER_FIRED for e in history.events)
    breaches = [a for a in states[-1].alerts if a.kind is AlertKind.BREACH]
    assert breaches
    assert max(alert.level for alert in breaches) >= 2
    assert history.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED


async def test_a_recorded_hand_off_life_has_every_hand_off_and_a_transfer_escalated() -> None:
    """tests/replay/record.py: record_handoffs — routed to a village, returned by the town,
    assigned and reported back, lift suggested and done, a transfer not taken in time escalated
    to the receiving organisation, co-handled, closed."""
    newest = [p for p in HISTORIES if p.stem.endswith("handoffs_transfer_lift_closed")][-1]
    states = await _states_after_commands(_history(newest))
    final = states[-1]
    assert final.stage is Stage.CLOSED
    assert {h.kind for h in final.handoffs} >= {
        "case_registered",
        "case_transferred",
        "transfer_returned",
        "case_assigned",
        "report_back_recorded",
        "case_lifted",
        "transfer_taken",
        "co_handler_added",
        "co_handler_removed",
    }
    assert any(state.lift_suggestion is not None for state in states)
    assert final.holder_id == "xw-labour-room"
    assert final.former_holders == ("xw-cjl-committee", "xw-myxc-center")
    take = [a for a in final.alerts if a.kind is AlertKind.BREACH and a.clock_id == "TAKE-2"]
    assert [n.recipient for n in take[0].notifications][:3] == [
        "org:xw-labour-room",
        "org:xw-labour-room",
        "org-head:xw-labour-room",
    ]


async def test_a_recorded_older_case_was_amended_before_its_first_transfer() -> None:
    newest = [p for p in HISTORIES if p.stem.endswith("handoffs_old_policy_amended")][-1]
    states = await _states_after_commands(_history(newest))
    registered = states[0]
    assert registered.policy is not None
    assert not registered.policy.knows_handoffs
    final = states[-1]
    assert final.policy is not None
    assert [a.rule_ids for a in final.policy.amendments] == [("TAKE", "A4")]
    breach = next(a for a in final.alerts if a.kind is AlertKind.BREACH and a.clock_id == "A4-1")
    assert breach.recipient == "org:xw-hrss"


async def test_a_recorded_signed_agreement_prints_the_signatures_it_knows() -> None:
    """tests/replay/record_signed.py: the 协议书 issued unsigned, signed on the tablet by the
    applicant and a mediator (and a stranger), issued again as version 2 under the same 文号
    carrying the two signatures the case knows; the reprint after it recorded nothing."""
    newest = [p for p in HISTORIES if p.stem.endswith("signed_agreement_issued_twice_closed")][-1]
    history = _history(newest)
    final = (await _states_after_commands(history))[-1]
    assert final.stage is Stage.CLOSED
    assert [(d.version, d.number.seq) for d in final.documents] == [(1, 1), (2, 1)]
    assert len(final.attachments) == 3
    issued: list[DocumentIssued] = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            if attributes.activity_type.name == PROJECT_ACTIVITY:
                [batch] = await CONVERTER.decode(attributes.input.payloads, [ProjectionBatch])
                issued += [e.body for e in batch.events if isinstance(e.body, DocumentIssued)]
    assert [[(m.place, m.name) for m in d.fields.signatures] for d in issued] == [
        [],
        [("applicants", "张伟"), ("mediators", "王芳")],
    ]
