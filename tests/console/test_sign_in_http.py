"""Sign-in over HTTP on both stores: the hash never stalls the API, one answer whatever the name,
growing delays answered 429 with Retry-After, the client address taken from a proxy only when
the proxy is trusted."""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from activities.identity import passwords, principals
from activities.identity.hashing import HashPool
from activities.runtime.settings import Settings
from activities.store.engine import create_sessionmaker
from api.app import create_app
from api.remote import client_address
from domain.people.access import Principal, Role

PASSWORD = "Right-password-1"
BAD = "用户名或密码错误"


@dataclass
class Site:
    app: FastAPI
    client: httpx.AsyncClient
    user_id: str

    def use_hasher(self, verify: Callable[[str, str], bool], *, threads: int, queue: int) -> None:
        self.app.state.resources.hashes = HashPool(verify, threads=threads, queue=queue)


@pytest.fixture
async def site(engine: AsyncEngine) -> AsyncIterator[Site]:
    sessionmaker = create_sessionmaker(engine)
    user_id = f"u{uuid.uuid4().hex[:10]}"
    async with sessionmaker.begin() as session:
        await principals.create_user(
            Principal(
                user_id=user_id, display_name="测试", role=Role.LEADER, jurisdiction="320102"
            ),
            session=session,
        )
        await passwords.set_password(user_id, PASSWORD, session=session)
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        sign_in_first_delay_seconds=60,
        sign_in_address_max_failures=1000,  # every test of the module signs in from one address
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield Site(app, client, user_id)


async def _sign_in(client: httpx.AsyncClient, user_id: str, password: str) -> httpx.Response:
    form = await client.get("/signin")
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found is not None
    return await client.post(
        "/signin",
        data={"csrf_token": found.group(1), "user_id": user_id, "password": password},
        headers={"Origin": "http://t"},
    )


def _message(page: httpx.Response) -> str:
    found = re.search(r'id="signin-error">([^<]*)<', page.text)
    return found.group(1) if found else ""


async def _until(condition: Callable[[], bool]) -> None:
    """Poll with a deadline (never a fixed sleep)."""
    async with asyncio.timeout(30):
        while not condition():
            await asyncio.sleep(0.01)


async def test_healthz_answers_while_thirty_sign_ins_wait_on_the_hash(site: Site) -> None:
    """Finding 5: argon2id ran on the event loop; 30 bad sign-ins at once stalled /healthz.
    The checks are held inside the hash; the API still answers."""
    release = threading.Event()
    entered: list[str] = []

    def slow(stored: str, password: str) -> bool:
        entered.append(threading.current_thread().name)
        release.wait(60)
        return False

    site.use_hasher(slow, threads=2, queue=28)
    pool: HashPool = site.app.state.resources.hashes
    attempts = [
        asyncio.create_task(_sign_in(site.client, f"name{n}-{uuid.uuid4().hex[:6]}", "bad"))
        for n in range(30)
    ]
    try:
        await _until(lambda: len(entered) == 2 and pool.in_flight == 30)
        health = await site.client.get("/healthz")
        assert health.status_code == 200
        assert not any(attempt.done() for attempt in attempts)  # all still waiting on the hash
        assert all(name.startswith("argon2") for name in entered)
    finally:
        release.set()
    answers = await asyncio.gather(*attempts)
    assert {answer.status_code for answer in answers} == {401}


async def test_beyond_the_hash_pool_a_sign_in_is_refused_at_once(site: Site) -> None:
    release = threading.Event()

    def slow(stored: str, password: str) -> bool:
        release.wait(60)
        return False

    site.use_hasher(slow, threads=1, queue=1)
    pool: HashPool = site.app.state.resources.hashes
    held = [
        asyncio.create_task(_sign_in(site.client, f"held{n}-{uuid.uuid4().hex[:6]}", "bad"))
        for n in range(2)
    ]
    try:
        await _until(lambda: pool.in_flight == 2)
        refused = await _sign_in(site.client, site.user_id, PASSWORD)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        assert _message(refused) == "登录请求较多，请稍后再试"
    finally:
        release.set()
    assert {answer.status_code for answer in await asyncio.gather(*held)} == {401}


async def test_a_real_and_an_unknown_name_get_one_answer_and_one_delay(site: Site) -> None:
    """Finding 11: the lock message told real accounts from unknown names."""
    unknown = f"nobody{uuid.uuid4().hex[:6]}"
    answers: dict[str, list[tuple[int, str, str | None]]] = {}
    for name in (site.user_id, unknown):
        answers[name] = []
        for _ in range(6):
            page = await _sign_in(site.client, name, "wrong-password")
            answers[name].append(
                (page.status_code, _message(page), page.headers.get("Retry-After"))
            )
    for name in (site.user_id, unknown):
        assert answers[name][:5] == [(401, BAD, None)] * 5
        status, message, retry_after = answers[name][5]
        assert status == 429
        assert retry_after is not None
        assert 55 <= int(retry_after) <= 60  # the seconds left: the clock moved between the two
        assert message == f"登录尝试过于频繁，请于 {retry_after} 秒后再试"
    # The right password waits too while the delay lasts (the answer says nothing more).
    waiting = await _sign_in(site.client, site.user_id, PASSWORD)
    assert waiting.status_code == 429


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 5000), "headers": headers})


def test_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    proxies = ("10.0.0.0/8",)
    # A client that forges the header straight to the app is still counted at its own address.
    assert client_address(_request("203.0.113.7", "1.2.3.4"), proxies) == "203.0.113.7"
    assert client_address(_request("203.0.113.7", "1.2.3.4"), ()) == "203.0.113.7"
    # Through the trusted proxy: the nearest address no trusted proxy vouches for.
    forwarded = "1.2.3.4, 198.51.100.5, 10.0.0.9"
    assert client_address(_request("10.0.0.2", forwarded), proxies) == "198.51.100.5"
    assert client_address(_request("10.0.0.2", None), proxies) == "10.0.0.2"
