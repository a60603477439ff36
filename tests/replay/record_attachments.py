"""History of a case that keeps files (证据材料, attachments-v1).

    python -m tests.replay.record TAG attachments

A dispute accepted, mediated and agreed; the signed agreement's scan and two handwritten
signatures attached to the agreement step, a session photo attached and then withdrawn with a
reason; closed after the follow-up.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.common import RawValue

from activities.policy.calendar_data import load_calendar
from domain.case import commands as c
from domain.case.attachments import AddAttachment, AttachmentStep, WithdrawAttachment
from tests.workflows.clock_harness import clockwork
from workflows.contract import APPLY_UPDATE


def _file(step: AttachmentStep, name: str, media_type: Any, signer: str | None = None) -> Any:
    data = f"{step}:{name}".encode()
    return AddAttachment(
        attachment_id=uuid.uuid4().hex,
        step=step,
        name=name,
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        signer=signer,
    )


async def _send(handle: WorkflowHandle[Any, Any], command: Any) -> None:
    envelope = c.CommandEnvelope(command_id=str(uuid.uuid4()), actor="王芳", command=command)
    await handle.execute_update(APPLY_UPDATE, envelope, result_type=RawValue)


async def record_attachments(tag: str) -> None:
    from tests.replay.record import _save_history

    async with clockwork(load_calendar()) as cw:
        case = await cw.register()
        await cw.act(case, "accept")
        await cw.act(case, "start_mediation")
        photo = _file(AttachmentStep.SESSION, "现场照片.jpg", "image/jpeg")
        await _send(case, photo)
        await cw.act(case, "record_session")
        await cw.act(case, "record_agreement")
        await _send(case, _file(AttachmentStep.AGREEMENT, "协议书签字页.pdf", "application/pdf"))
        for signer in ("申请人 张三", "调解员 王芳"):
            await _send(case, _file(AttachmentStep.AGREEMENT, "签名.png", "image/png", signer))
        await _send(case, WithdrawAttachment(attachment_id=photo.attachment_id, reason="拍错案件"))
        await cw.act(case, "record_follow_up")
        state = await cw.act(case, "close")
        assert state.stage.value == "closed", state.stage
        assert [a.withdrawn for a in state.attachments] == [True, False, False, False]
        await cw.client.get_workflow_handle(case.id).result()
        await _save_history(cw.client, case.id, f"{tag}_agreement_files_withdrawn_closed")
