"""证据材料 in the dossier: every file the case keeps, with its SHA-256 (withdrawn ones marked)."""

from __future__ import annotations

from datetime import datetime

from activities.reports.sections.parts import Instant, Part
from domain.case.attachments import STEP_LABELS
from domain.case.state import CaseState


class AttachmentEntry(Part):
    attachment_id: str
    step: str
    step_label: str
    name: str
    media_type: str
    size: int
    sha256: str
    signer: str | None = None
    uploader: str
    added_at: Instant
    withdrawn_reason: str | None = None


def attachments(state: CaseState) -> list[AttachmentEntry]:
    """The case's files in the order added."""
    return [
        AttachmentEntry(
            attachment_id=a.attachment_id,
            step=a.step.value,
            step_label=STEP_LABELS[a.step],
            name=a.name,
            media_type=a.media_type,
            size=a.size,
            sha256=a.sha256,
            signer=a.signer,
            uploader=a.uploader,
            added_at=datetime.fromisoformat(a.added_at),
            withdrawn_reason=a.withdrawn_reason,
        )
        for a in state.attachments
    ]
