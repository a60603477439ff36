"""证据材料: files added to a case (streamed, checked by content, stored by hash, recorded on the
chain), listed and downloaded by those who read the case (each download in the access trail),
withdrawn with a reason, never deleted."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.files import content, images
from activities.files.spool import Spool
from activities.files.store import FileStore
from activities.identity.access_trail import Access
from activities.runtime.settings import Settings
from api.access import CaseScopes, record_access
from api.errors import ApiError, invalid_input
from api.gateway import send_command
from api.idempotency import scoped_key
from api.services import commands
from api.services.documents import stored_case
from api.uploads import Part, Received, receive, spool_dir
from domain.case.attachments import (
    STEP_LABELS,
    AddAttachment,
    AttachmentStep,
    WithdrawAttachment,
)
from domain.case.commands import Command, CommandEnvelope
from domain.case.reach import CaseReach
from domain.people.access import Permission, Principal
from domain.people.privacy import scrub_text
from domain.text import ShortText

_TEXT: TypeAdapter[str] = TypeAdapter(ShortText)
_GENERIC_TYPES = frozenset({"", "application/octet-stream"})
DOWNLOAD_ENDPOINT = "GET /v1/cases/{id}/attachments/{attachment_id}"


def _text(value: str, field: str, label: str) -> str:
    try:
        return _TEXT.validate_python(value)
    except ValidationError:
        raise invalid_input(
            f"{label}须为1至200个字符的文字", f"{field}: 1 to 200 characters of text", field=field
        ) from None


def _step(value: str | None) -> AttachmentStep:
    try:
        return AttachmentStep(value or AttachmentStep.CASE)
    except ValueError:
        raise invalid_input("材料所属环节无效", "unknown step", field="step") from None


def _base_name(filename: str) -> str:
    """The file name without any folder a browser or client put before it."""
    return PureWindowsPath(PurePosixPath(filename).name).name


def checked_type(received: Received, spool: Spool) -> str:
    """The media type the content shows; 422 when it is not one kept, or not what was claimed
    (by the part's Content-Type or by the name's extension)."""
    found = content.sniff(spool.path)
    if found is None:
        raise invalid_input(
            "只接受 JPEG、PNG、WebP 图片，PDF，Word（.docx）与 Excel（.xlsx）文件",
            "only JPEG, PNG, WebP, PDF, DOCX and XLSX files are accepted",
            field="file",
        )
    claimed = (received.claimed_type or "").split(";")[0].strip().lower()
    extension = PurePosixPath((received.filename or "").lower()).suffix
    by_name = {v: k for k, v in content.EXTENSIONS.items()} | {".jpeg": content.JPEG}
    named = by_name.get(extension)
    if (claimed not in _GENERIC_TYPES and claimed != found) or (
        extension and named is not None and named != found
    ):
        raise invalid_input(
            "文件内容与声明的类型不符",
            f"the content is {found}, not what was claimed",
            field="file",
        )
    if extension and named is None:
        raise invalid_input("文件扩展名不受支持", "file extension not accepted", field="file")
    return found


async def upload(
    case_id: str,
    content_type: str,
    body: AsyncIterator[bytes],
    *,
    key: str | None,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
    files: FileStore,
    check_fields: Callable[[dict[str, str]], None] | None = None,
) -> dict[str, Any]:
    """Add the uploaded file to the case: 404/403 before a byte is read when the caller may
    not, 413 past the size limit and 422 for a wrong type, both before anything is stored.

    网格员: a grid worker adds photos to what they reported (the report step) only.
    """
    reporter = not principal.may(Permission.ACT)
    if reporter:
        await scopes.ensure_reachable(principal, case_id)
    else:
        scoped = scoped_key(principal, key) if key else None
        await scopes.ensure_may_act(principal, case_id, "add_attachment", key=scoped)
    with Spool(spool_dir(settings.data_dir), settings.max_upload_bytes) as spool:
        received = await receive(content_type, body, spool)
        if check_fields is not None:  # the console's form token, before anything is kept
            check_fields(received.fields)
        step = _step(received.fields.get("step") or ("report" if reporter else None))
        if reporter and step is not AttachmentStep.REPORT:
            raise invalid_input(
                "网格员只能为上报事项添加照片",
                "a grid worker adds files to the report",
                field="step",
            )
        name = _text(
            received.fields.get("name") or _base_name(received.filename or ""), "name", "文件名"
        )
        signer = received.fields.get("signer")
        if signer is not None:
            signer = _text(signer, "signer", "签名人")
        media_type = checked_type(received, spool)
        command = await _stored(
            received,
            spool,
            media_type,
            files,
            step=step,
            name=name,
            signer=signer,
            key=key,
            principal=principal,
        )
    attachment_id = command.attachment_id
    if reporter:
        await _reported(case_id, command, key, principal, sessionmaker, temporal, settings)
        return command.model_dump(mode="json") | {"uploader": principal.actor}
    view = await _send(case_id, command, key, principal, scopes, sessionmaker, temporal, settings)
    found = [a for a in view.get("attachments") or () if a["attachment_id"] == attachment_id]
    return found[0] if found else command.model_dump(mode="json")


async def _stored(
    received: Received,
    spool: Spool,
    media_type: str,
    files: FileStore,
    *,
    step: AttachmentStep,
    name: str,
    signer: str | None,
    key: str | None,
    principal: Principal,
) -> AddAttachment:
    """Put the checked file (and an image's thumbnail) in the file store; the command that
    records it (its id from the caller's idempotency key, so a retry names the same file)."""
    sha256 = received.sha256
    assert sha256 is not None
    await files.put_file(spool.path, sha256)
    thumbnail_sha256 = None
    if media_type in content.IMAGES:
        small = images.thumbnail(spool.path)
        if small is not None:
            thumbnail_sha256 = hashlib.sha256(small).hexdigest()
            await files.put_bytes(small, thumbnail_sha256)
    attachment_id = (
        hashlib.sha256(f"{principal.actor}\n{key}".encode()).hexdigest()[:32]
        if key
        else uuid.uuid4().hex
    )
    return AddAttachment.model_validate(
        {
            "attachment_id": attachment_id,
            "step": step,
            "name": name,
            "media_type": media_type,
            "size": spool.size,
            "sha256": sha256,
            "signer": signer,
            "thumbnail_sha256": thumbnail_sha256,
        }
    )


async def _reported(
    case_id: str,
    command: AddAttachment,
    key: str | None,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
) -> None:
    """A grid worker's photo recorded on the case they reported (they do not act on cases)."""
    envelope = CommandEnvelope(
        command_id=scoped_key(principal, key) if key else f"auto-{uuid.uuid4()}",
        actor=principal.actor,
        command=command,
    )
    await send_command(
        temporal, sessionmaker, settings, case_id=case_id, envelope=envelope, now=datetime.now(UTC)
    )


def checked_photos(parts: list[Part]) -> list[str]:
    """The media type of each photo of a report: 422 (field ``photos``) for a file that is not
    a JPEG, PNG or WebP image by its content, before anything is registered or stored."""
    found: list[str] = []
    for part in parts:
        try:
            media_type = checked_type(part.received, part.spool)
        except ApiError as refused:
            raise invalid_input(
                refused.body.message_zh, refused.body.message_en, field="photos"
            ) from None
        if media_type not in content.IMAGES:
            raise invalid_input(
                "上报照片只接受 JPEG、PNG、WebP 图片", "photos must be images", field="photos"
            )
        found.append(media_type)
    return found


async def add_report_photos(
    case_id: str,
    parts: list[Part],
    media_types: list[str],
    *,
    key: str,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
    files: FileStore,
) -> None:
    """网格员上报照片: the photos taken with the report, kept as files of the report step of the
    case it registered (each a command keyed by the report's key and its place, so a report
    sent again adds each photo once)."""
    for n, (part, media_type) in enumerate(zip(parts, media_types, strict=True), start=1):
        name = _text(_base_name(part.received.filename or "") or f"照片{n}.jpg", "photos", "文件名")
        photo_key = f"{key}:photo:{n}"
        command = await _stored(
            part.received,
            part.spool,
            media_type,
            files,
            step=AttachmentStep.REPORT,
            name=name,
            signer=None,
            key=photo_key,
            principal=principal,
        )
        await _reported(case_id, command, photo_key, principal, sessionmaker, temporal, settings)


async def _send(
    case_id: str,
    command: Command,
    key: str | None,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
) -> dict[str, Any]:
    async def make(_: CaseReach) -> Command:
        return command

    return await commands.act(
        case_id,
        command.type,
        make,
        body=command.model_dump(mode="json"),
        key=key,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )


async def withdraw(
    case_id: str,
    attachment_id: str,
    reason: str,
    *,
    key: str | None,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
) -> dict[str, Any]:
    """撤回: the file stays (and stays on the chain), marked withdrawn with ``reason``."""
    command = WithdrawAttachment(
        attachment_id=attachment_id, reason=_text(reason, "reason", "撤回理由")
    )
    return await _send(case_id, command, key, principal, scopes, sessionmaker, temporal, settings)


def listed(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's files as shown: names scrubbed of personal data, steps labelled."""
    return [
        {
            **a,
            "name": scrub_text(a["name"]),
            "signer": scrub_text(a["signer"]) if a.get("signer") else None,
            "step_label": STEP_LABELS[AttachmentStep(a["step"])],
            "withdrawn": a.get("withdrawn_reason") is not None,
        }
        for a in document.get("attachments") or ()
    ]


async def list_attachments(
    case_id: str,
    *,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[dict[str, Any]]:
    await scopes.ensure_reachable(principal, case_id)
    return listed(await stored_case(sessionmaker, case_id))


def not_found(attachment_id: str) -> ApiError:
    return ApiError(
        404, "attachment_not_found", "材料不存在", f"attachment {attachment_id} not found"
    )


async def download(
    case_id: str,
    attachment_id: str,
    *,
    thumbnail: bool,
    purpose: str | None,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    files: FileStore,
) -> tuple[dict[str, Any], Iterator[bytes]]:
    """The file (or its thumbnail) for a caller who reads the case (a grid worker: a photo of
    what they reported), recorded in the access trail before a byte is sent; 404 alike for a
    case out of reach and an unknown file."""
    code = await scopes.ensure_reachable(principal, case_id)
    document = await stored_case(sessionmaker, case_id)
    found = next(
        (a for a in document.get("attachments") or () if a["attachment_id"] == attachment_id),
        None,
    )
    if found is not None and not principal.may(Permission.READ_CASE) and found["step"] != "report":
        found = None  # a grid worker sees the photos of their report, nothing else of the case
    sha256 = None if found is None else found["thumbnail_sha256" if thumbnail else "sha256"]
    if found is None or sha256 is None or not await files.exists(sha256):
        raise not_found(attachment_id)
    endpoint = DOWNLOAD_ENDPOINT + ("?thumbnail=1" if thumbnail else "")
    fields = (f"attachment:{attachment_id}",)
    await record_access(sessionmaker, principal, [Access(case_id, code, endpoint, fields, purpose)])
    return found, files.chunks(sha256)
