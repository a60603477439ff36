"""证据材料: files kept with a case (photos, scans, PDFs, office files), by step, never deleted.

The file itself lives in the file store, addressed by its SHA-256; the case's chain records the
hash, so the audit can prove every file intact. A file is withdrawn (marked, with a reason),
never removed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from domain.base import Frozen
from domain.text import ShortText

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
AttachmentId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# The media types a case accepts (checked by content in the file store, not by the name).
MediaType = Literal[
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]


class AttachmentStep(StrEnum):
    """The step of the case a file belongs to (环节)."""

    CASE = "case"  # 案件材料
    INTAKE = "intake"  # 登记/受理
    SESSION = "session"  # 调解笔录、现场照片
    AGREEMENT = "agreement"  # 签字的调解协议书、手写签名
    COURT_RULING = "court_ruling"  # 法院裁定书
    FOLLOW_UP = "follow_up"  # 回访
    REPORT = "report"  # 网格员上报照片


STEP_LABELS: dict[AttachmentStep, str] = {
    AttachmentStep.CASE: "案件材料",
    AttachmentStep.INTAKE: "登记受理",
    AttachmentStep.SESSION: "调解",
    AttachmentStep.AGREEMENT: "调解协议",
    AttachmentStep.COURT_RULING: "法院裁定",
    AttachmentStep.FOLLOW_UP: "回访",
    AttachmentStep.REPORT: "网格员上报",
}


class AttachmentFacts(Frozen):
    """What the file store established about one stored file, and what the uploader said."""

    attachment_id: AttachmentId
    step: AttachmentStep
    name: ShortText  # the file name as given (validated text, shown, never used as a path)
    media_type: MediaType
    size: Annotated[int, Field(ge=1)]
    sha256: Sha256
    # 手写签名: who signed (role and name) when the file is a signature captured on a tablet.
    signer: ShortText | None = None
    thumbnail_sha256: Sha256 | None = None


class AddAttachment(AttachmentFacts):
    type: Literal["add_attachment"] = "add_attachment"


class WithdrawAttachment(Frozen):
    type: Literal["withdraw_attachment"] = "withdraw_attachment"
    attachment_id: AttachmentId
    reason: ShortText


class AttachmentAdded(AttachmentFacts):
    type: Literal["attachment_added"] = "attachment_added"
    uploader: ShortText


class AttachmentWithdrawn(Frozen):
    type: Literal["attachment_withdrawn"] = "attachment_withdrawn"
    attachment_id: AttachmentId
    reason: ShortText


class Attachment(AttachmentFacts):
    """One file kept with the case: who added it and when; withdrawn (with why) or not."""

    uploader: str
    added_at: str  # ISO time of the event that recorded it
    seq: int
    withdrawn_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_reason is not None
