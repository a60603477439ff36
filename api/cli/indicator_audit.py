"""``fengqiao audit indicators``: every figure of a place and period recounted from the event
store, beside the figure the dashboard shows from the read model; exit 1 when any differs."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime

from activities.audit.indicator_recount import recount
from activities.policy.indicators import load_indicators
from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker
from api.services.indicators import Scope, scope_facts, shown_value
from domain.indicators.compute import figures
from domain.indicators.definitions import parse_period
from domain.values import Category, china_date


def add_indicator_audit(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = actions.add_parser("indicators", help="recount indicators from the event store")
    parser.add_argument("--period", required=True, help="2026-03, 2026-Q1, 2026, a..b")
    parser.add_argument("--jurisdiction", required=True, help="county/town/village code")
    parser.add_argument("--category", default=None)
    parser.add_argument("--as-of", default=None, help="统计日 YYYY-MM-DD (default: today)")
    parser.add_argument("--json", action="store_true", help="one JSON document")


async def indicator_audit_cli(settings: Settings, args: argparse.Namespace) -> int:
    period = parse_period(args.period)
    category = Category(args.category) if args.category else None
    as_of = date.fromisoformat(args.as_of) if args.as_of else china_date(datetime.now(UTC))
    indicators = load_indicators(settings.policy_dir)
    scope = Scope(args.jurisdiction, None, args.jurisdiction)
    engine = create_engine(settings.resolved_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            facts, petitions = await scope_facts(scope, period, category, session=session)
            shown = figures(indicators, facts, period, as_of=as_of, petitions=petitions)
            again = await recount(
                indicators,
                period,
                counties=[args.jurisdiction[:6]],
                jurisdiction=args.jurisdiction,
                org_ids=None,
                category=category,
                as_of=as_of,
                session=session,
            )
    finally:
        await engine.dispose()
    lines = [
        {
            "indicator_id": a.indicator_id,
            "name": a.name,
            "read_model": shown_value(a),
            "events": shown_value(b),
            "numerator": [a.numerator, b.numerator],
            "denominator": [a.denominator, b.denominator],
            "agrees": a == b,
        }
        for a, b in zip(shown, again, strict=True)
    ]
    agrees = all(line["agrees"] for line in lines)
    if args.json:
        print(json.dumps({"period": args.period, "as_of": str(as_of), "lines": lines}))  # noqa: T201
    else:
        for line in lines:
            mark = "一致" if line["agrees"] else "不一致"
            print(  # noqa: T201
                f"{line['name']}\t读模型 {line['read_model']}\t事件重算 {line['events']}\t{mark}"
            )
    return 0 if agrees else 1
