"""Idempotency-Key (幂等键) at the edge: scoped to the user, bound to the request it came with.

A key names one request of one user: the key the case sees (its command id, the update id
Temporal dedups by, the intake's case-number reservation) is derived from the user's id and the
key, so two users' equal keys never meet, and a key is only ever looked up within its user's
own scope (nobody learns that another's key exists). The first request with a key binds it to
the SHA-256 of its command, target and body; the same key with another command or body is
refused with 422 and nothing is applied.

While the store is unreachable (commands still reach the cases then) the binding cannot be
checked: the request goes on with its scoped key, so a retry is still applied once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import structlog
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import idempotency
from activities.store.engine import single_read
from api.errors import ApiError
from domain.people.access import Principal


def scoped_key(principal: Principal, key: str) -> str:
    """The key as the case and the store see it: the user's own (41 printable characters)."""
    return "u" + hashlib.sha256(f"{principal.user_id}\x1f{key}".encode()).hexdigest()[:40]


def request_hash(command: str, target: str, body: Any) -> str:
    """SHA-256 of the command, what it acts on and its body (canonical JSON)."""
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")
    canonical = json.dumps(
        {"command": command, "target": target, "body": body},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_reused() -> ApiError:
    return ApiError(
        422,
        "idempotency_key_reused",
        "该 Idempotency-Key 已用于另一请求（操作或内容不同），本次请求未执行；新的请求请使用新的键",
        "this Idempotency-Key came with another request (another command or body); nothing was"
        " applied — send a new request with a new key",
        field="Idempotency-Key",
    )


async def bind(
    key: str,
    *,
    principal: Principal,
    command: str,
    target: str,
    body: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> str:
    """The scoped key, once bound to this request; 422 if it came with another request."""
    scoped = scoped_key(principal, key)
    digest = request_hash(command, target, body)
    try:
        async with single_read(sessionmaker) as session:  # one statement: no transaction
            connection = await session.connection()
            bound = await idempotency.bind_key(
                scoped, principal.user_id, digest, connection=connection
            )
    except (SQLAlchemyError, OSError):
        structlog.get_logger(__name__).warning("idempotency_key_unchecked", command=command)
        return scoped
    if bound != digest:
        raise key_reused()
    return scoped
