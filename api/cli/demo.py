"""``fengqiao demo``: the demo county, its accounts and a set of cases seeded through the HTTP API.

Each case is registered and driven by the demo accounts whose organisations send each step, with
their own keys (api.cli.demo_cases). A second run the same day finds the same cases (the
idempotency keys carry the date) and leaves them as they stand.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import httpx

from activities.runtime.settings import Settings
from api.cli.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_keys
from api.cli.demo_cases import MEIYUAN_PLACE, DemoCase, demo_cases
from domain.people.access import ROLE_LABELS
from domain.values import china_date

REGISTERED = "registered"


def _holder(case: dict[str, Any]) -> str:
    """The holding organisation's name: an object in a case view, a name in a report status."""
    holder = case.get("holder")
    if isinstance(holder, dict):
        return str(holder.get("name", ""))
    return str(holder or "")


async def _send(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], key: str
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers={"Idempotency-Key": key})
    if response.is_error:
        raise RuntimeError(f"{path}: {response.status_code} {response.text}")
    answer: dict[str, Any] = response.json()
    return answer


async def _drive(
    clients: dict[str, httpx.AsyncClient], number: int, plan: DemoCase, today: str
) -> dict[str, Any]:
    """Register one case and take its steps, each as the person named; a case found already
    past registration (an earlier run today) is left as it stands."""
    body = {"jurisdiction": MEIYUAN_PLACE, **plan.intake}
    case = await _send(clients[plan.registrar], "/v1/cases", body, f"demo-{number}-{today}")
    if case["stage"] != REGISTERED:
        return case
    for step, (who, action, payload) in enumerate(plan.steps, start=1):
        case = await _send(
            clients[who],
            f"/v1/cases/{case['case_id']}/{action}",
            payload,
            f"demo-{number}-{step}-{today}",
        )
    return case


async def seed(
    base_url: str, keys: dict[str, str], *, transport: httpx.AsyncBaseTransport | None = None
) -> list[dict[str, Any]]:
    """Drive the demo cases through the API at ``base_url``, each actor with their own key;
    prints one line per case and returns the cases as the last actor saw them."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    today = china_date(datetime.now(UTC))
    clients = {
        user_id: httpx.AsyncClient(
            base_url=base_url,
            timeout=60,
            transport=transport,
            headers={"Authorization": f"Bearer {key}"},
        )
        for user_id, key in keys.items()
    }
    seeded: list[dict[str, Any]] = []
    try:
        for number, plan in enumerate(demo_cases(today), start=1):
            case = await _drive(clients, number, plan, today.isoformat())
            seeded.append(case)
            print(
                f"  {case['case_id']}  {case['labels']['stage']:<6}  {_holder(case):<16}"
                f"  {case['title']}  ——{plan.shows}"
            )
    finally:
        for client in clients.values():
            await client.aclose()
    return seeded


def print_accounts(keys: dict[str, str], console_url: str) -> None:
    """Who to sign in as, the demo password, the console's address; the keys for the API."""
    print()
    print(f"控制台 / console: {console_url}")
    print(f"演示账号密码 / demo password (every demo account): {DEMO_PASSWORD}")
    print(
        "  仅供试用本系统，切勿用于生产环境 / for trying the system only, never in production"
        "（已设置过密码的账号保持原密码 / accounts with a password keep it）"
    )
    for account in DEMO_ACCOUNTS:
        principal = account.principal
        print(
            f"  {principal.user_id:<22} {principal.display_name:<6}"
            f" {ROLE_LABELS[principal.role]:<6} {account.shows}"
        )
    print()
    print("API 密钥 / API keys (Authorization: Bearer …):")
    for user_id, key in keys.items():
        print(f"  {user_id}: {key}")


async def demo(
    settings: Settings, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> int:
    """Demo county and accounts, the cases through the API at ``base_url``, then the accounts."""
    keys = await demo_keys(settings)
    print("演示案件 / demo cases:")
    await seed(base_url, keys, transport=transport)
    print_accounts(keys, f"{base_url.rstrip('/')}/")
    return 0


def run_demo(settings: Settings, api: str | None) -> int:
    base = api or f"http://{settings.api_host}:{settings.api_port}"
    return asyncio.run(demo(settings, base))
