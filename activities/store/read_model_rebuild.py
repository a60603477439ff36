"""Rebuild the read model from the stored documents after an upgrade (读模型重建).

Every derived row of a case (the list and search columns, ``case_organisations``, ``work_items``,
``case_parties``) is a function of its document. When the rules change, ``READ_MODEL_VERSION`` is
raised; ``fengqiao migrate`` then rebuilds, once the schema is at head, every case whose row is
below it, with the projection's own code — so no migration carries a copy of the projection or
imports live models that will have changed by the time an old store is upgraded. A batch is one
transaction and the version is written with the rows, so a rebuild cut short resumes where it
stopped; a case the projection moves on meanwhile is left to the projection (newer seq wins).

Party and matter keys are rebuilt under the current party key; 重点人员 entries still keyed with
the plain SHA-256 of releases before (read model 3) are carried over when a rebuilt case names the
same person (``party_rekey``).
"""

from __future__ import annotations

import structlog
from pydantic import ValidationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from activities.runtime.settings import DEVELOPMENT_PARTY_KEY
from activities.store import repositories
from activities.store.party_rekey import carry_register_over, register_in_use
from activities.store.read_model import READ_MODEL_VERSION
from activities.store.tables import CaseOrganisationRow, CaseRow
from domain.case.state import CaseState
from domain.people.privacy import scrub_text

BATCH = 200


async def _undecodable(connection: AsyncConnection, case_id: str, center_id: str | None) -> None:
    """A row whose document is no case (written by hand before the engine kept it): held by the
    center that registered it, nothing due, no parties known; its own title and description
    masked for search."""
    row = (
        await connection.execute(
            select(
                CaseRow.title,
                CaseRow.description,
                CaseRow.registered_at,
                CaseRow.stage,
                CaseRow.kind,
                CaseRow.category,
                CaseRow.jurisdiction_code,
            ).where(CaseRow.case_id == case_id)
        )
    ).one()
    await connection.execute(
        update(CaseRow)
        .where(CaseRow.case_id == case_id)
        .values(
            holder_id=center_id,
            masked_title=scrub_text(row.title),
            masked_description=scrub_text(row.description),
            read_model_version=READ_MODEL_VERSION,
        )
    )
    await connection.execute(
        delete(CaseOrganisationRow).where(CaseOrganisationRow.case_id == case_id)
    )
    if center_id is None:
        return
    await connection.execute(
        insert(CaseOrganisationRow),
        [
            {
                "case_id": case_id,
                "org_id": center_id,
                "relation": relation,
                "reach": relation == "holder",
                "registered_at": row.registered_at,
                "stage": row.stage,
                "kind": row.kind,
                "category": row.category,
                "jurisdiction_code": row.jurisdiction_code,
            }
            for relation in ("holder", "registrar")
        ],
    )


async def rebuild_read_model(
    engine: AsyncEngine,
    *,
    search_key: bytes | None,
    party_hash_key: bytes = DEVELOPMENT_PARTY_KEY,
) -> int:
    """Rebuild every case below ``READ_MODEL_VERSION`` (party and matter keys under
    ``party_hash_key``); the number rebuilt."""
    rebuilt, last = 0, ""
    async with engine.connect() as connection:
        register = await register_in_use(connection)
    while True:
        async with engine.begin() as connection:
            batch = (
                await connection.execute(
                    select(CaseRow.case_id, CaseRow.state, CaseRow.center_id)
                    .where(CaseRow.case_id > last, CaseRow.read_model_version < READ_MODEL_VERSION)
                    .order_by(CaseRow.case_id)
                    .limit(BATCH)
                )
            ).all()
            if not batch:
                break
            states: list[CaseState] = []
            for case_id, document, center_id in batch:
                try:
                    state = CaseState.model_validate(document)
                except ValidationError:
                    await _undecodable(connection, case_id, center_id)
                    continue
                await repositories.upsert_case(
                    state,
                    connection=connection,
                    search_key=search_key,
                    party_hash_key=party_hash_key,
                    rebuild=True,
                )
                states.append(state)
            if register:
                await carry_register_over(
                    states, current=party_hash_key, earlier=[None], connection=connection
                )
            last = batch[-1].case_id
            rebuilt += len(batch)
    if rebuilt:
        structlog.get_logger(__name__).info("read_model_rebuilt", cases=rebuilt)
    return rebuilt
