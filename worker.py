"""Composition root: settings → client → activities → Worker; and the ``fengqiao`` command line.

fengqiao dev       Temporal dev server + worker + API on embedded SQLite (Ctrl-C stops all)
fengqiao worker    the case worker against FENGQIAO_TEMPORAL_ADDRESS / FENGQIAO_DATABASE_URL
fengqiao api       the HTTP API (FENGQIAO_API_HOST / FENGQIAO_API_PORT)
fengqiao migrate   bring the database schema up to date
fengqiao demo      seed realistic Chinese-language cases through a running API
fengqiao users    the user directory (add, list, disable, enable)
fengqiao keys     API keys (create — shown once, list, revoke)
fengqiao audit     verify event chains (verify CASE…|--all), replay recorded histories (replay CASE)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.audit_cli import add_audit_commands, run_audit
from activities.calendar_data import load_calendar
from activities.case_policy import PolicyProvider
from activities.db import create_engine, create_sessionmaker
from activities.directory_cli import add_directory_commands, ensure_local_admin, run_directory
from activities.logging import configure_logging
from activities.migrate import upgrade
from activities.notifier import Notifier
from activities.policies import PolicyBook
from activities.projection import CaseStore
from activities.settings import Settings
from activities.temporal_client import connect, connect_with_retry
from workflows.case_workflow import CaseWorkflow

log = structlog.get_logger("fengqiao.worker")


def case_activities(engine: AsyncEngine, settings: Settings, http: httpx.AsyncClient) -> list[Any]:
    """The real activities: projection store, policy snapshot, alert notifier."""
    return [
        CaseStore(engine).project_case_events,
        policy_provider(settings).load_case_policy,
        Notifier(create_sessionmaker(engine), http).deliver_alert,
    ]


def policy_provider(settings: Settings) -> PolicyProvider:
    """Policy files and holiday data are read and validated once, when the worker starts."""
    return PolicyProvider(
        PolicyBook.load(settings.policy_dir), load_calendar(settings.calendar_dir)
    )


def build_worker(client: Client, task_queue: str, activities: Sequence[Any]) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[CaseWorkflow],
        activities=list(activities),
    )


async def run_worker(settings: Settings) -> None:
    from activities.history_archive import archive_periodically

    engine = create_engine(
        settings.resolved_database_url, pool_size=settings.db_pool_size, pre_ping=False
    )
    client = await connect_with_retry(settings)
    http = httpx.AsyncClient(timeout=15)
    worker = build_worker(client, settings.task_queue, case_activities(engine, settings, http))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("worker_started", task_queue=settings.task_queue, temporal=settings.temporal_address)
    async with worker:
        # Keeps closed case histories past Temporal's retention; 0 turns it off in this process.
        archiver = (
            asyncio.create_task(
                archive_periodically(
                    client,
                    create_sessionmaker(engine),
                    interval_seconds=settings.archive_interval_seconds,
                ),
                name="history-archiver",
            )
            if settings.archive_interval_seconds > 0
            else None
        )
        await stop.wait()
        if archiver is not None:
            archiver.cancel()
            await asyncio.gather(archiver, return_exceptions=True)
    await http.aclose()
    await engine.dispose()
    log.info("worker_stopped")


async def run_calendar_push(settings: Settings) -> int:
    from activities.calendar_push import push_calendar

    engine = create_engine(settings.resolved_database_url)
    try:
        client = await connect(settings)
        calendar = load_calendar(settings.calendar_dir)
        pushed = await push_calendar(client, create_sessionmaker(engine), calendar)
    finally:
        await engine.dispose()
    print(f"节假日数据 {calendar.version}：{len(pushed)} 件案件重算临时期限 / cases rescheduled")
    for case_id in pushed:
        print(f"  {case_id}")
    return 0


def run_api(settings: Settings) -> None:
    import uvicorn

    from api.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
    )


def run_dev(settings: Settings) -> int:
    """Everything on one machine, persisted under the data folder; a restart finds every case."""
    from activities import devstack

    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    admin_key = asyncio.run(ensure_local_admin(settings))
    ports = devstack.DevServerPorts(
        grpc=int(settings.temporal_address.rsplit(":", 1)[1]), ui=settings.temporal_ui_port
    )
    server = devstack.spawn(
        devstack.temporal_dev_server_command(data_dir / "temporal.db", ports),
        log_file=data_dir / "temporal.log",
    )
    children = [server]
    try:
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        env = {
            "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
            "FENGQIAO_DATABASE_URL": settings.resolved_database_url,
            "FENGQIAO_TASK_QUEUE": settings.task_queue,
            "FENGQIAO_API_HOST": settings.api_host,
            "FENGQIAO_API_PORT": str(settings.api_port),
        }
        children.append(devstack.spawn(devstack.python_module_command("worker"), env=env))
        api = devstack.spawn(devstack.python_module_command("api"), env=env)
        children.append(api)
        devstack.wait_for_port(settings.api_port, timeout=60, process=api)
        print(
            "\n枫桥 Fengqiao is running (Ctrl-C stops everything)\n"
            f"  API docs:     http://{settings.api_host}:{settings.api_port}/docs\n"
            f"  Temporal UI:  http://127.0.0.1:{ports.ui}\n"
            f"  Temporal:     127.0.0.1:{ports.grpc}\n"
            f"  Data folder:  {data_dir}\n",
            flush=True,
        )
        if admin_key is not None:
            print(
                "本地管理员密钥（只显示这一次）/ local admin API key (shown once):\n"
                f"  {admin_key}\n"
                "  Add users: fengqiao users add wangfang --name 王芳 --role mediator "
                "--jurisdiction 320102 --center xw-center\n"
                "  Their key: fengqiao keys create wangfang\n",
                flush=True,
            )
        stopping = False

        def _stop(_signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        while not stopping:
            if any(child.poll() is not None for child in children):
                print("a Fengqiao process exited; stopping the others", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        for child in reversed(children):
            devstack.stop(child)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fengqiao", description="枫桥 Fengqiao case engine")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev", help="dev server + worker + API on embedded SQLite")
    commands.add_parser("worker", help="run the case worker")
    commands.add_parser("api", help="run the HTTP API")
    commands.add_parser("migrate", help="upgrade the database schema")
    calendar = commands.add_parser(
        "calendar", help="push newly loaded holiday data to cases with provisional clocks"
    )
    calendar.add_argument("action", choices=["push"])
    add_audit_commands(commands)
    add_directory_commands(commands)
    demo = commands.add_parser("demo", help="seed demo cases through a running API")
    demo.add_argument("--api", default=None, help="API base URL (default: the configured one)")
    args = parser.parse_args(argv)

    settings = Settings()
    configure_logging(settings)
    if args.command == "dev":
        return run_dev(settings)
    if args.command == "worker":
        asyncio.run(run_worker(settings))
        return 0
    if args.command == "api":
        run_api(settings)
        return 0
    if args.command == "migrate":
        upgrade(settings.resolved_database_url)
        return 0
    if args.command == "calendar":
        return asyncio.run(run_calendar_push(settings))
    if args.command == "audit":
        return run_audit(args, settings)
    if args.command in ("users", "keys"):
        return run_directory(args, settings)
    if args.command == "demo":
        from activities.directory_cli import demo_keys
        from api.demo import seed

        base = args.api or f"http://{settings.api_host}:{settings.api_port}"
        keys = asyncio.run(demo_keys(settings))
        print("演示账号密钥 / demo accounts' API keys:")
        for user_id, key in keys.items():
            print(f"  {user_id}: {key}")
        return asyncio.run(seed(base, keys["demo-mediator"]))
    return 2


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
