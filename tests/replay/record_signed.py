"""History of a 协议书 that carries handwritten signatures (手写签名 printed at its places).

    python -m tests.replay.record TAG signed_agreement

A dispute agreed; the 协议书 issued unsigned (version 1); the applicant and a mediator sign on
the tablet (PNG attachments of the agreement step), a stranger's signature is kept too; the
协议书 issued again prints the two it knows (version 2, same 文号); a reprint records nothing;
closed after the follow-up.
"""

from __future__ import annotations

import hashlib
import uuid

from temporalio.testing import WorkflowEnvironment

from activities.runtime.devstack import temporal_cli
from activities.runtime.settings import Settings
from domain.case import commands as c
from domain.case.attachments import AddAttachment, AttachmentStep
from domain.case.issued import DocumentKind
from tests.samples import china_today
from tests.samples import command as sample_command
from worker import build_worker, policy_provider
from workflows.contract import new_case_input


def _signature(signer: str) -> AddAttachment:
    data = f"signature:{signer}".encode()
    return AddAttachment(
        attachment_id=uuid.uuid4().hex,
        step=AttachmentStep.AGREEMENT,
        name=f"签名-{signer}.png",
        media_type="image/png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        signer=signer,
    )


async def record_signed_agreement(tag: str) -> None:
    from tests.replay import record as r

    today = china_today()
    async with await WorkflowEnvironment.start_local(
        **r.ENGINE, dev_server_existing_path=temporal_cli(), ui=False
    ) as env:
        client = env.client
        activities = [
            r.accept_projection,
            r.accept_delivery,
            r.assign_number,
            policy_provider(Settings()).load_case_policy,
        ]
        async with build_worker(client, r.TASK_QUEUE, activities, guard=r._guard()):
            case_id = f"JF-2026-{uuid.uuid4().int % 10**6:06d}"
            await r._register(client, case_id, new_case_input())
            for n, action in enumerate(
                ("accept", "start_mediation", "record_session", "record_agreement")
            ):
                await r._apply(client, case_id, sample_command(action, today), f"{case_id}-{n}")
            issue = c.IssueDocument(kind=DocumentKind.AGREEMENT, signatures=True)
            await r._apply(client, case_id, issue, f"{case_id}-doc-1")
            for n, signer in enumerate(("申请人 张伟", "调解员 王芳", "旁听人 陈某")):
                await r._apply(client, case_id, _signature(signer), f"{case_id}-sig-{n}")
            await r._apply(client, case_id, issue, f"{case_id}-doc-2")  # version 2, signed
            await r._apply(client, case_id, issue, f"{case_id}-doc-3")  # a reprint
            await r._apply(client, case_id, sample_command("record_follow_up", today), "visit")
            await r._apply(client, case_id, sample_command("close", today), "close")
            await client.get_workflow_handle(case_id).result()
            await r._save(client, case_id, "signed_agreement_issued_twice_closed", tag)
