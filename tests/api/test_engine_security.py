"""Temporal behind the API: what reaches the engine is ciphertext, and only the API's commands
move a case.

The stack runs as deployed (tests/conftest.py): the API's and the worker's client encrypt every
payload under the test payload key A and sign every command with the test command key A; the
worker's command guard checks the signature in the update validator.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from google.protobuf.json_format import MessageToDict, ParseDict
from google.protobuf.message import Message
from pydantic import SecretStr
from sqlalchemy import select
from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHistory,
    WorkflowUpdateFailedError,
)
from temporalio.common import RawValue
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError

from activities.identity.refused_commands import UNVERIFIED_PRINCIPAL
from activities.runtime.command_guard import UNAUTHENTICATED, CommandSigner
from activities.runtime.engine_keys import parse_keyring
from activities.runtime.payload_codec import EncryptionCodec, encrypting_converter, is_encrypted
from activities.store.tables import AccessTrailRow
from api.app import create_app
from api.services.codec import OPERATOR_ID
from domain.case import commands as c
from domain.case.stages import Stage
from domain.case.state import CaseState
from tests import principals
from tests.api.helpers import act, case_in_stage, create_case
from tests.conftest import Stack
from tests.engine_keys import KEYS_A
from tests.principals import CENTER
from tests.samples import LIFECYCLE, china_today, step_action
from worker import WORKFLOWS
from workflows.contract import (
    APPLY_UPDATE,
    DIVERSION_WORKFLOW,
    LEDGER_IMPORT_WORKFLOW,
    STATE_QUERY,
    WORKFLOW_TYPE,
    CaseWorkflowInput,
    DiversionInput,
    LedgerImportInput,
    diversion_workflow_id,
    ledger_import_workflow_id,
)


def _party() -> dict[str, str]:
    """Personal data no other test uses: a name, an ID number and phones of this test only."""
    tail = f"{uuid.uuid4().int % 10**4:04d}"
    return {
        "applicant": f"欧阳{uuid.uuid4().hex[:4].upper()}明",
        "id_number": _resident_id(f"32010219900101{tail[:3]}"),
        "phone": f"1391234{tail}",
        "respondent": f"司马{uuid.uuid4().hex[:4].upper()}芳",
        "respondent_phone": f"1580000{tail}",
    }


def _resident_id(first17: str) -> str:
    """A resident ID with its ISO 7064 MOD 11-2 check digit."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


def _intake(party: dict[str, str]) -> dict[str, Any]:
    return {
        "applicants": [
            {
                "name": party["applicant"],
                "id_number": party["id_number"],
                "phone": party["phone"],
                "address": "长江路12号",
            }
        ],
        "respondents": [{"name": party["respondent"], "phone": party["respondent_phone"]}],
    }


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every Payload anywhere inside a protobuf message (arguments, results, failures, headers)."""
    if isinstance(message, Payload):
        yield message
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items = list(value.values())
        elif field.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            if isinstance(item, Message):
                yield from payloads_in(item)


async def _plain_client(stack: Stack, **extra: Any) -> Client:
    """What an intruder who reaches Temporal has: a client without the codec or the API's key."""
    options: dict[str, Any] = {"data_converter": pydantic_data_converter, **extra}
    return await Client.connect(
        stack.settings.temporal_address, namespace=stack.settings.temporal_namespace, **options
    )


async def _history(client: Client, case_id: str) -> WorkflowHistory:
    return await client.get_workflow_handle(case_id).fetch_history()


