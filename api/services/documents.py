"""The case as a caller may see it, and the stored case a read starts from."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import repositories
from api.access import shown
from api.errors import case_not_found, database_errors
from api.gateway import CaseDocument
from api.schemas import ReportPhoto, ReportStatus, case_view_json, labels_of
from domain.case.attachments import AttachmentStep
from domain.people.access import Permission, Principal
from domain.people.privacy import scrub_text


def case_view(principal: Principal, document: CaseDocument) -> dict[str, Any]:
    """The case with its labels, personal data masked and 重点人员 flags shown by role; a grid
    worker (网格员) sees the status of what they reported only."""
    if not principal.may(Permission.READ_CASE):
        return report_status(document)
    view: dict[str, Any] = shown(principal, case_view_json(document), reveal=False)[0]
    return view


def report_status(document: CaseDocument) -> dict[str, Any]:
    """上报案件办理情况: where a reported case stands, without its parties or its record."""
    holder = document.get("holder")
    return ReportStatus(
        case_id=document["case_id"],
        kind=document["kind"],
        title=scrub_text(document["title"]),
        category=document["category"],
        channel=document["channel"],
        grid_code=document.get("grid_code"),
        stage=document["stage"],
        registered_at=document["registered"]["at"],
        updated_at=document["updated_at"],
        holder=holder["name"] if holder else None,
        labels=labels_of(
            document["stage"], document["category"], document["channel"], document["risk_level"]
        ),
        photos=[
            ReportPhoto(
                attachment_id=a["attachment_id"],
                name=scrub_text(a["name"]),
                thumbnail=a.get("thumbnail_sha256") is not None,
                withdrawn=a.get("withdrawn_reason") is not None,
            )
            for a in document.get("attachments") or ()
            if a["step"] == AttachmentStep.REPORT
        ],
    ).model_dump(mode="json")


async def stored_or_none(
    sessionmaker: async_sessionmaker[AsyncSession], case_id: str
) -> CaseDocument | None:
    async with sessionmaker() as session:
        return await repositories.case_document(case_id, session=session)


async def stored_case(sessionmaker: async_sessionmaker[AsyncSession], case_id: str) -> CaseDocument:
    """The case from the read model; 404 when unknown, 503 when the store is away."""
    with database_errors():
        document = await stored_or_none(sessionmaker, case_id)
    if document is None:
        raise case_not_found(case_id)
    return document


async def own_reports(
    principal: Principal, *, limit: int, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[dict[str, Any]]:
    """我上报的事项: the status of the latest cases the caller reported (a grid worker's
    reports), newest first; nothing of their parties or record."""
    where = repositories.CaseFilter(reporter=principal.user_id)
    with database_errors():
        async with sessionmaker() as session:
            page = await repositories.list_cases(where, cursor=None, limit=limit, session=session)
            documents = [
                await repositories.case_document(item.case_id, session=session)
                for item in page.items
            ]
    return [report_status(document) for document in documents if document is not None]
