"""OIDC sign-in (统一身份认证): the authorization-code flow with PKCE against the deployment's
identity provider.

The provider proves who the person is (the id_token's ``sub``, signed, for this client, with the
nonce this sign-in sent); what they may do comes from the user directory, as for bearer tokens.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt


class OidcError(Exception):
    """The provider or its answer is not acceptable."""


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str | None
    discovery_url: str


@dataclass(frozen=True)
class Challenge:
    """What the browser carries through the provider and back (state, verifier, nonce)."""

    url: str
    state: str
    verifier: str
    nonce: str


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OidcClient:
    def __init__(self, config: OidcConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self._metadata: dict[str, Any] | None = None

    async def _discover(self) -> dict[str, Any]:
        if self._metadata is None:
            try:
                response = await self._http.get(self._config.discovery_url)
                response.raise_for_status()
                metadata: dict[str, Any] = response.json()
            except (httpx.HTTPError, ValueError) as error:
                raise OidcError(f"discovery failed: {error}") from error
            if metadata.get("issuer") != self._config.issuer:
                raise OidcError("discovery names another issuer")
            self._metadata = metadata
        return self._metadata

    async def challenge(self, redirect_uri: str) -> Challenge:
        metadata = await self._discover()
        state, verifier, nonce = (secrets.token_urlsafe(32) for _ in range(3))
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._config.client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid profile",
                "state": state,
                "nonce": nonce,
                "code_challenge": _s256(verifier),
                "code_challenge_method": "S256",
            }
        )
        return Challenge(
            url=f"{metadata['authorization_endpoint']}?{query}",
            state=state,
            verifier=verifier,
            nonce=nonce,
        )

    async def subject(self, code: str, *, verifier: str, nonce: str, redirect_uri: str) -> str:
        """Exchange the code; the verified id_token's subject."""
        metadata = await self._discover()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self._config.client_id,
            "code_verifier": verifier,
        }
        if self._config.client_secret:
            form["client_secret"] = self._config.client_secret
        try:
            response = await self._http.post(metadata["token_endpoint"], data=form)
            response.raise_for_status()
            id_token = str(response.json()["id_token"])
            keys = await self._http.get(metadata["jwks_uri"])
            keys.raise_for_status()
            jwks = jwt.PyJWKSet.from_dict(keys.json())
        except (httpx.HTTPError, ValueError, KeyError, jwt.PyJWTError) as error:
            raise OidcError(f"token exchange failed: {error}") from error
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            key = next(k for k in jwks.keys if k.key_id == kid)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=["RS256", "ES256"],
                audience=self._config.client_id,
                issuer=self._config.issuer,
                options={"require": ["exp", "iss", "aud", "sub", "nonce"]},
            )
        except (StopIteration, jwt.PyJWTError) as error:
            raise OidcError(f"id_token refused: {error}") from error
        if not secrets.compare_digest(str(claims["nonce"]), nonce):
            raise OidcError("id_token nonce mismatch")
        return str(claims["sub"])
