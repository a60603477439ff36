"""Commands (操作) on a case: one command, sent to the case's workflow once per key, by the
organisation whose turn it is."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.runtime.settings import Settings
from api.access import CaseScopes
from api.gateway import document_as_of, send_command
from api.idempotency import bind, scoped_key
from api.services.documents import case_view
from domain.case import commands as c
from domain.case.reach import CaseReach
from domain.people.access import CENTER_ROLES, Principal

CommandMaker = Callable[[CaseReach], Awaitable[c.Command]]


async def act(
    case_id: str,
    command_type: str,
    make: CommandMaker,
    *,
    body: Any,
    assignment_no: int | None = None,
    key: str | None,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    settings: Settings,
) -> dict[str, Any]:
    """Apply the command ``make`` builds from ``body`` as ``principal`` (a retry with the same
    ``key`` applies it once; the key with another command or body is refused, 422) and return
    the case after it, as the caller may see it.

    Only the organisation that sends ``command_type`` on the case now may send it (the holder;
    for 签收/退回 the one a transfer awaits; for a report-back the department assigned): 404 if
    the caller does not reach the case, 403 if it does but another organisation acts.
    """
    scoped = scoped_key(principal, key) if key else None
    permit = await scopes.ensure_may_act(
        principal, case_id, command_type, assignment_no, key=scoped
    )
    if key:
        scoped = await bind(
            key,
            principal=principal,
            command=command_type,
            target=case_id,
            body=body,
            sessionmaker=sessionmaker,
        )
    if permit.replay_seq is not None:  # a retry of what this caller sent: answered as then
        return case_view(principal, await document_as_of(sessionmaker, case_id, permit.replay_seq))
    command = await make(permit.reach)
    envelope = c.CommandEnvelope(
        command_id=scoped or f"auto-{uuid.uuid4()}",
        actor=principal.actor,
        command=command,
        # The case checks again that this organisation's turn it is (the store may lag it).
        acting_organisation=principal.center_id if principal.role in CENTER_ROLES else None,
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