async def test_no_personal_data_of_a_whole_lifecycle_is_in_temporal_in_clear(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    party = _party()
    case = await create_case(api, **_intake(party))
    case_id = case["case_id"]
    for step in LIFECYCLE:
        action, body = step_action(step, china_today())
        response = await act(api, case_id, action, body)
        assert response.status_code == 200, response.text
    assert response.json()["stage"] == Stage.CLOSED.value
    secrets = [value.encode() for value in party.values()]

    history = await _history(await _plain_client(stack), case_id)
    raw = b"".join(event.SerializeToString() for event in history.events)
    assert raw, "no history fetched"
    assert [s for s in secrets if s in raw] == []
    payloads = [p for event in history.events for p in payloads_in(event)]
    engine = {p.SerializeToString() for event in history.events for p in _engine_payloads(event)}
    data = [p for p in payloads if p.SerializeToString() not in engine]
    assert data
    assert all(is_encrypted(p) for p in data)

    # With the deployment's key the same history opens, and the case's data is there.
    clear = await EncryptionCodec(KEYS_A.payload).decode(data)
    opened = b"".join(p.SerializeToString() for p in clear)
    assert all(s in opened for s in secrets)


# What Temporal and the SDK keep in clear by design, none of it the case's: headers (the
# command's signature), search attributes (the SDK's list of patch ids), markers (a patch id).
ENGINE_FIELDS = frozenset({"header", "search_attributes", "marker_recorded_event_attributes"})


def _engine_payloads(message: Message) -> Iterator[Payload]:
    for field, value in message.ListFields():
        if field.name in ENGINE_FIELDS:
            yield from payloads_in(value)
        elif field.message_type is not None and not field.is_repeated:
            yield from _engine_payloads(value)


def _withdrawal(actor: str) -> c.CommandEnvelope:
    return c.CommandEnvelope(
        command_id=f"forged-{uuid.uuid4().hex[:12]}",
        actor=actor,
        command=c.Withdraw(reason="申请人撤回"),
    )


async def _refusal_rows(stack: Stack, case_id: str, count: int) -> list[AccessTrailRow]:
    """The access trail's rows of refused commands of the case, once ``count`` are there."""
    async with asyncio.timeout(20):
        while True:
            async with stack.sessionmaker() as session:
                rows = list(
                    await session.scalars(
                        select(AccessTrailRow).where(
                            AccessTrailRow.case_id == case_id,
                            AccessTrailRow.principal_id == UNVERIFIED_PRINCIPAL,
                        )
                    )
                )
            if len(rows) >= count:
                return rows
            await asyncio.sleep(0.05)


async def _refused(client: Client, case_id: str, envelope: c.CommandEnvelope) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await client.get_workflow_handle(case_id).execute_update(
            APPLY_UPDATE, envelope, id=envelope.command_id, result_type=RawValue
        )
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


async def test_a_command_sent_straight_to_temporal_is_refused_and_recorded(
    stack: Stack, api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient]
) -> None:
    party = _party()
    case = await create_case(api, **_intake(party))
    case_id = case["case_id"]
    before = await _history(stack.client, case_id)

    # As in the report, `temporal workflow query --name state`: ciphertext, no name in it.
    answer = (
        await (await _plain_client(stack))
        .get_workflow_handle(case_id)
        .query(STATE_QUERY, result_type=RawValue)
    )
    assert is_encrypted(answer.payload)
    assert party["applicant"].encode() not in answer.payload.SerializeToString()
    # As in the report: the CLI's plain JSON, a leader's name, a withdrawal. The refusal comes
    # back encrypted too, so this client cannot even read why.
    plain = await _plain_client(stack)
    envelope = _withdrawal("张华 (demo-leader)")
    with pytest.raises((WorkflowUpdateFailedError, KeyError)):
        await plain.get_workflow_handle(case_id).execute_update(
            APPLY_UPDATE, envelope, id=envelope.command_id, result_type=RawValue
        )
    # Someone who holds the payload key (an operator's codec) but not the API's command key.
    codec = encrypting_converter(KEYS_A.payload)
    unsigned = await _plain_client(stack, data_converter=codec)
    assert (await _refused(unsigned, case_id, _withdrawal("张华"))).type == UNAUTHENTICATED
    # Signed, but with a key the API does not hold (same key id, other bytes).
    forger = parse_keyring("test-ca:" + "A" * 43 + "=", name="forged")
    wrong_key = await _plain_client(
        stack, data_converter=codec, interceptors=[CommandSigner(forger)]
    )
    assert (await _refused(wrong_key, case_id, _withdrawal("张华"))).type == UNAUTHENTICATED

    # Nothing changed: not in the history, not in the case, not in the store.
    after = await _history(stack.client, case_id)
    assert len(after.events) == len(before.events)
    state = await stack.client.get_workflow_handle(case_id).query(
        STATE_QUERY, result_type=CaseState
    )
    assert state.stage is Stage.REGISTERED
    assert (await api.get(f"/v1/cases/{case_id}")).json()["stage"] == Stage.REGISTERED.value

    rows = await _refusal_rows(stack, case_id, 3)
    reasons = sorted((row.purpose or "").rsplit(": ", 1)[-1] for row in rows)
    assert reasons == ["bad signature", "unsigned", "unsigned"]
    assert all(row.fields == ["command:withdraw"] for row in rows)
    assert any("张华 (demo-leader)" in row.principal_name for row in rows)
    # Auditors read it in the access trail.
    trail = await clients["auditor"].get(
        "/v1/audit/access-trail",
        params={"purpose": "核查绕过接口的指令", "case_id": case_id},
    )
    assert trail.status_code == 200, trail.text
    refused = [e for e in trail.json()["items"] if e["principal_id"] == UNVERIFIED_PRINCIPAL]
    assert len(refused) == 3

    # The API's own commands still move the case.
    response = await act(api, case_id, "accept")
    assert response.status_code == 200, response.text


