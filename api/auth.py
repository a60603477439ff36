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

from activities.identity import principals
from activities.identity.tokens import TokenError, TokenVerifier
from api.deps import ResourcesDep
from api.errors import ApiError, unavailable
from domain.people.access import Principal

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
        stale_seconds: float,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._tokens = tokens
        self._cache_seconds = cache_seconds
        self._stale_seconds = stale_seconds
        # credential → (principal, trusted until, usable while the directory is down until)
        self._cache: dict[str, tuple[Principal, float, float]] = {}

    def _remember(self, credential: str, principal: Principal, fresh: float, stale: float) -> None:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        now = time.monotonic()
        self._cache[credential] = (principal, now + fresh, now + stale)

    async def principal(self, credential: str) -> Principal:
        hit = self._cache.get(credential)
        if hit is not None and time.monotonic() < hit[1]:
            return hit[0]
        trust_for, stale_for = self._cache_seconds, self._stale_seconds
        try:
            if credential.startswith(principals.KEY_PREFIX):
                async with self._sessionmaker() as session:
                    found = await principals.principal_for_key(
                        credential, session=session, now=datetime.now(UTC)
                    )
            else:
                found, expires_in = await self._from_token(credential)
                # Never trusted beyond the token's own expiry.
                trust_for, stale_for = min(trust_for, expires_in), min(stale_for, expires_in)
        except (SQLAlchemyError, OSError) as error:
            # The directory is down: a caller it vouched for recently keeps working, so cases
            # still take commands during a database outage (a revocation waits for its return).
            if hit is not None and time.monotonic() < hit[2]:
                structlog.get_logger(__name__).warning(
                    "directory_unavailable_using_cached_principal", principal=hit[0].user_id
                )
                return hit[0]
            raise unavailable("用户目录", "user directory") from error
        if found is None:
            self._cache.pop(credential, None)
            raise _unauthenticated(
                "凭据无效、已过期或已吊销", "invalid, expired or revoked credential"
            )
        self._remember(credential, found, trust_for, stale_for)
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
