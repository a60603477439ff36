"""Authentication: API keys (hashed, expiring, revocable) and bearer JWTs checked against a JWKS.

The identity provider is played by a real HTTP server on loopback serving keys the test makes.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from activities.identity import principals
from activities.store.tables import ApiKeyRow
from api.app import create_app
from domain.people.access import Principal, Role
from tests.conftest import Stack
from tests.loopback import serve
from tests.principals import bearer
from worker import WORKFLOWS

ISSUER = "https://idp.example.gov.cn/realms/zhengfa"
AUDIENCE = "fengqiao-api"


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


class Provider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.fetches = 0

    async def jwks(self, _request: web.Request) -> web.Response:
        self.fetches += 1
        return web.json_response({"keys": [_jwk(self.key, "k1")]})

    def token(self, sub: str, *, key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + 300}
        payload.update(claims)
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture
async def provider_and_api(stack: Stack) -> AsyncIterator[tuple[Provider, httpx.AsyncClient]]:
    provider = Provider()
    async with serve(provider.jwks) as port:
        settings = stack.settings.model_copy(
            update={
                "jwt_issuer": ISSUER,
                "jwt_audience": AUDIENCE,
                "jwt_jwks_url": f"http://127.0.0.1:{port}/jwks.json",
                "auth_cache_seconds": 0.0,  # every request asks the directory again
            }
        )
        app = create_app(settings, temporal=stack.client, workflows=WORKFLOWS)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                yield provider, client


async def _status(client: httpx.AsyncClient, credential: str) -> int:
    return (await client.get("/v1/cases", headers=bearer(credential))).status_code


async def test_a_token_from_the_provider_authenticates_a_directory_user(
    provider_and_api: tuple[Provider, httpx.AsyncClient],
) -> None:
    provider, client = provider_and_api
    response = await client.get("/v1/cases", headers=bearer(provider.token("wangfang")))
    assert response.status_code == 200, response.text
    assert (await _status(client, provider.token("liuqiang"))) == 200  # keys are cached
    assert provider.fetches == 1


@pytest.mark.parametrize(
    ("case", "claims"),
    [
        ("wrong audience", {"aud": "another-app"}),
        ("wrong issuer", {"iss": "https://evil.example.com"}),
        ("expired", {"exp": int(time.time()) - 60}),
        ("not a Fengqiao user", {"sub": "stranger"}),
    ],
)
async def test_a_token_that_does_not_fit_is_refused(
    provider_and_api: tuple[Provider, httpx.AsyncClient], case: str, claims: dict[str, Any]
) -> None:
    provider, client = provider_and_api
    claims = dict(claims)  # the parameter is shared by both backends' runs
    token = provider.token(claims.pop("sub", "wangfang"), **claims)
    response = await client.get("/v1/cases", headers=bearer(token))
    assert response.status_code == 401, case
    assert response.json()["code"] == "unauthenticated"


async def test_a_token_signed_by_another_key_is_refused(
    provider_and_api: tuple[Provider, httpx.AsyncClient],
) -> None:
    provider, client = provider_and_api
    assert await _status(client, provider.token("wangfang", key=provider.rogue)) == 401
    assert await _status(client, "not-a-jwt") == 401


async def test_a_401_tells_the_client_how_to_authenticate(
    provider_and_api: tuple[Provider, httpx.AsyncClient],
) -> None:
    """RFC 7235: every 401 carries WWW-Authenticate; a refused credential is an invalid_token."""
    _, client = provider_and_api
    anonymous = await client.get("/v1/cases")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="fengqiao"'
    refused = await client.get("/v1/cases", headers=bearer("not-a-jwt"))
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="fengqiao", error="invalid_token"'


async def test_api_keys_are_stored_hashed_expire_and_can_be_revoked(
    provider_and_api: tuple[Provider, httpx.AsyncClient], stack: Stack
) -> None:
    _, client = provider_and_api
    now = datetime.now(UTC)
    async with stack.sessionmaker.begin() as session:
        lasting = await principals.issue_key("wangfang", session=session, label="test")
        expired = await principals.issue_key(
            "wangfang", session=session, expires_at=now - timedelta(seconds=1)
        )
    async with stack.sessionmaker() as session:
        stored = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == lasting.key_id))
    assert stored is not None
    assert lasting.key not in stored.secret_hash  # only the digest is kept
    assert len(stored.secret_hash) == 64

    assert await _status(client, lasting.key) == 200
    assert (await client.get("/v1/cases", headers={"X-API-Key": lasting.key})).status_code == 200
    assert await _status(client, expired.key) == 401
    assert await _status(client, lasting.key[:-4] + "AAAA") == 401  # right id, wrong secret
    assert await _status(client, "fq_garbage") == 401
    assert (await client.get("/v1/cases")).status_code == 401

    async with stack.sessionmaker.begin() as session:
        await principals.revoke_key(lasting.key_id, session=session, now=now)
    assert await _status(client, lasting.key) == 401


async def test_a_disabled_user_can_no_longer_authenticate(
    provider_and_api: tuple[Provider, httpx.AsyncClient], stack: Stack
) -> None:
    provider, client = provider_and_api
    async with stack.sessionmaker.begin() as session:
        await principals.create_user(
            Principal(
                user_id=f"temp-{stack.backend}",
                display_name="临时调解员",
                role=Role.MEDIATOR,
                jurisdiction="320102",
                center_id="xw-center",
            ),
            session=session,
        )
        issued = await principals.issue_key(f"temp-{stack.backend}", session=session)
    token = provider.token(f"temp-{stack.backend}")
    assert await _status(client, issued.key) == 200
    assert await _status(client, token) == 200
    async with stack.sessionmaker.begin() as session:
        await principals.set_active(f"temp-{stack.backend}", False, session=session)
    assert await _status(client, issued.key) == 401
    assert await _status(client, token) == 401


def test_the_users_and_keys_commands_create_list_and_revoke(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from activities.policy.routing import DEMO_REGISTRY
    from activities.store.migrate import upgrade
    from worker import main

    database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    upgrade(database)
    env = pytest.MonkeyPatch()
    env.setenv("FENGQIAO_DATABASE_URL", database)
    try:
        add = ["users", "add", "wangfang", "--name", "王芳", "--role", "mediator"]
        assert main([*add, "--jurisdiction", "320102"]) == 1  # a mediator needs a center
        assert main([*add, "--jurisdiction", "320102", "--center", "xw-center"]) == 1
        assert "xw-center 不存在" in capsys.readouterr().out  # not in the registry yet
        assert main(["registry", "load", str(DEMO_REGISTRY)]) == 0
        assert main([*add, "--jurisdiction", "320102", "--center", "xw-center"]) == 0
        assert main([*add, "--jurisdiction", "320102", "--center", "xw-center"]) == 1  # exists
        capsys.readouterr()
        assert main(["keys", "create", "wangfang", "--expires-in-days", "90"]) == 0
        key = capsys.readouterr().out.strip().splitlines()[-1]
        assert principals.parse_key(key) is not None
        assert main(["keys", "list"]) == 0
        listing = capsys.readouterr().out
        key_id = principals.parse_key(key)
        assert key_id in listing
        assert key not in listing  # the secret is shown once, at creation only
        assert main(["keys", "revoke", str(key_id)]) == 0
        assert main(["keys", "list"]) == 0
        assert "revoked" in capsys.readouterr().out
        assert main(["keys", "revoke", "nosuchkey"]) == 1
    finally:
        env.undo()
