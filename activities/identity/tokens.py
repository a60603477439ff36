"""Bearer tokens (JWT) from an external identity provider, checked against its JWKS.

The token proves who the caller is (``sub``); what they may do comes from the user directory,
so a provider account that is not a Fengqiao user, or a disabled one, gets nowhere.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt


class TokenError(Exception):
    """The token is not acceptable (bad signature, wrong issuer/audience, expired, unknown key)."""


@dataclass(frozen=True)
class TokenConfig:
    issuer: str
    audience: str
    jwks_url: str
    algorithms: tuple[str, ...]


class TokenVerifier:
    """Checks tokens; fetches the provider's keys once and again when an unknown ``kid`` shows."""

    # A token with an unknown key id refetches the JWKS at most this often (rotation, not abuse).
    REFETCH_SECONDS = 30.0

    def __init__(self, config: TokenConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -float("inf")
        self._lock = asyncio.Lock()

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self.REFETCH_SECONDS and self._keys:
                return
            try:
                response = await self._http.get(self._config.jwks_url)
                response.raise_for_status()
                keys = jwt.PyJWKSet.from_dict(response.json()).keys
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as error:
                raise TokenError(f"identity provider keys unavailable: {error}") from error
            self._keys = {key.key_id: key for key in keys if key.key_id}
            self._fetched_at = time.monotonic()

    async def _key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys:
            await self._refresh()
        if kid not in self._keys:
            raise TokenError(f"unknown signing key {kid!r}")
        return self._keys[kid]

    async def subject(self, token: str) -> tuple[str, float]:
        """The verified ``sub`` and the token's expiry (epoch seconds)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise TokenError(f"malformed token: {error}") from error
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenError("token has no key id (kid)")
        key = await self._key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=list(self._config.algorithms),
                audience=self._config.audience,
                issuer=self._config.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise TokenError(str(error)) from error
        return str(claims["sub"]), float(claims["exp"])
