"""卷宗导出包: the dossier PDF, the issued documents and the case's files in one zip, with a
manifest of their SHA-256 (JSON and ``sha256sum`` text) and ``verify.py`` to check it offline.

The zip is written to a temporary file, the files streamed from the file store chunk by chunk.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from activities.files.content import EXTENSIONS
from activities.files.store import FileStore
from activities.reports import bundle_verify
from activities.reports.sections.attachments import AttachmentEntry


@dataclass(frozen=True)
class BundledDocument:
    """An issued 文书 to bundle, as printed for the reader of the bundle."""

    path: str  # inside documents/, e.g. "（2026）玄调字第12号-人民调解协议书-第1版.pdf"
    content: bytes
    title: str
    issued_content_sha256: str | None = None  # the hash the issuing event recorded


class _Writer:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.entries: list[dict[str, Any]] = []

    def add(self, path: str, chunks: Iterable[bytes], **facts: Any) -> dict[str, Any]:
        digest = hashlib.sha256()
        size = 0
        with self.archive.open(path, "w", force_zip64=True) as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        entry = {"path": path, "sha256": digest.hexdigest(), "size": size, **facts}
        self.entries.append(entry)
        return entry


async def write_bundle(
    target: Path,
    *,
    case_id: str,
    dossier_pdf: bytes,
    attachments: Sequence[AttachmentEntry],
    documents: Sequence[BundledDocument],
    files: FileStore,
    generated_at: datetime,
    generated_by: str,
    head_hash: str | None,
) -> dict[str, Any]:
    """Write the bundle of ``case_id`` to ``target``; its manifest. A stored file whose hash is
    no longer the recorded one is bundled as found and flagged ``matches_record: false``."""
    present = {a.sha256 for a in attachments if await files.exists(a.sha256)}
    manifest: dict[str, Any] = {
        "bundle": "fengqiao_case_bundle",
        "version": 1,
        "case_id": case_id,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "generated_by": generated_by,
        "chain_head_hash": head_hash,
    }

    def write() -> None:  # zip writing and the store's reads block: in a thread
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            writer = _Writer(archive)
            writer.add("dossier.pdf", [dossier_pdf], kind="dossier", title="案件卷宗")
            for document in documents:
                path = f"documents/{document.path}"
                writer.add(
                    path,
                    [document.content],
                    kind="document",
                    title=document.title,
                    issued_content_sha256=document.issued_content_sha256,
                )
            for n, entry in enumerate(attachments, start=1):
                extension = EXTENSIONS.get(entry.media_type, "")
                chunks = files.chunks(entry.sha256) if entry.sha256 in present else iter(())
                written = writer.add(
                    f"attachments/{n:03d}-{entry.attachment_id}{extension}",
                    chunks,
                    kind="attachment",
                    title=entry.name,
                    step=entry.step_label,
                    recorded_sha256=entry.sha256,
                    withdrawn_reason=entry.withdrawn_reason,
                )
                written["matches_record"] = written["sha256"] == entry.sha256
            manifest["files"] = writer.entries
            listed = json.dumps(manifest, ensure_ascii=False, indent=1)
            archive.writestr(bundle_verify.MANIFEST, listed)
            text = "".join(f"{e['sha256']}  {e['path']}\n" for e in writer.entries)
            archive.writestr(bundle_verify.MANIFEST_TEXT, text)
            archive.writestr(bundle_verify.SELF, Path(bundle_verify.__file__).read_text("utf-8"))

    await asyncio.to_thread(write)
    return manifest


def temporary_bundle(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        prefix="bundle-", suffix=".zip", dir=directory, delete=False
    )
    handle.close()
    return Path(handle.name)
