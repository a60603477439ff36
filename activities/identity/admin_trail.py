"""管理留痕: every administrative act, appended to a hash chain nobody edits (auditors read it).

Each entry is sealed with ``SHA-256(previous hash + canonical bytes)``
(``domain.audit.admin_trail``), the table refuses UPDATE and DELETE (the same triggers as
``case_events``) and ``prev_hash`` is unique, so two entries can never follow the same one. On
PostgreSQL an advisory lock held to the end of the transaction orders concurrent appends; on
SQLite the append takes the one writer's lock before it reads the head.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.sql import utc
from activities.store.tables import AdminTrailRow
from domain.audit.admin_trail import GENESIS_HASH, trail_hash
from domain.people.access import Principal
from domain.people.administration import AdminAction
from domain.people.privacy import scrub_text

# pg_advisory_xact_lock key of the administration trail ("fq-admin" as a number).
_LOCK = 0x66712D61646D696E


@dataclass(frozen=True)
class Actor:
    """Who did it: a signed-in principal, or the command line (whoever holds the database)."""

    actor_id: str
    name: str
    role: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.user_id, principal.display_name, principal.role.value)


COMMAND_LINE = Actor("cli", "命令行（数据库持有人）", "operator")


class AdminTrailEntry(BaseModel):
    id: int
    at: datetime
    actor_id: str
    actor_name: str
    actor_role: str
    action: str
    target: str
    details: dict[str, str]


class AdminTrailCheck(BaseModel):
    """The chain checked from its first entry: ``broken_at`` names the first entry that fails."""

    entries: int
    chain_ok: bool
    broken_at: int | None = None
    head: str


class AdminTrailPage(BaseModel):
    """What an auditor reads: the entries (newest first) and the whole chain's check."""

    items: list[AdminTrailEntry]
    check: AdminTrailCheck


async def append(
    actor: Actor,
    action: AdminAction,
    *,
    target: str = "",
    details: dict[str, str] | None = None,
    at: datetime,
    session: AsyncSession,
) -> None:
    """Append one entry in the caller's transaction (the act and its record commit together)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    else:
        # A write that touches no row opens SQLite's write transaction (waiting out another
        # writer) before the head is read: two appends that both read the head first would
        # chain to the same entry, and the second would be refused.
        await session.execute(update(AdminTrailRow).where(text("0")).values(id=AdminTrailRow.id))
    previous = await session.scalar(
        select(AdminTrailRow.hash).order_by(AdminTrailRow.id.desc()).limit(1)
    )
    prev_hash = previous or GENESIS_HASH
    row = AdminTrailRow(
        at=at,
        actor_id=actor.actor_id[:64],
        actor_name=actor.name[:100],
        actor_role=actor.role[:24],
        action=action.value,
        target=target[:64],
        details=_scrubbed(details or {}),
        prev_hash=prev_hash,
    )
    row.hash = _seal(row, prev_hash)
    session.add(row)
    await session.flush()


def _scrubbed(details: dict[str, str]) -> dict[str, str]:
    """Free text (an auditor's stated purpose) never keeps a phone or ID number in clear."""
    return {key: scrub_text(value) for key, value in details.items()}


def _seal(row: AdminTrailRow, previous: str) -> str:
    return trail_hash(
        previous,
        at=utc(row.at),
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        actor_role=row.actor_role,
        action=row.action,
        target=row.target,
        details=dict(row.details),
    )


async def query(
    *,
    actor_id: str | None,
    target: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    session: AsyncSession,
) -> list[AdminTrailEntry]:
    """Newest first."""
    statement = select(AdminTrailRow)
    if actor_id is not None:
        statement = statement.where(AdminTrailRow.actor_id == actor_id)
    if target is not None:
        statement = statement.where(AdminTrailRow.target == target)
    if since is not None:
        statement = statement.where(AdminTrailRow.at >= since)
    if until is not None:
        statement = statement.where(AdminTrailRow.at <= until)
    statement = statement.order_by(AdminTrailRow.id.desc()).limit(limit)
    return [
        AdminTrailEntry(
            id=row.id,
            at=utc(row.at),
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            actor_role=row.actor_role,
            action=row.action,
            target=row.target,
            details=_scrubbed(row.details),
        )
        for row in await session.scalars(statement)
    ]


async def check(*, session: AsyncSession) -> AdminTrailCheck:
    """Recompute the whole chain from ``GENESIS_HASH``."""
    expected = GENESIS_HASH
    count = 0
    for row in await session.scalars(select(AdminTrailRow).order_by(AdminTrailRow.id)):
        count += 1
        sealed = _seal(row, expected)
        if row.prev_hash != expected or row.hash != sealed:
            return AdminTrailCheck(entries=count, chain_ok=False, broken_at=row.id, head=expected)
        expected = row.hash
    return AdminTrailCheck(entries=count, chain_ok=True, head=expected)
