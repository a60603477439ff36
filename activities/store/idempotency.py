"""Idempotency keys (幂等键): each caller's key bound to the request it first came with."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from activities.store.sql import insert_for_dialect
from activities.store.tables import IdempotencyKeyRow

_TABLE = IdempotencyKeyRow.__table__
_BOUND = select(_TABLE.c.request_hash).where(_TABLE.c.scoped_key == bindparam("scoped_key"))


@cache
def _binding(dialect: str) -> Any:
    """The key's INSERT, built once per dialect (every command binds one)."""
    return (
        insert_for_dialect(dialect, _TABLE)
        .values(
            scoped_key=bindparam("scoped_key"),
            user_id=bindparam("user_id"),
            request_hash=bindparam("request_hash"),
        )
        .on_conflict_do_nothing(index_elements=["scoped_key"])
        .returning(_TABLE.c.request_hash)
    )


async def bind_key(
    scoped_key: str, user_id: str, request_hash: str, *, connection: AsyncConnection
) -> str:
    """Bind ``scoped_key`` to ``request_hash`` unless it is bound already; the hash it is bound to.

    One statement, atomic on its own (the caller needs no transaction). Two requests racing with
    one key: one binds, the other's INSERT waits for it and then reads what it bound.
    """
    values = {"scoped_key": scoped_key, "user_id": user_id, "request_hash": request_hash}
    statement = _binding(connection.dialect.name)
    if (await connection.execute(statement, values)).first() is not None:
        return request_hash  # bound now (the common case: one statement)
    bound: str | None = await connection.scalar(_BOUND, {"scoped_key": scoped_key})
    assert bound is not None
    return bound
