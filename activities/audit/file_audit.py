"""审计核验 of files: every file the case's chain records is read back and hashed again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from activities.files.store import FileStore
from domain.case.attachments import AttachmentAdded
from domain.case.events import Event


class FileProblem(BaseModel):
    """A file the chain records that the store no longer holds as recorded."""

    model_config = ConfigDict(frozen=True)

    attachment_id: str
    name: str
    sha256: str
    problem: Literal["missing", "altered"]
    found_sha256: str | None = None


async def check_files(events: Sequence[Event], files: FileStore) -> tuple[int, list[FileProblem]]:
    """How many recorded files were hashed again, and those missing or altered (by name)."""
    checked = 0
    problems: list[FileProblem] = []
    for event in events:
        body = event.body
        if not isinstance(body, AttachmentAdded):
            continue
        recorded = [(body.sha256, False)]
        if body.thumbnail_sha256 is not None:
            recorded.append((body.thumbnail_sha256, True))
        for sha256, is_thumbnail in recorded:
            checked += 1
            found = await files.rehash(sha256)
            if found == sha256:
                continue
            problems.append(
                FileProblem(
                    attachment_id=body.attachment_id,
                    name=f"{body.name}（缩略图）" if is_thumbnail else body.name,
                    sha256=sha256,
                    problem="missing" if found is None else "altered",
                    found_sha256=found,
                )
            )
    return checked, problems
