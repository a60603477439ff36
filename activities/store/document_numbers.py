"""文号: assigning each document of a case its number in the organisation's series, durably.

One series per organisation and year, gap-free: the counter row (``document_series``) is raised
and the number bound to its document (``document_numbers``) in one transaction, so a number is
either given to exactly one document or not taken at all. PostgreSQL: the upsert takes the
counter row's lock, so concurrent issues of one organisation queue on it (others run freely).
SQLite: one writer at a time; the transaction writes first (the counter), so it waits for the
writer lock (busy timeout) instead of failing on a read lock it would have to upgrade.

A document that already holds a number keeps it: asking again (a retried activity, a race of
two issues of the same document) returns the number bound first, and the losing transaction
rolls back its counter step, leaving no gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import registry
from activities.store.document_tables import DocumentNumberRow, DocumentSeriesRow
from activities.store.sql import insert_for
from domain.case.issued import DocumentNumber
from domain.organisation.organisations import OrgType

# The middle of a prefix by the organisation's type: 玄调字 for mediation, 玄访字 for petitions.
_PETITION_ORGS = frozenset({OrgType.PETITION_OFFICE})


def default_prefix(county_name: str | None, org_type: OrgType | None) -> str:
    """``玄调字`` from 玄武区 and a mediation organisation; ``调字`` when the county is unknown."""
    head = county_name[0] if county_name else ""
    return f"{head}{'访' if org_type in _PETITION_ORGS else '调'}字"


async def _prefix(
    org_id: str, prefixes: Mapping[str, str], *, session: AsyncSession
) -> tuple[str, str | None]:
    """The organisation's prefix (the deployment's setting, else derived) and registry name."""
    organisation = await registry.get_organisation(org_id, session=session)
    if organisation is None:
        return prefixes.get(org_id, default_prefix(None, None)), None
    county = organisation.jurisdiction_code[:6]
    names = await registry.jurisdiction_names([county], session=session)
    derived = default_prefix(names.get(county), organisation.type)
    return prefixes.get(org_id, derived), organisation.name


async def _bound(case_id: str, key: str, *, session: AsyncSession) -> DocumentNumber | None:
    row = await session.get(DocumentNumberRow, (case_id, key))
    if row is None:
        return None
    return DocumentNumber(
        org_id=row.org_id, org_name=row.org_name, year=row.year, seq=row.seq, prefix=row.prefix
    )


async def assign_document_number(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    case_id: str,
    document_key: str,
    org_id: str,
    org_name: str,
    year: int,
    at: datetime,
    prefixes: Mapping[str, str] | None = None,
) -> DocumentNumber:
    """The 文号 of document ``document_key`` of ``case_id``: the one it holds, else the next of
    ``org_id``'s series for ``year``. ``org_name`` is the name the case knows the organisation
    by (the registry's current name wins when it has one)."""
    async with sessionmaker() as session:
        found = await _bound(case_id, document_key, session=session)
        if found is not None:
            return found
    for _ in range(3):
        try:
            async with sessionmaker.begin() as session:
                statement = insert_for(session, DocumentSeriesRow).values(
                    org_id=org_id, year=year, last_number=1
                )
                statement = statement.on_conflict_do_update(
                    index_elements=["org_id", "year"],
                    set_={"last_number": DocumentSeriesRow.last_number + 1},
                ).returning(DocumentSeriesRow.last_number)
                seq = int((await session.execute(statement)).scalar_one())
                found = await _bound(case_id, document_key, session=session)
                if found is not None:  # bound meanwhile: give the step back (rolled back)
                    await session.rollback()
                    return found
                prefix, registered_name = await _prefix(org_id, prefixes or {}, session=session)
                number = DocumentNumber(
                    org_id=org_id,
                    org_name=registered_name or org_name,
                    year=year,
                    seq=seq,
                    prefix=prefix,
                )
                session.add(
                    DocumentNumberRow(
                        case_id=case_id,
                        document_key=document_key,
                        org_id=org_id,
                        org_name=number.org_name,
                        year=year,
                        seq=seq,
                        prefix=prefix,
                        assigned_at=at,
                    )
                )
                return number
        except IntegrityError:
            # Another transaction bound this document first (its number stands, ours rolled back).
            async with sessionmaker() as session:
                found = await _bound(case_id, document_key, session=session)
            if found is not None:
                return found
    raise RuntimeError(f"document number for {case_id}/{document_key} could not be assigned")


async def numbers_of(
    org_id: str, year: int, *, session: AsyncSession
) -> list[tuple[int, str, str]]:
    """(seq, case, document) of every number ``org_id`` gave in ``year``, in order."""
    rows = await session.execute(
        select(DocumentNumberRow.seq, DocumentNumberRow.case_id, DocumentNumberRow.document_key)
        .where(DocumentNumberRow.org_id == org_id, DocumentNumberRow.year == year)
        .order_by(DocumentNumberRow.seq)
    )
    return [(int(seq), case_id, key) for seq, case_id, key in rows.all()]
