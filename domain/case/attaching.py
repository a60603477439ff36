"""添加/撤回证据材料: the events a file command records, and how they change the case."""

from __future__ import annotations

from datetime import datetime

from domain.case.attachments import (
    AddAttachment,
    Attachment,
    AttachmentAdded,
    AttachmentWithdrawn,
    WithdrawAttachment,
)
from domain.case.state import CaseState
from domain.errors import InvalidCommand


def attachment_body(
    state: CaseState, command: AddAttachment | WithdrawAttachment, *, actor: str
) -> AttachmentAdded | AttachmentWithdrawn:
    """The event of ``command``: a file added (its id new on the case) or withdrawn (once)."""
    known = {a.attachment_id: a for a in state.attachments}
    if isinstance(command, AddAttachment):
        if command.attachment_id in known:
            raise InvalidCommand(
                "该材料编号已存在", "attachment id already used", field="attachment_id"
            )
        return AttachmentAdded(**command.model_dump(exclude={"type"}), uploader=actor)
    found = known.get(command.attachment_id)
    if found is None:
        raise InvalidCommand("没有这份材料", "no such attachment", field="attachment_id")
    if found.withdrawn:
        raise InvalidCommand("该材料已撤回", "attachment already withdrawn", field="attachment_id")
    return AttachmentWithdrawn(attachment_id=command.attachment_id, reason=command.reason)


def attached(state: CaseState, body: object, *, seq: int, at: datetime) -> dict[str, object]:
    """The case's files after ``body`` ({} for any other event)."""
    if isinstance(body, AttachmentAdded):
        added = Attachment(**body.model_dump(exclude={"type"}), added_at=at.isoformat(), seq=seq)
        return {"attachments": (*state.attachments, added)}
    if isinstance(body, AttachmentWithdrawn):
        return {
            "attachments": tuple(
                a.model_copy(update={"withdrawn_reason": body.reason})
                if a.attachment_id == body.attachment_id
                else a
                for a in state.attachments
            )
        }
    return {}
