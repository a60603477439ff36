"""``fengqiao audit``: verify the tamper-evident event chain, replay archived histories."""

from __future__ import annotations

import argparse
import asyncio

from activities.settings import Settings


def add_audit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="审计: verify event chains, replay histories")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="check each case's hash chain and read model")
    verify.add_argument("cases", nargs="*", metavar="CASE", help="case ids, e.g. JF-2026-000001")
    verify.add_argument("--all", action="store_true", help="every case in the store")
    replay = actions.add_parser("replay", help="replay a case's recorded history (determinism)")
    replay.add_argument("case", metavar="CASE")


def run_audit(args: argparse.Namespace, settings: Settings) -> int:
    """Exit status 0 when everything checked out, 1 when anything did not, 2 on bad usage."""
    if args.audit_command == "verify":
        from activities.chain_audit import verify_cli

        if not args.cases and not args.all:
            print("请指定案件编号或 --all / give case ids or --all")  # noqa: T201
            return 2
        return asyncio.run(verify_cli(settings, tuple(args.cases), every=args.all))
    if args.audit_command == "replay":
        from activities.history_archive import replay_cli

        return asyncio.run(replay_cli(settings, args.case))
    return 2
