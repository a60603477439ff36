"""The ``fengqiao`` command line: one home for every subcommand.

``worker.py`` (the composition root) calls :func:`main` with what only it may build: the workflow
classes and how to run a worker. Everything else a command needs it builds from ``Settings``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from activities.runtime.logging import configure_logging
from activities.runtime.party_keys import party_keyring
from activities.runtime.settings import Settings
from activities.store.migrate import grant_async, upgrade
from api.cli.audit import add_audit_commands, run_audit
from api.cli.directory import add_directory_commands, run_directory
from api.cli.registry import add_registry_commands, run_registry


@dataclass(frozen=True)
class Composition:
    """What the composition root hands the command line."""

    workflows: Sequence[type]
    run_worker: Callable[[Settings], Coroutine[Any, Any, None]]


def _parser() -> argparse.ArgumentParser:
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
    add_registry_commands(commands)
    demo = commands.add_parser("demo", help="seed demo cases through a running API")
    demo.add_argument("--api", default=None, help="API base URL (default: the configured one)")
    return parser


def main(argv: Sequence[str] | None, composition: Composition) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)
    if args.command == "dev":
        from api.cli.dev import run_dev

        return run_dev(settings)
    if args.command == "worker":
        asyncio.run(composition.run_worker(settings))
        return 0
    if args.command == "api":
        from api.cli.serve import run_api

        run_api(settings, workflows=composition.workflows)
        return 0
    if args.command == "migrate":
        upgrade(
            settings.resolved_database_url,
            search_key=settings.search_hash_key,
            party_hash_key=party_keyring(settings).current_key,
        )
        if settings.database_app_role:
            asyncio.run(grant_async(settings.resolved_database_url, settings.database_app_role))
        return 0
    if args.command == "calendar":
        from api.cli.calendar import run_calendar_push

        return asyncio.run(run_calendar_push(settings))
    if args.command == "audit":
        return run_audit(args, settings, composition.workflows)
    if args.command in ("users", "keys"):
        return run_directory(args, settings)
    if args.command == "registry":
        return run_registry(args, settings)
    if args.command == "demo":
        from api.cli.demo import run_demo

        return run_demo(settings, args.api)
    return 2
