"""Idempotency keys (幂等键): each caller's key bound to the request it first came with."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.store.sql import insert_for
from activities.store.tables import IdempotencyKeyRow


async def bind_key(
    scoped_key: str, user_id: str, request_hash: str, *, session: AsyncSession
) -> str:
    """Bind ``scoped_key`` to ``request_hash`` unless it is bound already; the hash it is bound to.

    Two requests racing with one key: one binds, the other reads what it bound.
    """
    statement = (
        insert_for(session, IdempotencyKeyRow)
        .values(scoped_key=scoped_key, user_id=user_id, request_hash=request_hash)
        .on_conflict_do_nothing(index_elements=["scoped_key"])
        .returning(IdempotencyKeyRow.request_hash)
    )
    if await session.scalar(statement) is not None:
        return request_hash  # bound now (the common case: one statement)
    bound: str | None = await session.scalar(
        select(IdempotencyKeyRow.request_hash).where(IdempotencyKeyRow.scoped_key == scoped_key)
    )
    assert bound is not None
    return bound
