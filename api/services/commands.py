"""Commands (操作) on a case: one command, sent to the case's workflow once per key."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.runtime.settings import Settings
from api.access import CaseScopes
from api.gateway import send_command
from api.services.documents import case_view
from domain import commands as c
from domain.access import Principal


async def act(
    case_id: str,
    command: c.Command,
    *,
    key: str | None,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
) -> dict[str, Any]:
    """Apply ``command`` as ``principal`` (a retry with the same ``key`` applies it once) and
    return the case after it, as the caller may see it."""
    await scopes.ensure_reachable(principal, case_id)
    envelope = c.CommandEnvelope(
        command_id=key or f"auto-{uuid.uuid4()}", actor=principal.actor, command=command
    )
    document = await send_command(
        temporal,
        sessionmaker,
        settings,
        case_id=case_id,
        envelope=envelope,
        now=datetime.now(UTC),
    )
    return case_view(principal, document)
