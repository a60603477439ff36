"""Upgrades and key rotation of the engine's keys, on running cases.

- A case that ran under a release before encryption and signatures (plain payloads, unsigned
  commands) goes on under the new one: its old payloads are read as they are, its new ones are
  encrypted, the API's signed commands move it, and its whole history replays.
- A case started under key A goes on through a rotation to B in two phases (every process is
  given [A current, B listed], then [B current, A listed]): its A payloads still open, new ones
  are under B, and a command signed by an API process still in phase 1 (with A) is taken.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import RawValue, WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.audit.replay import replay_history
from activities.runtime.command_guard import (
    UNAUTHENTICATED,
    CommandGuard,
    CommandSigner,
    RefusedCommand,
)
from activities.runtime.engine_keys import EngineKeys, parse_keyring
from activities.runtime.payload_codec import KEY_ID, encrypting_converter, is_encrypted
from domain.case import commands as c
from domain.case.stages import Stage
from tests.api.helpers import act
from tests.api.test_engine_security import payloads_in
from tests.conftest import Stack
from tests.engine_keys import COMMAND_B, KEYS_A, KEYS_A_THEN_B, KEYS_B_THEN_A
from tests.principals import CENTER
from tests.samples import china_today, command, register
from worker import WORKFLOWS, build_worker, case_activities
from workflows.contract import APPLY_UPDATE, POLICY_ACTIVITY, WORKFLOW_TYPE, CaseWorkflowInput


async def _client(stack: Stack, keys: EngineKeys | None) -> Client:
    """A client of a release with these keys (None: a release before encryption and signing)."""
    options: dict[str, Any] = (
        {"data_converter": pydantic_data_converter}
        if keys is None
        else {
            "data_converter": encrypting_converter(keys.payload),
            "interceptors": [CommandSigner(keys.command)],
        }
    )
    return await Client.connect(
        stack.settings.temporal_address, namespace=stack.settings.temporal_namespace, **options
    )


@asynccontextmanager
async def _worker(
    stack: Stack, client: Client, task_queue: str, keys: EngineKeys | None
) -> AsyncIterator[None]:
    guard = None if keys is None else CommandGuard(keys.command, stack.refusals.put)
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        activities = [
            stack.policy.load_case_policy
            if getattr(a, "__temporal_activity_definition").name == POLICY_ACTIVITY
            else a
            for a in case_activities(stack.engine, stack.settings, http)
        ]
        async with build_worker(client, task_queue, activities, guard=guard):
            yield


async def _open(client: Client, task_queue: str) -> str:
    case_id = f"JF-2026-9{uuid.uuid4().int % 10**5:05d}"
    await client.execute_update_with_start_workflow(
        APPLY_UPDATE,
        c.CommandEnvelope(
            command_id=f"{case_id}-r", actor="王芳", command=register(case_id, center_id=CENTER)
        ),
        start_workflow_operation=WithStartWorkflowOperation(
            WORKFLOW_TYPE,
            CaseWorkflowInput(),
            id=case_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        ),
        result_type=RawValue,
    )
    return case_id


async def _apply(client: Client, case_id: str, action: str) -> None:
    envelope = c.CommandEnvelope(
        command_id=uuid.uuid4().hex,
        actor="王芳",
        command=command(action, china_today()),
        acting_organisation=CENTER,
    )
    await client.get_workflow_handle(case_id).execute_update(
        APPLY_UPDATE, envelope, id=envelope.command_id, result_type=RawValue
    )


async def _key_ids(client: Client, case_id: str) -> list[str | None]:
    """Per payload of the case's history (headers and the SDK's own left out): its key id."""
    history = await client.get_workflow_handle(case_id).fetch_history()
    found: list[str | None] = []
    for event in history.events:
        attributes = event.WhichOneof("attributes")
        if attributes is None or attributes in {
            "marker_recorded_event_attributes",
            "upsert_workflow_search_attributes_event_attributes",
        }:
            continue
        for payload in payloads_in(getattr(event, attributes)):
            if payload.metadata.get("encoding") == b"json/plain" and b'"kid"' in payload.data:
                continue  # a command's signature header
            if payload.metadata.get("type") == b"KeywordList":
                continue  # the SDK's patch ids
            found.append(payload.metadata[KEY_ID].decode() if is_encrypted(payload) else None)
    return found


async def test_a_case_of_the_release_before_goes_on_encrypted_and_signed(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    queue = f"upgrade-{uuid.uuid4().hex[:8]}"
    old = await _client(stack, None)
    async with _worker(stack, old, queue, None):
        case_id = await _open(old, queue)
        await _apply(old, case_id, "accept")
    # The new release: the API (stack.client, keys A) and a worker with keys A and the guard.
    async with _worker(stack, stack.client, queue, KEYS_A):
        for action in ("start_mediation", "record_mediation_failure", "close"):
            response = await act(api, case_id, action)
            assert response.status_code == 200, response.text
        assert response.json()["stage"] == Stage.CLOSED.value
        await stack.client.get_workflow_handle(case_id).result()
    keys = await _key_ids(stack.client, case_id)
    assert keys[0] is None  # the start, as the old release wrote it
    assert set(keys) == {None, "test-pa"}
    assert keys[-1] == "test-pa"  # what the case returned at its end
    history = await stack.client.get_workflow_handle(case_id).fetch_history()
    converter = stack.client.data_converter
    assert await replay_history(history, workflows=WORKFLOWS, data_converter=converter) is None


async def test_a_case_started_under_key_a_goes_on_after_rotation_to_b(stack: Stack) -> None:
    queue = f"rotate-{uuid.uuid4().hex[:8]}"
    under_a = await _client(stack, KEYS_A)
    async with _worker(stack, under_a, queue, KEYS_A):
        case_id = await _open(under_a, queue)
        await _apply(under_a, case_id, "accept")
    rotated = await _client(stack, KEYS_B_THEN_A)
    phase_1 = await _client(stack, KEYS_A_THEN_B)
    async with _worker(stack, rotated, queue, KEYS_B_THEN_A):
        await _apply(rotated, case_id, "start_mediation")
        # An API process still in phase 1 signs with A: accepted while A is listed.
        await _apply(phase_1, case_id, "record_mediation_failure")
        await _apply(rotated, case_id, "close")
        await rotated.get_workflow_handle(case_id).result()
    keys = await _key_ids(rotated, case_id)
    assert keys[0] == "test-pa"
    assert keys[-1] == "test-pb"
    assert set(keys) == {"test-pa", "test-pb"}
    history = await rotated.get_workflow_handle(case_id).fetch_history()
    converter = rotated.data_converter
    assert await replay_history(history, workflows=WORKFLOWS, data_converter=converter) is None


async def test_a_command_signed_with_a_retired_key_is_refused(stack: Stack) -> None:
    queue = f"retired-{uuid.uuid4().hex[:8]}"
    under_a = await _client(stack, KEYS_A)
    only_b = EngineKeys(payload=KEYS_A.payload, command=parse_keyring(COMMAND_B, name="b"))
    async with _worker(stack, under_a, queue, only_b):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await _open(under_a, queue)
    assert getattr(refused.value.cause, "type", None) == UNAUTHENTICATED


async def test_during_a_rolling_upgrade_an_unsigned_command_can_be_let_through_and_recorded(
    stack: Stack,
) -> None:
    """With ``command_signatures_required`` off (an API of the release before still running
    beside new workers), its unsigned commands are taken, and each is recorded; a wrongly signed
    one is refused all the same."""
    queue = f"rolling-{uuid.uuid4().hex[:8]}"
    recorded: list[RefusedCommand] = []
    old_api = await _client(stack, None)
    guard = CommandGuard(KEYS_A.command, recorded.append, required=False)
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        activities = [
            stack.policy.load_case_policy
            if getattr(a, "__temporal_activity_definition").name == POLICY_ACTIVITY
            else a
            for a in case_activities(stack.engine, stack.settings, http)
        ]
        async with build_worker(old_api, queue, activities, guard=guard):
            case_id = await _open(old_api, queue)
            await _apply(old_api, case_id, "accept")
            forger = parse_keyring("test-ca:" + "A" * 43 + "=", name="forged")
            forged = await Client.connect(
                stack.settings.temporal_address,
                namespace=stack.settings.temporal_namespace,
                data_converter=pydantic_data_converter,
                interceptors=[CommandSigner(forger)],
            )
            with pytest.raises(WorkflowUpdateFailedError):
                await _apply(forged, case_id, "start_mediation")
    assert [(r.reason, r.enforced) for r in recorded] == [
        ("unsigned", False),
        ("unsigned", False),
        ("bad signature", True),
    ]
