"""The console in a real browser: Temporal dev server + worker + the app served over HTTP by
uvicorn on PostgreSQL, and Debian's Chromium driven by Playwright (never a downloaded browser).

The console gets a Temporal namespace and a database of its own, so its case numbers never meet
another fixture's workflows.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Error, Page, Request, async_playwright
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.identity import passwords
from activities.runtime.devstack import free_port
from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker
from api.app import create_app
from tests import principals
from tests.console.helpers import unlabelled_inputs
from worker import (
    WORKFLOWS,
    build_worker,
    case_activities,
    diversion_activities,
    ledger_activities,
    recurring_activities,
    report_activities,
)

CHROMIUM = Path(os.environ.get("FENGQIAO_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "Fengqiao-2026!"  # every test user's console password
NAMESPACE = "console"


@dataclass
class Console:
    url: str
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    client: Client
    keys: dict[str, str]


@pytest.fixture(scope="session")
async def console(
    temporal_env: WorkflowEnvironment,
    fresh_database_url: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Console]:
    database_url = await fresh_database_url("postgresql")  # type: ignore[operator]
    target = temporal_env.client.service_client.config.target_host
    client = await Client.connect(
        target, namespace=NAMESPACE, data_converter=pydantic_data_converter
    )
    port = free_port()
    # This deployment tells a breach already past at entry at once (no 补录宽限), so a page can
    # show the breach of a case registered late without waiting half an hour.
    policy_dir = tmp_path_factory.mktemp("policy")
    (policy_dir / "prompt.json").write_text(
        json.dumps({"jurisdiction": "32", "version": "console-1", "late_entry_grace_minutes": 0})
    )
    settings = Settings(
        database_url=database_url,
        temporal_address=target,
        temporal_namespace=NAMESPACE,
        task_queue="console-cases",
        api_port=port,
        policy_dir=policy_dir,
        # Past five failures an attempt waits a minute (not 2 s): a browser is slower than that.
        sign_in_first_delay_seconds=60,
    )
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    keys = await principals.seed(sessionmaker)
    async with sessionmaker.begin() as session:
        for user in principals.USERS.values():
            await passwords.set_password(user.user_id, PASSWORD, session=session)
    app = create_app(settings, temporal=client, workflows=WORKFLOWS)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        activities = [*case_activities(engine, settings, http)]
        activities += diversion_activities(engine, client, settings)
        activities += recurring_activities(engine, client, settings)
        activities += ledger_activities(engine, client, settings)
        activities += report_activities(engine, settings)
        async with build_worker(client, settings.task_queue, activities):
            serving = asyncio.create_task(server.serve())
            for _ in range(200):
                if server.started:
                    break
                await asyncio.sleep(0.05)
            assert server.started, "uvicorn did not start"
            try:
                yield Console(f"http://127.0.0.1:{port}", settings, sessionmaker, client, keys)
            finally:
                server.should_exit = True
                await serving
    await engine.dispose()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    async with async_playwright() as playwright:
        # The browser's own language is Chinese (date inputs read 年/月/日), as on users' machines.
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--lang=zh-CN"],
            env={**os.environ, "LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN:zh"},
        )
        yield launched
        await launched.close()


@dataclass
class Pages:
    """Opens pages at a viewport; records every request that leaves the console's server and
    every input a screen reader could not name, on every page loaded."""

    console: Console
    browser: Browser
    outside: list[str] = field(default_factory=list)
    opened: list[Page] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)

    async def open(self, width: int = 1366, height: int = 768, *, javascript: bool = True) -> Page:
        context = await self.browser.new_context(
            java_script_enabled=javascript,
            viewport={"width": width, "height": height},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
        )
        page = await context.new_page()
        page.set_default_timeout(30_000)
        host = urlsplit(self.console.url).netloc

        def watch(request: Request) -> None:
            found = urlsplit(request.url)
            if found.scheme not in ("data", "blob", "about") and found.netloc != host:
                self.outside.append(request.url)

        async def labels(loaded: Page) -> None:
            try:
                missing = await unlabelled_inputs(loaded)
            except Error:  # gone on to the next page meanwhile: that one is checked on its load
                return
            self.unlabelled.extend(f"{loaded.url}: {name}" for name in missing)

        page.on("request", watch)
        page.on("load", labels)
        self.opened.append(page)
        return page

    async def sign_in(self, page: Page, user_id: str, password: str = PASSWORD) -> None:
        await page.goto(f"{self.console.url}/signin")
        await page.get_by_label("用户名").fill(user_id)
        await page.get_by_label("密码").fill(password)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_load_state()


@pytest.fixture
async def pages(console: Console, browser: Browser) -> AsyncIterator[Pages]:
    opened = Pages(console, browser)
    yield opened
    for page in opened.opened:
        await page.context.close()
    assert opened.outside == [], f"requests left the server: {opened.outside}"
    assert opened.unlabelled == [], f"inputs without a label: {opened.unlabelled}"


Shot = Callable[[Page, str], Awaitable[None]]


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    """Save a full-page screenshot under tests/console/screenshots/<test>/<name>.png."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    async def take(page: Page, name: str) -> None:
        await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


__all__ = ["PASSWORD", "Console", "Pages", "Shot", "timedelta"]