async def test_the_codec_endpoint_opens_payloads_for_a_system_administrator_only_and_records_it(
    stack: Stack, api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient]
) -> None:
    party = _party()
    case_id = (await create_case(api, **_intake(party)))["case_id"]
    history = await _history(stack.client, case_id)
    started = history.events[0].workflow_execution_started_event_attributes
    accepted = next(
        e.workflow_execution_update_accepted_event_attributes.accepted_request
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    )
    body = {"payloads": [MessageToDict(p) for p in (*started.input.payloads,)]}
    body["payloads"] += [MessageToDict(p) for p in accepted.input.args.payloads]
    headers = {"X-Namespace": stack.settings.temporal_namespace}

    assert (await clients["anonymous"].post("/codec/decode", json=body)).status_code == 401
    for role in ("mediator", "auditor", "county_leader"):
        refused = await clients[role].post("/codec/decode", json=body, headers=headers)
        assert refused.status_code == 403, role

    admin = clients["system_admin"]
    opened = await admin.post("/codec/decode", json=body, headers=headers)
    assert opened.status_code == 200, opened.text
    clear = [ParseDict(p, Payload()) for p in opened.json()["payloads"]]
    assert not any(is_encrypted(p) for p in clear)
    assert party["applicant"].encode() in b"".join(p.data for p in clear)

    async with stack.sessionmaker() as session:
        rows = list(
            await session.scalars(
                select(AccessTrailRow).where(
                    AccessTrailRow.principal_id == principals.USERS["system_admin"].user_id,
                    AccessTrailRow.endpoint == "POST /codec/decode",
                )
            )
        )
    assert rows
    assert rows[-1].fields == ["payloads:2"]

    # Encoding answers ciphertext the worker can read: the round trip gives the clear payloads.
    sealed = await admin.post("/codec/encode", json=opened.json(), headers=headers)
    assert sealed.status_code == 200
    assert all(is_encrypted(ParseDict(p, Payload())) for p in sealed.json()["payloads"])
    again = await admin.post("/codec/decode", json=sealed.json(), headers=headers)
    assert again.json() == opened.json()


