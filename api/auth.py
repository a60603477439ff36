"""Authentication (认证): an API key or a bearer token becomes the Principal acting.

``Authorization: Bearer fq_…`` or ``X-API-Key: fq_…`` is an API key; any other bearer value is a
JWT from the configured identity provider. Checked credentials are cached for a few seconds
(``auth_cache_seconds``) so the hot path does not query the directory on every request.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities import principals
from activities.tokens import TokenError, TokenVerifier
from api.deps import ResourcesDep
from api.errors import ApiError, unavailable
from domain.access import Permission, Principal

_bearer = HTTPBearer(auto_error=False, description="API 密钥 fq_… 或身份令牌 JWT")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API 密钥 fq_…")

# The cache is bounded: an attacker spraying random keys must not grow it without limit.
_CACHE_LIMIT = 10_000


class Authenticator:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        tokens: TokenVerifier | None,
        cache_seconds: float,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._tokens = tokens
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[Principal, float]] = {}

    def _cached(self, credential: str) -> Principal | None:
        hit = self._cache.get(credential)
        if hit is None:
            return None
        principal, until = hit
        if time.monotonic() >= until:
            del self._cache[credential]
            return None
        return principal

    def _remember(self, credential: str, principal: Principal, until: float) -> None:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[credential] = (principal, until)

    async def principal(self, credential: str) -> Principal:
        cached = self._cached(credential)
        if cached is not None:
            return cached
        trust_for = self._cache_seconds
        try:
            if credential.startswith(principals.KEY_PREFIX):
                async with self._sessionmaker() as session:
                    found = await principals.principal_for_key(
                        credential, session=session, now=datetime.now(UTC)
                    )
            else:
                found, expires_in = await self._from_token(credential)
                trust_for = min(trust_for, expires_in)  # never beyond the token's own expiry
        except (SQLAlchemyError, OSError) as error:
            raise unavailable("用户目录", "user directory") from error
        if found is None:
            raise _unauthenticated(
                "凭据无效、已过期或已吊销", "invalid, expired or revoked credential"
            )
        self._remember(credential, found, time.monotonic() + trust_for)
        return found

    async def _from_token(self, token: str) -> tuple[Principal | None, float]:
        if self._tokens is None:
            return None, 0.0
        try:
            subject, expires_at = await self._tokens.subject(token)
        except TokenError as error:
            structlog.get_logger(__name__).info("token_refused", reason=str(error))
            return None, 0.0
        async with self._sessionmaker() as session:
            principal = await principals.active_principal(subject, session=session)
        return principal, max(0.0, expires_at - time.time())


def _unauthenticated(message_zh: str, message_en: str) -> ApiError:
    return ApiError(401, "unauthenticated", message_zh, message_en)


async def _principal(
    request: Request,
    resources: ResourcesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Principal:
    credential = api_key or (bearer.credentials if bearer is not None else None)
    if not credential:
        raise _unauthenticated(
            "未认证：请提供 API 密钥或身份令牌",
            "authentication required: send an API key or a bearer token",
        )
    principal = await resources.auth.principal(credential)
    structlog.contextvars.bind_contextvars(principal=principal.user_id)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(_principal)]


def forbidden(message_zh: str, message_en: str) -> ApiError:
    return ApiError(403, "forbidden", message_zh, message_en)


def require(principal: Principal, permission: Permission) -> None:
    """403 unless the principal's role grants ``permission`` (before anything is looked up)."""
    if not principal.may(permission):
        raise forbidden(
            f"当前角色无权执行此操作（{permission.value}）",
            f"role '{principal.role.value}' may not {permission.value.replace('_', ' ')}",
        )
