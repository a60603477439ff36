"""Record representative CaseWorkflow and DiversionWorkflow histories for the replay tests.

    python -m tests.replay.record [TAG [RECORDING ...]]   (recordings: see RECORDINGS; all)

Run it after a deliberate workflow change (behind ``workflow.patched``) to add histories of the
new code next to the old ones; never delete old histories while cases of that shape may be live.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
)
from temporalio.common import RawValue, WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment

from activities.policy.calendar_data import load_calendar
from activities.runtime.command_guard import CommandGuard, CommandSigner, RefusedCommand
from activities.runtime.devstack import temporal_cli
from activities.runtime.payload_codec import encrypting_converter
from activities.runtime.settings import Settings
from domain.case import commands as c
from domain.case.issued import DocumentKind, DocumentNumber
from domain.errors import ForbiddenTransition
from tests.engine_keys import KEYS_A
from tests.replay.record_attachments import record_attachments
from tests.replay.record_backfill import record_backfill
from tests.replay.record_leader_acts import record_leader_acts
from tests.replay.record_ledger import record_ledger
from tests.replay.record_listing import record_listing
from tests.replay.record_registers import record_reception
from tests.replay.record_screening import record_screening
from tests.replay.record_signed import record_signed_agreement
from tests.samples import LIFECYCLE, china_today, register, step_action
from tests.samples import command as sample_command
from worker import build_worker, policy_provider
from workflows.contract import (
    APPLY_UPDATE,
    ASSIGN_DOCUMENT_NUMBER_ACTIVITY,
    DELIVER_ACTIVITY,
    DIVERSION_WORKFLOW,
    OPEN_DISPUTE_ACTIVITY,
    PROJECT_ACTIVITY,
    RECORD_DIVERSION_ACTIVITY,
    RESERVE_DISPUTE_ACTIVITY,
    WORKFLOW_TYPE,
    AlertDelivery,
    CaseWorkflowInput,
    DeliveryOutcome,
    DisputeNumber,
    DisputeNumberRequest,
    DiversionInput,
    DiversionResult,
    DiversionStep,
    DocumentNumberRequest,
    ProjectionBatch,
    ProjectionResult,
    diversion_workflow_id,
    new_case_input,
    refusal_failure,
)

HISTORIES = Path(__file__).parent / "histories"
# As deployed since signed-commands-v1: payloads encrypted under the test payload key A and
# commands signed with the test command key A (tests/engine_keys.py opens them again).
ENGINE: dict[str, Any] = {
    "data_converter": encrypting_converter(KEYS_A.payload),
    "interceptors": [CommandSigner(KEYS_A.command)],
}


def _guard() -> CommandGuard:
    def refused(command: RefusedCommand) -> None:
        raise AssertionError(f"a recording's command was refused: {command}")

    return CommandGuard(KEYS_A.command, refused)


TASK_QUEUE = "record-histories"

SCENARIOS: dict[str, tuple[str, ...]] = {
    "full_lifecycle": LIFECYCLE,
    "declined_then_closed": ("decline", "close"),
    "mediation_failed_then_closed": (
        "accept",
        "start_mediation",
        "record_mediation_failure",
        "close",
    ),
    "rejected_confirmation_second_round": (
        "accept",
        "start_mediation",
        "record_agreement",
        "apply_judicial_confirmation",
        "record_court_decision:rejected",
        "start_mediation",
        "record_session",
    ),
    "withdrawn": ("accept", "plan", "withdraw"),
}


@activity.defn(name=PROJECT_ACTIVITY)
async def accept_projection(batch: ProjectionBatch) -> ProjectionResult:
    return ProjectionResult(inserted=len(batch.events))


@activity.defn(name=DELIVER_ACTIVITY)
async def accept_delivery(delivery: AlertDelivery) -> DeliveryOutcome:
    return DeliveryOutcome(delivered=("recorded",))


_DOCUMENT_NUMBERS: dict[tuple[str, str], int] = {}


@activity.defn(name=ASSIGN_DOCUMENT_NUMBER_ACTIVITY)
async def assign_number(request: DocumentNumberRequest) -> DocumentNumber:
    seq = _DOCUMENT_NUMBERS.setdefault(
        (request.case_id, request.document_key), len(_DOCUMENT_NUMBERS) + 1
    )
    return DocumentNumber(
        org_id=request.org_id,
        org_name=request.org_name,
        year=request.year,
        seq=seq,
        prefix="玄调字",
    )


async def record_documents(tag: str) -> None:
    """出具文书 (documents-v1): an agreement issued, reprinted unchanged (nothing recorded), a
    session record issued, an issue refused for a missing field, then the case closed out."""
    today = china_today()
    async with await WorkflowEnvironment.start_local(
        **ENGINE, dev_server_existing_path=temporal_cli(), ui=False
    ) as env:
        client = env.client
        activities = [
            accept_projection,
            accept_delivery,
            assign_number,
            policy_provider(Settings()).load_case_policy,
        ]
        async with build_worker(client, TASK_QUEUE, activities, guard=_guard()):
            case_id = f"JF-2026-{uuid.uuid4().int % 10**6:06d}"
            await _register(client, case_id, new_case_input())
            for n, action in enumerate(
                ("accept", "start_mediation", "record_session", "record_agreement")
            ):
                await _apply(client, case_id, sample_command(action, today), f"{case_id}-{n}")
            issue = c.IssueDocument(kind=DocumentKind.AGREEMENT)
            await _apply(client, case_id, issue, f"{case_id}-doc-1")
            await _apply(client, case_id, issue, f"{case_id}-doc-2")  # a reprint
            record_1 = c.IssueDocument(kind=DocumentKind.SESSION_RECORD, subject=1)
            await _apply(client, case_id, record_1, f"{case_id}-doc-3")
            try:  # no court recorded yet: refused, nothing numbered
                court = c.IssueDocument(kind=DocumentKind.CONFIRMATION_APPLICATION)
                await _apply(client, case_id, court, f"{case_id}-doc-4")
            except WorkflowUpdateFailedError:
                pass
            await _apply(client, case_id, sample_command("record_follow_up", today), "visit")
            await _apply(client, case_id, sample_command("close", today), "close")
            await client.get_workflow_handle(case_id).result()
            await _save(client, case_id, "documents_issued_reprinted_closed", tag)


async def _register(client: Client, case_id: str, start: CaseWorkflowInput) -> None:
    await client.execute_update_with_start_workflow(
        APPLY_UPDATE,
        c.CommandEnvelope(command_id=f"{case_id}-r", actor="登记员", command=register(case_id)),
        start_workflow_operation=WithStartWorkflowOperation(
            WORKFLOW_TYPE,
            start,
            id=case_id,
            task_queue=TASK_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        ),
        result_type=RawValue,
    )


async def _apply(client: Client, case_id: str, cmd: c.Command, command_id: str) -> None:
    envelope = c.CommandEnvelope(command_id=command_id, actor="王芳", command=cmd)
    await client.get_workflow_handle(case_id).execute_update(
        APPLY_UPDATE, envelope, id=command_id, result_type=RawValue
    )


async def _save(client: Client, case_id: str, name: str, tag: str) -> None:
    run_ids = []
    async for execution in client.list_workflows(f"WorkflowId = '{case_id}'"):
        run_ids.append((execution.start_time, execution.run_id))
    for index, (_, run_id) in enumerate(sorted(run_ids)):
        history = await client.get_workflow_handle(case_id, run_id=run_id).fetch_history()
        suffix = f"_run{index + 1}" if len(run_ids) > 1 else ""
        path = HISTORIES / f"{tag}_{name}{suffix}.json"
        path.write_text(json.dumps(json.loads(history.to_json()), ensure_ascii=False, indent=1))


async def record(tag: str) -> None:
    HISTORIES.mkdir(exist_ok=True)
    today = china_today()
    async with await WorkflowEnvironment.start_local(
        **ENGINE, dev_server_existing_path=temporal_cli(), ui=False
    ) as env:
        client = env.client
        activities = [
            accept_projection,
            accept_delivery,
            policy_provider(Settings()).load_case_policy,
        ]
        async with build_worker(client, TASK_QUEUE, activities, guard=_guard()):
            for name, steps in SCENARIOS.items():
                case_id = f"JF-2026-{uuid.uuid4().int % 10**6:06d}"
                await _register(client, case_id, new_case_input())
                try:
                    for n, step in enumerate(steps):
                        action, body = step_action(step, today)
                        cmd = sample_command(action, today, **body)
                        await _apply(client, case_id, cmd, f"{case_id}-{n}")
                except WorkflowUpdateFailedError as error:
                    # A scenario today's rules refuse (recorded when the code allowed it).
                    print(f"{name}: not recorded ({error.cause})")
                    continue
                if name == "full_lifecycle":
                    await client.get_workflow_handle(case_id).result()
                await _save(client, case_id, name, tag)

            # Refused and retried commands, and a hand-over by continue-as-new.
            case_id = f"JF-2026-{uuid.uuid4().int % 10**6:06d}"
            await _register(
                client, case_id, new_case_input().model_copy(update={"max_history_events": 25})
            )
            try:
                await _apply(client, case_id, sample_command("close", today), "refused")
            except WorkflowUpdateFailedError:
                pass
            await _apply(client, case_id, sample_command("accept", today), "accept")
            await _apply(client, case_id, sample_command("accept", today), "accept")
            for n in range(8):
                await _apply(client, case_id, sample_command("plan", today), f"plan-{n}")
            # The newest run must have done work of its own for its history to mean anything.
            await _apply(client, case_id, sample_command("start_mediation", today), "mediate")
            await _save(client, case_id, "refused_retried_continued", tag)


async def record_clocks(tag: str) -> None:
    """A case whose clocks warn, breach and escalate, and whose alert is acknowledged."""
    from datetime import timedelta

    from tests.workflows.clock_harness import clockwork

    async with clockwork(load_calendar()) as cw:
        handle = await cw.register(risk_level="major")
        await cw.act(handle, "accept")
        today = (await cw.now()).date()
        await cw.act(handle, "plan", deadline=(today + timedelta(days=400)).isoformat())
        await cw.act(handle, "pause_clock", clock_id="B2", reason="appraisal")
        await cw.env.sleep(timedelta(days=3))
        await cw.act(handle, "resume_clock", clock_id="B2")
        b2 = (await cw.state(handle)).clock("B2")
        assert b2 is not None
        await cw.sleep_until(b2.due_at + timedelta(hours=30))
        state = await cw.state(handle)
        breach = next(a for a in state.alerts if a.kind.value == "breach")
        await cw.act(handle, "acknowledge_alert", alert_id=breach.alert_id, actor="陈建国")
        await cw.act(handle, "withdraw")
        await cw.client.get_workflow_handle(handle.id).result()
        await _save_history(cw.client, handle.id, f"{tag}_clocks_breach_escalation_ack")


async def record_imminent_timer(tag: str) -> None:
    """A breach acknowledged three seconds before its next escalation step: the step's timer is
    left to fire (imminent-timer-kept-v1), then the case is withdrawn."""
    from datetime import timedelta

    from tests.workflows.clock_harness import clockwork

    async with clockwork(load_calendar()) as cw:
        handle = await cw.register()
        await cw.act(handle, "accept")
        today = (await cw.now()).date()
        await cw.act(handle, "plan", deadline=(today + timedelta(days=400)).isoformat())
        b2 = (await cw.state(handle)).clock("B2")
        assert b2 is not None
        await cw.sleep_until(b2.due_at + timedelta(hours=1))
        state = await cw.state(handle)
        breach = next(a for a in state.alerts if a.kind.value == "breach")
        assert breach.next_step_at is not None
        await cw.sleep_until(breach.next_step_at - timedelta(seconds=3))
        await cw.act(handle, "acknowledge_alert", alert_id=breach.alert_id, actor="陈建国")
        await cw.sleep_until(breach.next_step_at + timedelta(hours=1))
        await cw.act(handle, "withdraw")
        await cw.client.get_workflow_handle(handle.id).result()
        await _save_history(cw.client, handle.id, f"{tag}_imminent_timer_kept")


async def record_petition(tag: str) -> None:
    """A petition answered, its review window lapsed (终结), then struck off (销号)."""
    from datetime import timedelta

    from tests.samples import PETITION_INTAKE
    from tests.workflows.clock_harness import clockwork

    async with clockwork(load_calendar()) as cw:
        handle = await cw.register(**PETITION_INTAKE)
        await cw.act(handle, "accept")
        await cw.act(handle, "reply")
        a7 = (await cw.state(handle)).clock("A7")
        assert a7 is not None
        await cw.sleep_until(a7.due_at + timedelta(hours=1))
        await cw.act(handle, "close")
        await cw.client.get_workflow_handle(handle.id).result()
        await _save_history(cw.client, handle.id, f"{tag}_petition_window_lapsed_closed")


async def record_full_life_with_clocks(tag: str) -> None:
    """A major-risk dispute through every stage to close-out on the time-skipping server: its
    mediation clock extended, then breached and escalated up the chain, acknowledged by the
    package leader; agreement, judicial confirmation, follow-up visit, closed."""
    from datetime import timedelta

    from tests.workflows.clock_harness import clockwork

    async with clockwork(load_calendar()) as cw:
        handle = await cw.register(risk_level="major")
        await cw.act(handle, "accept")
        today = (await cw.now()).date()
        await cw.act(handle, "plan", deadline=(today + timedelta(days=400)).isoformat())
        await cw.act(handle, "assign_package_leader")
        await cw.act(handle, "start_mediation")
        await cw.act(handle, "record_session")
        await cw.act(handle, "extend_clock", clock_id="B2", length=10)
        b2 = (await cw.state(handle)).clock("B2")
        assert b2 is not None
        await cw.sleep_until(b2.due_at + timedelta(hours=49))  # warned, breached, escalated
        breach = next(a for a in (await cw.state(handle)).alerts if a.kind.value == "breach")
        assert breach.level >= 2, breach
        await cw.act(handle, "acknowledge_alert", alert_id=breach.alert_id, actor="陈建国")
        for action in (
            "record_session",
            "record_agreement",
            "apply_judicial_confirmation",
            "record_court_decision",
            "record_follow_up",
            "close",
        ):
            await cw.act(handle, action)
        await cw.client.get_workflow_handle(handle.id).result()
        final = await cw.state(handle)
        assert final.stage.value == "closed", final.stage
        history = await cw.client.get_workflow_handle(handle.id).fetch_history()
        path = HISTORIES / f"{tag}_full_life_clocks_escalation_closed.json"
        path.write_text(json.dumps(json.loads(history.to_json()), ensure_ascii=False, indent=1))
        print(f"recorded {path.name}")


async def record_late_entries(tag: str) -> None:
    """Facts recorded after they happened (补录) under policy 2026.2: a petition registered after
    its period ran (breached at once, escalated, acknowledged, then answered with its service
    date); a medical dispute whose acceptance, mediation, appraisal pause and agreement carry
    their legal dates, its mediation period extended by an agreed new end date."""
    from datetime import timedelta

    from domain.values import china_date
    from tests.samples import PETITION_INTAKE
    from tests.workflows.clock_harness import clockwork

    async with clockwork(load_calendar()) as cw:
        today = china_date(await cw.now())

        def ago(days: int) -> str:
            return (today - timedelta(days=days)).isoformat()

        petition = await cw.register(**PETITION_INTAKE, received_on=ago(40))
        await cw.env.sleep(timedelta(minutes=31))  # 2026.4: a late breach waits for the grace
        state = await cw.state(petition)
        breach = next(a for a in state.alerts if a.kind.value == "breach")
        await cw.env.sleep(timedelta(days=2))
        await cw.act(petition, "acknowledge_alert", alert_id=breach.alert_id, actor="陈建国")
        await cw.act(petition, "accept", accepted_on=ago(38))
        replied = await cw.act(petition, "reply", answered_on=ago(30), served_on=ago(28))
        a7 = replied.clock("A7")
        assert a7 is not None
        await cw.sleep_until(a7.due_at + timedelta(hours=1))  # the review window lapses: 终结
        await cw.act(petition, "close")
        await cw.client.get_workflow_handle(petition.id).result()
        await _save_history(cw.client, petition.id, f"{tag}_petition_late_breach_escalated")

        dispute = await cw.register(category="medical", received_on=ago(12))
        await cw.act(dispute, "accept", accepted_on=ago(10))
        await cw.act(dispute, "start_mediation", started_on=ago(9))
        await cw.act(dispute, "pause_clock", clock_id="E4", reason="appraisal", paused_on=ago(6))
        resumed = await cw.act(dispute, "resume_clock", clock_id="E4", resumed_on=ago(2))
        e4 = resumed.clock("E4")
        assert e4 is not None
        assert e4.schedule.due.last_day is not None
        new_end = (e4.schedule.due.last_day + timedelta(days=10)).isoformat()
        await cw.act(
            dispute, "extend_clock", clock_id="E4", length=None, new_end=new_end, approver="双方"
        )
        await cw.act(dispute, "record_agreement", signed_on=ago(1), items=[])
        await cw.act(dispute, "withdraw")
        await cw.client.get_workflow_handle(dispute.id).result()
        await _save_history(cw.client, dispute.id, f"{tag}_medical_late_facts_paused_extended")


async def record_handoffs(tag: str) -> None:
    """Hand-offs between organisations (issue 11) on the time-skipping server.

    A labour dispute routed to a village committee: sent to the town by mistake and returned
    (退回); assigned to 人社, reported back; three sessions without agreement (上提 suggested),
    a failed round, lifted to the town; transferred to the labour room, not taken in time
    (签收时限 breached, escalated to the room and its head), then taken; a co-handler joins and
    leaves; mediated with roster mediators, agreement, closed. And a case registered under the
    policy before the hand-off rules, amended on its first transfer (``handoffs-v1``), its
    report-back overdue and escalated to the department."""
    from datetime import timedelta

    from activities.policy.book import PolicyBook
    from domain.values import china_date
    from tests.samples import ORGS
    from tests.workflows.clock_harness import clockwork, policy_before_handoffs

    village = {
        "org_id": "xw-cjl-committee",
        "name": "长江路社区人民调解委员会",
        "level": "village",
        "type": "mediation_committee",
    }
    town = {
        "org_id": "xw-myxc-center",
        "name": "梅园新村街道矛盾纠纷调解中心",
        "level": "town",
        "type": "center",
    }
    routing = {"chosen": village, "suggested": village, "rule_id": "R-labour-village"}

    async with clockwork(load_calendar()) as cw:
        case = await cw.register(category="labour", routing=routing, grid_code="320102001002001")
        await cw.act(case, "accept")
        await cw.act(case, "transfer", to_organisation=town, reason="误转乡镇")
        await cw.act(case, "return", reason="应由村调委会先行调解", actor="李娜")
        deadline = (china_date(await cw.now()) + timedelta(days=5)).isoformat()
        await cw.act(case, "assign", department=ORGS["xw-hrss"], deadline=deadline)
        await cw.act(case, "report_back", actor="人社局张科长")
        await cw.act(case, "start_mediation")
        for _ in range(3):
            await cw.act(case, "record_session")
        state = await cw.act(case, "record_mediation_failure")
        assert state.lift_suggestion is not None, "three sessions at a village suggest a lift"
        state = await cw.act(case, "lift", to_organisation=town)
        assert state.holder_id == town["org_id"]
        state = await cw.act(case, "transfer", to_organisation=ORGS["xw-labour-room"])
        take = state.clock("TAKE-2")  # the second transfer's own clock
        assert take is not None
        await cw.sleep_until(take.due_at + timedelta(hours=49))  # breached, escalated
        state = await cw.state(case)
        breach = next(a for a in state.alerts if a.clock_id == take.clock_id and a.level >= 2)
        await cw.act(case, "take", actor="劳动争议调解室刘敏")
        await cw.act(case, "acknowledge_alert", alert_id=breach.alert_id, actor="陈建国")
        await cw.act(case, "add_co_handler")
        await cw.act(case, "remove_co_handler")
        await cw.act(
            case,
            "start_mediation",
            mediators=["刘敏", "赵强"],
            mediator_ids=["m-liumin", "m-zhaoqiang"],
        )
        await cw.act(case, "record_session")
        await cw.act(case, "record_agreement", items=[])
        await cw.act(case, "close")
        await cw.client.get_workflow_handle(case.id).result()
        await _save_history(cw.client, case.id, f"{tag}_handoffs_transfer_lift_closed")

        cw.policy.use(PolicyBook(policy_before_handoffs()))
        older = await cw.register(routing=routing)
        await cw.act(older, "accept")
        cw.policy.use(PolicyBook.load())
        state = await cw.act(older, "transfer", to_organisation=town)
        assert state.policy is not None
        assert state.policy.amendments, "amended on its first hand-off"
        await cw.act(older, "take")
        deadline = (china_date(await cw.now()) + timedelta(days=2)).isoformat()
        state = await cw.act(older, "assign", department=ORGS["xw-hrss"], deadline=deadline)
        a4 = state.clock("A4-1")
        assert a4 is not None
        await cw.sleep_until(a4.due_at + timedelta(hours=25))
        await cw.act(older, "report_back")
        await cw.act(older, "withdraw")
        await cw.client.get_workflow_handle(older.id).result()
        await _save_history(cw.client, older.id, f"{tag}_handoffs_old_policy_amended")


async def record_calendar_years(tag: str) -> None:
    """A petition registered on 2 Jan 2027 for a letter received on 20 Sep 2026: its holiday
    data holds 2026 from intake (``calendar-years-v1``); three years on, a fact of 2030 brings
    that year's data into the case before the fact's own events; then it is withdrawn."""
    from datetime import UTC, datetime

    from tests.samples import PETITION_INTAKE
    from tests.workflows.clock_harness import clockwork

    async with clockwork(load_calendar()) as cw:
        await cw.sleep_until(datetime(2027, 1, 2, 1, 30, tzinfo=UTC))
        petition = await cw.register(**PETITION_INTAKE, received_on="2026-09-20")
        await cw.sleep_until(datetime(2030, 1, 10, 1, 30, tzinfo=UTC))
        state = await cw.act(petition, "accept", accepted_on="2030-01-08")
        assert state.policy is not None
        assert state.policy.calendar.holds_year(2026)
        assert state.policy.calendar.holds_year(2030)
        await cw.act(petition, "withdraw")
        await cw.client.get_workflow_handle(petition.id).result()
        await _save_history(cw.client, petition.id, f"{tag}_calendar_years_extended")


async def _save_history(client: Client, workflow_id: str, name: str) -> None:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    path = HISTORIES / f"{name}.json"
    path.write_text(json.dumps(json.loads(history.to_json()), ensure_ascii=False, indent=1))
    print(f"recorded {path.name}")


@activity.defn(name=RESERVE_DISPUTE_ACTIVITY)
async def reserve_dispute_number(request: DisputeNumberRequest) -> DisputeNumber:
    """A stand-in: refuses petitions whose number ends in 0, as the real step refuses a stage."""
    if request.petition_id.endswith("0"):
        raise refusal_failure(
            ForbiddenTransition(
                "案件当前阶段为「已登记」，不能访调对接",
                "case is in stage 'registered'; 'divert_to_mediation' is not allowed",
            )
        )
    return DisputeNumber(case_id=f"JF-{request.year}-{request.petition_id[-6:]}")


@activity.defn(name=RECORD_DIVERSION_ACTIVITY)
async def record_diversion(step: DiversionStep) -> DisputeNumber:
    return DisputeNumber(case_id=step.dispute_case_id)


@activity.defn(name=OPEN_DISPUTE_ACTIVITY)
async def open_diverted_dispute(step: DiversionStep) -> DisputeNumber:
    return DisputeNumber(case_id=step.dispute_case_id)


async def record_diversions(tag: str) -> None:
    """DiversionWorkflow (访调对接): one run to the end, one refused at its first step.

    The steps are stand-ins answering as the real ones do (the workflow sees only their results).
    """
    steps = [reserve_dispute_number, record_diversion, open_diverted_dispute]
    async with await WorkflowEnvironment.start_local(
        **ENGINE, dev_server_existing_path=temporal_cli(), ui=False
    ) as env:
        async with build_worker(env.client, TASK_QUEUE, steps, guard=_guard()):
            for name, last_digit in (("diversion_completed", 1), ("diversion_refused", 0)):
                petition_id = f"XF-2026-{uuid.uuid4().int % 10**5:05d}{last_digit}"
                handle = await env.client.start_workflow(
                    DIVERSION_WORKFLOW,
                    DiversionInput(
                        petition_id=petition_id,
                        actor="王芳 (wangfang)",
                        center_id="xw-center",
                        note="信访事项适宜调解，转人民调解委员会",
                    ),
                    id=diversion_workflow_id(petition_id),
                    task_queue=TASK_QUEUE,
                    result_type=DiversionResult,
                )
                try:
                    await handle.result()
                except WorkflowFailureError:
                    pass
                history = await handle.fetch_history()
                path = HISTORIES / f"{tag}_{name}.json"
                path.write_text(
                    json.dumps(json.loads(history.to_json()), ensure_ascii=False, indent=1)
                )
                print(f"recorded {path.name}")


async def record_sessions(tag: str) -> None:
    """调解会排期 (``session-notices-v1``): a session booked (its mediators told), moved (told
    again), held and recorded as the booked one; a second booked and cancelled; withdrawn."""
    today = china_today()
    async with await WorkflowEnvironment.start_local(
        **ENGINE, dev_server_existing_path=temporal_cli(), ui=False
    ) as env:
        client = env.client
        activities = [
            accept_projection,
            accept_delivery,
            policy_provider(Settings()).load_case_policy,
        ]
        async with build_worker(client, TASK_QUEUE, activities, guard=_guard()):
            case_id = f"JF-2026-{uuid.uuid4().int % 10**6:06d}"
            await _register(client, case_id, new_case_input())
            steps = [
                sample_command("accept", today),
                sample_command("start_mediation", today),
                sample_command("schedule_session", today),
                sample_command("postpone_session", today),
                sample_command("record_session", today, schedule_no=1),
                sample_command("schedule_session", today, mediators=["王芳"], parties=[]),
                sample_command("cancel_session", today, schedule_no=2),
                sample_command("withdraw", today),
            ]
            for n, cmd in enumerate(steps):
                await _apply(client, case_id, cmd, f"{case_id}-{n}")
            await client.get_workflow_handle(case_id).result()
            await _save(client, case_id, "sessions_booked_moved_held_cancelled", tag)


async def record_recall(tag: str) -> None:
    """撤回转办 on the time-skipping server: a transfer recalled by its sender before it was
    taken (its 签收时限 stopped: nothing falls due after), sent again and taken, withdrawn."""
    from datetime import timedelta

    from tests.samples import ORGS
    from tests.workflows.clock_harness import clockwork

    village = {
        "org_id": "xw-cjl-committee",
        "name": "长江路社区人民调解委员会",
        "level": "village",
        "type": "mediation_committee",
    }
    town = {
        "org_id": "xw-myxc-center",
        "name": "梅园新村街道矛盾纠纷调解中心",
        "level": "town",
        "type": "center",
    }
    routing = {"chosen": village, "suggested": village, "rule_id": "R-labour-village"}
    async with clockwork(load_calendar()) as cw:
        case = await cw.register(category="labour", routing=routing)
        state = await cw.act(case, "transfer", to_organisation=town, reason="误转乡镇")
        take = state.clock("TAKE")
        assert take is not None
        state = await cw.act(case, "recall", reason="转错单位，撤回")
        assert state.pending_transfer is None
        await cw.sleep_until(take.due_at + timedelta(hours=49))  # nothing breaches
        state = await cw.state(case)
        assert not [a for a in state.alerts if a.clock_id == take.clock_id]
        await cw.act(case, "transfer", to_organisation=ORGS["xw-labour-room"])
        await cw.act(case, "take", actor="劳动争议调解室刘敏")
        await cw.act(case, "withdraw")
        await cw.client.get_workflow_handle(case.id).result()
        await _save_history(cw.client, case.id, f"{tag}_recall_transfer_recalled_retaken")


RECORDINGS = {
    "cases": record,
    "clocks": record_clocks,
    "imminent_timer": record_imminent_timer,
    "petition": record_petition,
    "full_life_clocks": record_full_life_with_clocks,
    "diversions": record_diversions,
    "late_entries": record_late_entries,
    "handoffs": record_handoffs,
    "calendar_years": record_calendar_years,
    "backfill": record_backfill,
    "attachments": record_attachments,
    "leader_acts": record_leader_acts,
    "listing": record_listing,
    "documents": record_documents,
    "sessions": record_sessions,
    "recall": record_recall,
    "reception": record_reception,
    "signed_agreement": record_signed_agreement,
    "screening": record_screening,
    "ledger": record_ledger,
}

if __name__ == "__main__":
    tag = sys.argv[1] if len(sys.argv) > 1 else "v1"
    for name in sys.argv[2:] or RECORDINGS:
        asyncio.run(RECORDINGS[name](tag))
