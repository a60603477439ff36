"""``fengqiao registry``: load the organisation registry from a file, and show it.

Like ``fengqiao users`` it works on the database directly. ``load`` is an upsert: loading the
same file again changes nothing, and entries the file does not name are kept.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

from activities.identity import admin_trail
from activities.identity.admin_trail import COMMAND_LINE
from activities.policy.book import PolicyError
from activities.policy.routing import DEMO_REGISTRY, load_registry_file
from activities.runtime.settings import Settings
from activities.store import registry as store
from activities.store.engine import create_engine, create_sessionmaker
from domain.case.labels import CATEGORY_LABELS
from domain.organisation.organisations import ORG_TYPE_LABELS
from domain.organisation.registry import (
    EMPLOYMENT_LABELS,
    JURISDICTION_LEVEL_LABELS,
    Organisation,
    Registry,
)
from domain.people.administration import AdminAction


def add_registry_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    registry = commands.add_parser("registry", help="单位名录: load from a file, show")
    actions = registry.add_subparsers(dest="registry_command", required=True)
    load = actions.add_parser("load", help="load (upsert) a registry file (JSON)")
    load.add_argument(
        "file", type=Path, help=f"jurisdictions, organisations, mediators (e.g. {DEMO_REGISTRY})"
    )
    show = actions.add_parser("show", help="print the places, organisations and roster")
    show.add_argument("--under", default=None, help="only this county/town/village code's subtree")


def run_registry(args: argparse.Namespace, settings: Settings) -> int:
    if args.registry_command == "load":
        try:
            registry = load_registry_file(args.file)
        except PolicyError as error:
            print(f"失败 / failed: {error}")
            return 1
        return asyncio.run(_load(registry, settings))
    return asyncio.run(_show(args.under, settings))


async def _load(registry: Registry, settings: Settings) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            summary = await store.load_registry(registry, session=session)
            await admin_trail.append(
                COMMAND_LINE,
                AdminAction.REGISTRY_CHANGED,
                details={
                    "change": "load",
                    "written": str(
                        summary.jurisdictions + summary.organisations + summary.mediators
                    ),
                },
                at=datetime.now(UTC),
                session=session,
            )
    finally:
        await engine.dispose()
    print(
        f"已载入 / loaded: {summary.jurisdictions} 个区划 jurisdictions, "
        f"{summary.organisations} 个单位 organisations, {summary.mediators} 名调解员 mediators "
        f"written; {summary.unchanged} unchanged"
    )
    return 0


def _describe(org: Organisation, names: dict[str, str]) -> str:
    place = names.get(org.jurisdiction_code, org.jurisdiction_code)
    handles = "、".join(CATEGORY_LABELS[c] for c in org.categories) or "全部类别"
    state = "" if org.active else "  [停用 inactive]"
    parent = f"  ↑{org.parent_id}" if org.parent_id else ""
    return (
        f"{org.org_id}\t{org.name}\t{ORG_TYPE_LABELS[org.type]}\t{place}\t{handles}{parent}{state}"
    )


async def _show(under: str | None, settings: Settings) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            places = await store.list_jurisdictions(under=under, session=session)
            orgs = await store.list_organisations(within=under, session=session)
            names = await store.jurisdiction_names(
                [o.jurisdiction_code for o in orgs], session=session
            )
            roster = {
                org.org_id: await store.list_mediators(org_id=org.org_id, session=session)
                for org in orgs
            }
    finally:
        await engine.dispose()
    print(f"区划 / jurisdictions ({len(places)}):")
    for node in places:
        indent = "  " * (len(node.code) // 3 - 1)
        print(f"{indent}{node.code}  {node.name}（{JURISDICTION_LEVEL_LABELS[node.level]}）")
    print(f"单位 / organisations ({len(orgs)}):")
    for org in orgs:
        print(f"  {_describe(org, names)}")
        for mediator in roster[org.org_id]:
            specialties = "、".join(CATEGORY_LABELS[c] for c in mediator.specialties) or "-"
            state = "" if mediator.active else "  [停用 inactive]"
            print(
                f"      调解员 {mediator.mediator_id}\t{mediator.name}"
                f"\t{EMPLOYMENT_LABELS[mediator.employment]}\t{specialties}{state}"
            )
    return 0