async def test_the_codec_endpoint_takes_the_operator_token_and_answers_the_ui_origin(
    stack: Stack,
) -> None:
    settings = stack.settings.model_copy(
        update={
            "codec_operator_token": SecretStr("operator-" + uuid.uuid4().hex),
            "codec_cors_origins": ("https://temporal-ui.example",),
        }
    )
    app = create_app(settings, temporal=stack.client, workflows=WORKFLOWS)
    body = {"payloads": [MessageToDict(Payload(metadata={"encoding": b"json/plain"}, data=b"1"))]}
    token = settings.codec_operator_token.get_secret_value()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        ui = {"Origin": "https://temporal-ui.example"}
        preflight = await http.options("/codec/decode", headers=ui)
        assert preflight.headers["access-control-allow-origin"] == "https://temporal-ui.example"
        assert "Authorization" in preflight.headers["access-control-allow-headers"]
        other = await http.options("/codec/decode", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers

        wrong = await http.post("/codec/decode", json=body, headers={"Authorization": "Bearer x"})
        assert wrong.status_code == 401
        answer = await http.post(
            "/codec/decode", json=body, headers={**ui, "Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["access-control-allow-origin"] == "https://temporal-ui.example"
    async with stack.sessionmaker() as session:
        operator_rows = await session.scalars(
            select(AccessTrailRow).where(AccessTrailRow.principal_id == OPERATOR_ID)
        )
        assert list(operator_rows)


async def test_a_case_started_with_a_state_from_outside_fails_before_it_records_anything(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    """A start sent straight to Temporal carrying a made-up case (continue-as-new is the only
    way a run gets a state) fails at once; the store never hears of it."""
    real = (await create_case(api, **_intake(_party())))["case_id"]
    state = await stack.client.get_workflow_handle(real).query(STATE_QUERY, result_type=CaseState)
    forged_id = f"JF-2026-8{uuid.uuid4().int % 10**5:05d}"
    forged = state.model_copy(update={"case_id": forged_id})
    handle = await stack.client.start_workflow(
        WORKFLOW_TYPE,
        CaseWorkflowInput(state=forged),
        id=forged_id,
        task_queue=stack.settings.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as failed:
        async with asyncio.timeout(30):  # without the check the run would sit there for good
            await handle.result()
    assert getattr(failed.value.cause, "type", None) == "forged_start"
    assert (await api.get(f"/v1/cases/{forged_id}")).status_code == 404


async def test_a_diversion_started_straight_in_temporal_is_refused_and_recorded(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    """访调对接 is a command too: a DiversionWorkflow started without the API's signature fails
    before its first step; the petition is not diverted; the API's own diversion then runs."""
    petition = await case_in_stage(api, Stage.ACCEPTED, kind="petition")
    petition_id = petition["case_id"]
    unsigned = await _plain_client(stack, data_converter=encrypting_converter(KEYS_A.payload))
    handle = await unsigned.start_workflow(
        DIVERSION_WORKFLOW,
        DiversionInput(petition_id=petition_id, actor="张华 (demo-leader)", center_id=CENTER),
        id=diversion_workflow_id(petition_id),
        task_queue=stack.settings.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert getattr(failed.value.cause, "type", None) == UNAUTHENTICATED
    assert (await api.get(f"/v1/cases/{petition_id}")).json()["diverted_to"] is None
    [row] = await _refusal_rows(stack, diversion_workflow_id(petition_id)[:32], 1)
    assert row.fields == ["command:DiversionInput"]
    assert "张华 (demo-leader)" in row.principal_name

    diverted = await act(api, petition_id, "divert_to_mediation")
    assert diverted.status_code == 200, diverted.text
    assert diverted.json()["diverted_to"]


async def test_a_ledger_import_started_straight_in_temporal_is_refused(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    """台账导入 registers cases under the importer's name: a LedgerImportWorkflow started without
    the API's signature fails before its first batch, and registers nothing."""
    unsigned = await _plain_client(stack, data_converter=encrypting_converter(KEYS_A.payload))
    import_id = uuid.uuid4().hex
    handle = await unsigned.start_workflow(
        LEDGER_IMPORT_WORKFLOW,
        LedgerImportInput(
            import_id=import_id,
            file_sha256="ab" * 32,
            total_rows=5,
            actor="张华 (demo-leader)",
            user_id="demo-leader",
            center_id=CENTER,
            jurisdiction="320102",
        ),
        id=ledger_import_workflow_id(import_id),
        task_queue=stack.settings.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert getattr(failed.value.cause, "type", None) == UNAUTHENTICATED
    history = await handle.fetch_history()
    assert not [e for e in history.events if e.HasField("activity_task_scheduled_event_attributes")]


async def test_an_api_whose_command_key_the_worker_does_not_hold_answers_503_and_applies_nothing(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    """A deployment fault (the API given another command key than the workers): the command is
    refused by the engine, the caller told so in Chinese and English, the case unchanged."""
    case_id = (await create_case(api, **_intake(_party())))["case_id"]
    forger = parse_keyring("test-ca:" + "A" * 43 + "=", name="other")
    miskeyed = await _plain_client(
        stack,
        data_converter=encrypting_converter(KEYS_A.payload),
        interceptors=[CommandSigner(forger)],
    )
    app = create_app(stack.settings, temporal=miskeyed, workflows=WORKFLOWS)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://t",
            headers=principals.bearer(stack.keys["mediator"]),
        ) as other_api,
    ):
        refused = await act(other_api, case_id, "accept")
    assert refused.status_code == 503
    assert refused.json()["code"] == "command_unauthenticated"
    assert "签名" in refused.json()["message_zh"]
    assert (await api.get(f"/v1/cases/{case_id}")).json()["stage"] == Stage.REGISTERED.value
