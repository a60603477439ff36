"""访问留痕: who read clear personal data or audited a case, when, which fields (append-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.sql import utc
from activities.store.tables import AccessTrailRow
from domain.people.access import Principal
from domain.people.privacy import scrub_text


@dataclass(frozen=True)
class Access:
    case_id: str
    jurisdiction_code: str
    endpoint: str
    fields: tuple[str, ...]
    purpose: str | None = None


class TrailEntry(BaseModel):
    id: int
    at: datetime
    principal_id: str
    principal_name: str
    role: str
    case_id: str
    jurisdiction_code: str
    endpoint: str
    fields: list[str]
    purpose: str | None


async def record(
    principal: Principal, accesses: list[Access], *, at: datetime, session: AsyncSession
) -> None:
    """Append the rows in the caller's transaction (the read is answered only once it commits)."""
    if not accesses:
        return
    await session.execute(
        insert(AccessTrailRow),
        [
            {
                "at": at,
                "principal_id": principal.user_id,
                "principal_name": principal.display_name,
                "role": principal.role.value,
                "case_id": access.case_id,
                "jurisdiction_code": access.jurisdiction_code,
                "endpoint": access.endpoint,
                "fields": list(access.fields),
                "purpose": _scrubbed(access.purpose),
            }
            for access in accesses
        ],
    )


async def query(
    *,
    jurisdiction_prefix: str,
    case_id: str | None,
    principal_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    session: AsyncSession,
) -> list[TrailEntry]:
    """Newest first, only rows of cases inside the auditor's subtree."""
    statement = select(AccessTrailRow).where(
        AccessTrailRow.jurisdiction_code.startswith(jurisdiction_prefix)
    )
    if case_id is not None:
        statement = statement.where(AccessTrailRow.case_id == case_id)
    if principal_id is not None:
        statement = statement.where(AccessTrailRow.principal_id == principal_id)
    if since is not None:
        statement = statement.where(AccessTrailRow.at >= since)
    if until is not None:
        statement = statement.where(AccessTrailRow.at <= until)
    statement = statement.order_by(AccessTrailRow.id.desc()).limit(limit)
    return [
        TrailEntry(
            id=row.id,
            at=utc(row.at),
            principal_id=row.principal_id,
            principal_name=row.principal_name,
            role=row.role,
            case_id=row.case_id,
            jurisdiction_code=row.jurisdiction_code,
            endpoint=row.endpoint,
            fields=list(row.fields),
            purpose=_scrubbed(row.purpose),
        )
        for row in await session.scalars(statement)
    ]


def _scrubbed(purpose: str | None) -> str | None:
    """A stated purpose is free text: a phone or ID number written into it is kept masked."""
    return None if purpose is None else scrub_text(purpose)
