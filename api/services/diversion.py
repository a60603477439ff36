"""访调对接: divert a petition to mediation. The diversion runs as workflow code (a
DiversionWorkflow per petition, ``workflows/diversion.py``); the API starts it and waits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.runtime.settings import Settings
from api.access import CaseScopes
from api.gateway import query_state, run_diversion
from api.services.documents import case_view, stored_case
from domain.people.access import Principal
from workflows.contract import DiversionInput


async def divert(
    petition_id: str,
    *,
    note: str,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
) -> dict[str, Any]:
    """Open the linked dispute and record it on the petition (once per petition: a retry
    answers the same), then answer with the petition as the caller may see it."""
    await scopes.ensure_may_act(principal, petition_id, "divert_to_mediation")
    request = DiversionInput(
        petition_id=petition_id,
        actor=principal.actor,
        center_id=principal.center_id,
        note=note,
    )
    await run_diversion(temporal, settings, request=request)
    # The petition as it stands with the link (its workflow's own state; once the petition has
    # ended and its workflow is gone, the store's).
    document = await query_state(temporal, petition_id)
    return case_view(principal, document or await stored_case(sessionmaker, petition_id))
