"""Every POST needs the session's form token and this origin (CSRF); OIDC sign-in with PKCE
against a tiny fake identity provider on loopback (RS256 id_token), never a real one."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from activities.runtime.devstack import free_port
from api.app import create_app
from tests.console.conftest import PASSWORD, Console

pytestmark = pytest.mark.e2e


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def _signed_in(console: Console, user_id: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=console.url, timeout=30, trust_env=False)
    form = await client.get("/signin")
    answer = await client.post(
        "/signin",
        data={"csrf_token": _csrf(form.text), "user_id": user_id, "password": PASSWORD},
        headers={"Origin": console.url},
    )
    assert answer.status_code == 303, answer.text
    return client


async def test_a_post_without_the_form_token_or_from_elsewhere_is_refused(console: Console) -> None:
    client = await _signed_in(console, "chenjing")
    try:
        page = await client.get("/cases/new")
        token = _csrf(page.text)
        body = {"title": "跨站提交", "description": "x", "category": "other", "channel": "walk_in"}
        refused = await client.post("/cases/new", data=body, headers={"Origin": console.url})
        assert refused.status_code == 403
        assert "表单已失效或来源不明" in refused.text
        foreign = await client.post(
            "/cases/new", data={**body, "csrf_token": token}, headers={"Origin": "http://evil.test"}
        )
        assert foreign.status_code == 403
        wrong = await client.post(
            "/signout", data={"csrf_token": token + "x"}, headers={"Origin": console.url}
        )
        assert wrong.status_code == 403
        # Nothing was registered by the refused posts.
        listed = await client.get("/cases", params={"q": "跨站提交"})
        assert "没有符合条件的案件" in listed.text
        out = await client.post(
            "/signout", data={"csrf_token": token}, headers={"Origin": console.url}
        )
        assert out.status_code == 303
        after = await client.get("/cases")
        assert after.status_code == 303
        assert after.headers["location"].startswith("/signin")
    finally:
        await client.aclose()


async def test_the_sign_in_form_itself_needs_its_token_and_origin(console: Console) -> None:
    async with httpx.AsyncClient(base_url=console.url, timeout=30, trust_env=False) as client:
        answer = await client.post(
            "/signin",
            data={"user_id": "chenjing", "password": PASSWORD},
            headers={"Origin": console.url},
        )
        assert answer.status_code == 403
        assert "fq_session" not in answer.cookies


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeIdp:
    """Discovery, authorize (redirects back at once, as if the person signed in), token, JWKS."""

    def __init__(self, port: int, subject: str) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.subject = subject
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self.discovery)
        app.router.add_get("/authorize", self.authorize)
        app.router.add_post("/token", self.token)
        app.router.add_get("/jwks", self.jwks)
        return app

    async def discovery(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
            }
        )

    async def authorize(self, request: web.Request) -> web.Response:
        query = request.query
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = dict(query)
        raise web.HTTPFound(f"{query['redirect_uri']}?code={code}&state={query['state']}")

    async def token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({k: str(v) for k, v in form.items()})
        asked = self.codes.pop(str(form["code"]), None)
        verifier = str(form.get("code_verifier", ""))
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        if asked is None or challenge != asked["code_challenge"]:
            return web.json_response({"error": "invalid_grant"}, status=400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": asked["client_id"],
            "sub": self.subject,
            "nonce": asked["nonce"],
            "iat": now,
            "exp": now + 300,
        }
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})
        return web.json_response({"id_token": token, "token_type": "Bearer"})

    async def jwks(self, _request: web.Request) -> web.Response:
        public: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(
            self.key.public_key(), as_dict=True
        )
        return web.json_response({"keys": [{**public, "kid": "k1", "alg": "RS256"}]})


@pytest.fixture
async def idp() -> AsyncIterator[FakeIdp]:
    port = free_port()
    fake = FakeIdp(port, subject="zhoujun")  # 周军, a county leader of the directory
    runner = web.AppRunner(fake.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield fake
    await runner.cleanup()


async def test_oidc_sign_in_with_pkce_opens_a_session_for_a_directory_user(
    console: Console, idp: FakeIdp
) -> None:
    settings = console.settings.model_copy(
        update={"oidc_issuer": idp.issuer, "oidc_client_id": "fengqiao-console"}
    )
    app = create_app(settings, temporal=console.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://console.test") as browser,
            httpx.AsyncClient(trust_env=False) as to_idp,
        ):
            page = await browser.get("/signin")
            assert "使用统一身份认证登录" in page.text
            start = await browser.get("/signin/oidc", params={"next": "/leader"})
            assert start.status_code == 303
            target = start.headers["location"]
            asked = parse_qs(urlsplit(target).query)
            assert asked["code_challenge_method"] == ["S256"]
            back = await to_idp.get(target)  # the person signs in at the provider
            callback = urlsplit(back.headers["location"])
            assert callback.path == "/signin/oidc/callback"
            # A forged state is refused.
            forged = await browser.get(f"{callback.path}?code=x&state=forged")
            assert forged.status_code == 400
            done = await browser.get(f"{callback.path}?{callback.query}")
            assert done.status_code == 303, done.text
            assert done.headers["location"] == "/leader"
            assert idp.token_requests[-1]["code_verifier"]
            board = await browser.get("/leader")
            assert board.status_code == 200
            assert "周军（领导）" in board.text


async def test_an_audit_read_needs_a_post_with_the_form_token(console: Console) -> None:
    """A link on another site (a GET carrying a view and a purpose) makes an auditor's browser
    read nothing and record nothing; a POST without the form token is refused; the auditor's
    own form reads the case and records the purpose."""
    from sqlalchemy import text

    from tests.principals import bearer
    from tests.samples import intake_body

    async with httpx.AsyncClient(base_url=console.url, timeout=60, trust_env=False) as api:
        created = await api.post(
            "/v1/cases",
            json=intake_body(title="审计跨站测试"),
            headers={**bearer(console.keys["mediator"]), "Idempotency-Key": secrets.token_hex(8)},
        )
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    client = await _signed_in(console, "wuming")  # 吴明, auditor of the district

    async def recorded(purpose: str) -> int:
        async with console.sessionmaker() as session:
            found = await session.execute(
                text("SELECT count(*) FROM access_trail WHERE case_id = :c AND purpose = :p"),
                {"c": case_id, "p": purpose},
            )
            return int(found.scalar_one())

    try:
        page = await client.get(f"/audit/cases/{case_id}")
        token = _csrf(page.text)
        planted = "攻击者指定的用途"
        link = await client.get(
            f"/audit/cases/{case_id}", params={"view": "verify", "purpose": planted}
        )
        assert link.status_code == 200
        assert 'id="verify-result"' not in link.text
        bare = await client.post(
            f"/audit/cases/{case_id}",
            data={"view": "verify", "purpose": planted},
            headers={"Origin": console.url},
        )
        assert bare.status_code == 403
        assert await recorded(planted) == 0
        own = await client.post(
            f"/audit/cases/{case_id}",
            data={"csrf_token": token, "view": "verify", "purpose": "年度抽查"},
            headers={"Origin": console.url},
        )
        assert own.status_code == 200
        assert 'id="verify-result"' in own.text
        assert await recorded("年度抽查") == 1
    finally:
        await client.aclose()
