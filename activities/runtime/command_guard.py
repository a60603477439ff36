"""The two ends of command authentication, as Temporal interceptors.

``CommandSigner`` (client side, every client the project builds): signs each update and each
workflow start it sends. ``CommandGuard`` (worker side): checks the signature in the update's
validator, before anything is written to the history, and refuses the update when it does not
hold; a start that is itself a command (a diversion, 访调对接) is checked when its run begins and
fails there, before its first step. A refusal is also
handed to a ``RefusalSink`` (the worker logs it as a security event and writes it to the access
trail, outside the workflow: a validator may not do I/O).

Why this stays deterministic: the check is a pure function of the update's arguments and header
and of key material the worker was given before it started; it runs only in validators, which
Temporal runs when an update arrives and never on replay (an accepted update is replayed from
the history without its validator; a refused one is not in the history at all), and at the
beginning of a diversion's run, never while it is replayed. So histories recorded before
signatures replay unchanged, and so do signed ones after a key is retired. No
``workflow.patched`` marker is needed (nor possible: a validator may not add one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Interceptor as ClientInterceptor,
)
from temporalio.client import (
    OutboundInterceptor,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    StartWorkflowUpdateWithStartInput,
    WorkflowHandle,
    WorkflowUpdateHandle,
)
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from activities.runtime.command_auth import HEADER, Refusal, sign, verify
from activities.runtime.engine_keys import Keyring
from workflows.contract import DIVERSION_WORKFLOW, LEDGER_IMPORT_WORKFLOW

UNAUTHENTICATED = "command_unauthenticated"
# Workflows whose start is itself a command (访调对接 acts on a petition under someone's name; a
# 台账导入 registers cases under the importer's): the start carries the API's signature too,
# checked when the first run begins (a run continued as new was started by the workflow itself).
SIGNED_STARTS = frozenset({DIVERSION_WORKFLOW, LEDGER_IMPORT_WORKFLOW})


def start_name(workflow_type: str) -> str:
    """What a start's signature is bound to in place of an update's name."""
    return f"start:{workflow_type}"


@dataclass(frozen=True)
class RefusedCommand:
    """A command the engine did not take from an unverified sender (or, ``enforced`` False,
    took during a rolling upgrade and recorded)."""

    workflow_id: str
    update: str
    update_id: str
    reason: str
    claimed_actor: str | None
    command_type: str | None
    at: datetime
    enforced: bool = True


RefusalSink = Callable[[RefusedCommand], None]


def _with_signature(
    keyring: Keyring, headers: Mapping[str, Payload], workflow_id: str, update: str, args: Any
) -> dict[str, Payload]:
    arg = args[0] if len(args) == 1 else list(args)
    token = sign(
        keyring, workflow_id=workflow_id, update=update, arg=arg, issued_at=datetime.now(UTC)
    )
    return {**headers, HEADER: token}


class _SigningOutbound(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, keyring: Keyring) -> None:
        super().__init__(next)
        self._keyring = keyring

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        input.headers = _with_signature(
            self._keyring, input.headers, input.id, start_name(input.workflow), input.args
        )
        return await super().start_workflow(input)

    async def start_workflow_update(
        self, input: StartWorkflowUpdateInput
    ) -> WorkflowUpdateHandle[Any]:
        input.headers = _with_signature(
            self._keyring, input.headers, input.id, input.update, input.args
        )
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(
        self, input: StartWorkflowUpdateWithStartInput
    ) -> WorkflowUpdateHandle[Any]:
        update = input.update_workflow_input
        update.headers = _with_signature(
            self._keyring,
            update.headers,
            input.start_workflow_input.id,
            update.update,
            update.args,
        )
        return await super().start_update_with_start_workflow(input)


class CommandSigner(ClientInterceptor):
    """Signs every update this client sends with the current command key."""

    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _SigningOutbound(next, self._keyring)


class CommandGuard(Interceptor):
    """Refuses, in the validator, every update whose signature does not hold."""

    def __init__(
        self,
        keyring: Keyring,
        sink: RefusalSink,
        *,
        required: bool = True,
        max_age: timedelta = timedelta(hours=1),
    ) -> None:
        self.keyring = keyring
        self.sink = sink
        self.required = required
        self.max_age = max_age

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        guard = self

        class _GuardedInbound(WorkflowInboundInterceptor):
            def handle_update_validator(self, input: HandleUpdateInput) -> None:
                guard.check(input.update, input.id, input.args, input.headers)
                super().handle_update_validator(input)

            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                # Checked when the run begins, not when it is replayed: a replay follows the
                # history, in which a run that passed went on (and one that did not, failed).
                info = workflow.info()
                if (
                    info.workflow_type in SIGNED_STARTS
                    and info.continued_run_id is None
                    and not workflow.unsafe.is_replaying()
                ):
                    name = start_name(info.workflow_type)
                    guard.check(name, info.run_id, input.args, input.headers)
                return await super().execute_workflow(input)

        return _GuardedInbound

    def check(
        self, name: str, request_id: str, args: Sequence[Any], headers: Mapping[str, Payload]
    ) -> None:
        arg = args[0] if len(args) == 1 else list(args)
        info = workflow.info()
        now = workflow.now()
        try:
            verify(
                self.keyring,
                headers.get(HEADER),
                workflow_id=info.workflow_id,
                update=name,
                arg=arg,
                now=now,
                max_age=self.max_age,
            )
        except Refusal as refusal:
            enforced = self.required or refusal.reason != "unsigned"
            self.sink(
                _refused(info.workflow_id, name, request_id, arg, refusal.reason, now, enforced)
            )
            if enforced:
                raise ApplicationError(
                    "指令未经接口认证，流程引擎拒绝执行",
                    {
                        "code": UNAUTHENTICATED,
                        "message_zh": "指令未经接口认证，流程引擎拒绝执行",
                        "message_en": "the command was not authenticated by the API; refused",
                        "field": None,
                    },
                    type=UNAUTHENTICATED,
                    non_retryable=True,
                ) from None


def _refused(
    workflow_id: str,
    name: str,
    request_id: str,
    arg: Any,
    reason: str,
    at: datetime,
    enforced: bool,
) -> RefusedCommand:
    actor = getattr(arg, "actor", None)
    command = getattr(arg, "command", None)
    return RefusedCommand(
        workflow_id=workflow_id,
        update=name,
        update_id=request_id,
        reason=reason,
        claimed_actor=str(actor) if actor is not None else None,
        command_type=str(getattr(command, "type", None) or type(arg).__name__),
        at=at,
        enforced=enforced,
    )
