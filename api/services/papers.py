"""文书 of a case: issue one (a command on the case), list what was issued, print a version.

Personal data: a document is for the parties, so the 协议书 and the applications carry their
particulars in full (人民调解法第二十九条: 当事人的基本情况). Printed for a reader, the fields go
through the same masking as every other way out: ID numbers and phones masked unless the reader
may reveal and asks to (``reveal=true``); a masked copy says so on its face. Every download is
recorded in the access trail with the clear fields it carried.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.files.store import FileStore
from activities.identity.access_trail import Access
from activities.reports.documents.printing import MEDIA_TYPES, Format, check_printable
from activities.reports.documents.printing import print_document as render
from activities.reports.documents.templates import TemplateSet
from activities.reports.pdf.fonts import PdfFontUnavailable
from activities.runtime.settings import Settings
from activities.store import repositories
from api.access import CaseScopes, check_reveal, record_access, shown
from api.errors import ApiError, case_not_found, database_errors, from_domain
from api.services import commands
from domain.case import commands as c
from domain.case import events as e
from domain.case.issued import DOCUMENT_TITLES, DocumentFields, DocumentKind, document_key
from domain.case.reach import CaseReach
from domain.case.state import CaseState
from domain.errors import DomainError
from domain.people.access import Principal


def document_not_found(case_id: str, key: str) -> ApiError:
    return ApiError(
        404, "document_not_found", f"案件 {case_id} 没有文书 {key}", f"no document {key}"
    )


def _entry(case_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """One issued version as the API lists it, with the links to print it."""
    kind = DocumentKind(item["kind"])
    key = document_key(kind, item.get("subject"))
    number = item["number"]
    link = f"/v1/cases/{case_id}/documents/{key}"
    return {
        "key": key,
        "kind": kind.value,
        "title": DOCUMENT_TITLES[kind],
        "subject": item.get("subject"),
        "number": f"（{number['year']}）{number['prefix']}第{number['seq']}号",
        "organisation": number["org_name"],
        "version": item["version"],
        "content_sha256": item["content_sha256"],
        "issued_at": item["issued_at"],
        "issued_by": item["issued_by"],
        "pdf": f"{link}/pdf?version={item['version']}",
        "docx": f"{link}/docx?version={item['version']}",
    }


def issued_list(case_id: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    return [_entry(case_id, item) for item in document.get("documents") or ()]


@dataclass(frozen=True)
class Issued:
    entry: dict[str, Any]
    new_version: bool


async def issue(
    case_id: str,
    kind: DocumentKind,
    subject: int | None,
    *,
    key: str | None,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
    templates: TemplateSet,
) -> Issued:
    """出具文书 as the organisation holding the case: refused (422 naming the field) when the
    case or the template lacks something, before a number is taken; a reprint of unchanged
    content records nothing and answers the version issued before."""
    before: list[dict[str, Any]] = []

    async def make(_reach: CaseReach) -> c.Command:
        document = await scopes.document(case_id)
        if document is None:
            raise case_not_found(case_id)
        before.extend(document.get("documents") or ())
        try:
            check_printable(templates, CaseState.model_validate(document), kind, subject)
        except DomainError as error:
            raise from_domain(error) from None
        return c.IssueDocument(kind=kind, subject=subject, signatures=True)

    view = await commands.act(
        case_id,
        "issue_document",
        make,
        body={"kind": kind.value, "subject": subject},
        key=key,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
    )
    items = [
        i
        for i in view.get("documents") or ()
        if i["kind"] == kind.value and (subject is None or i.get("subject") == subject)
    ]
    if not items:  # a retry answered from the case as it was before the documents
        raise document_not_found(case_id, kind.value)
    latest = items[-1]
    return Issued(_entry(case_id, latest), new_version=len(view["documents"]) > len(before))


async def listed(
    case_id: str,
    *,
    principal: Principal,
    scopes: CaseScopes,
) -> list[dict[str, Any]]:
    await scopes.ensure_reachable(principal, case_id)
    document = await scopes.document(case_id)
    if document is None:
        raise case_not_found(case_id)
    return issued_list(case_id, document)


async def signature_images(files: FileStore, fields: DocumentFields) -> dict[str, bytes]:
    """The handwritten signatures a document names, read from the file store and checked
    against the hash its issue recorded (a missing or altered image is not printed: its place
    stays blank, and ``fengqiao audit verify`` names the file)."""

    def read(sha256: str) -> bytes | None:
        data = b"".join(files.chunks(sha256))
        return data if hashlib.sha256(data).hexdigest() == sha256 else None

    found: dict[str, bytes] = {}
    for mark in fields.signatures:
        if mark.sha256 in found or not await files.exists(mark.sha256):
            continue
        data = await asyncio.to_thread(read, mark.sha256)
        if data is not None:
            found[mark.sha256] = data
    return found


@dataclass(frozen=True)
class Printed:
    content: bytes
    media_type: str
    filename: str


async def printed(
    case_id: str,
    key: str,
    format: Format,
    *,
    version: int | None,
    reveal: bool,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    templates: TemplateSet,
    settings: Settings,
    files: FileStore,
) -> Printed:
    """One issued version of a document (the latest unless ``version``), printed from the fields
    its event recorded, masked for this reader unless revealed; the download is recorded."""
    check_reveal(principal, reveal)
    code = await scopes.ensure_reachable(principal, case_id)
    with database_errors():
        async with sessionmaker() as session:
            events = await repositories.case_events(case_id, session=session)
    versions = [
        ev.body
        for ev in events
        if isinstance(ev.body, e.DocumentIssued)
        and document_key(ev.body.kind, ev.body.subject) == key
        and (version is None or ev.body.version == version)
    ]
    if not versions:
        raise document_not_found(case_id, key)
    body = versions[-1]
    view, fields = shown(principal, body.fields.model_dump(mode="json"), reveal=reveal)
    images = await signature_images(files, body.fields)
    try:
        content = await asyncio.to_thread(
            render,
            templates,
            body.kind,
            DocumentFields.model_validate(view),
            jurisdiction_code=code,
            masked=not reveal,
            format=format,
            font_path=settings.pdf_font_path,
            images=images,
        )
    except DomainError as error:
        raise from_domain(error) from None
    except PdfFontUnavailable as error:
        raise ApiError(503, error.code, error.message_zh, error.message_en) from error
    endpoint = f"GET /v1/cases/{{id}}/documents/{{doc}}/{format}"
    await record_access(sessionmaker, principal, [Access(case_id, code, endpoint, fields)])
    name = f"{case_id}-{key.replace(':', '-')}-v{body.version}.{format}"
    return Printed(content, MEDIA_TYPES[format], name)
