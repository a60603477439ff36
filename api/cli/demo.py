"""``fengqiao demo``: seed a handful of realistic cases at different stages through the HTTP API."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from activities.runtime.settings import Settings
from api.cli.directory import demo_keys
from domain.values import china_date


def _today() -> str:
    return china_date(datetime.now(UTC)).isoformat()


def _in_days(days: int) -> str:
    return (china_date(datetime.now(UTC)) + timedelta(days=days)).isoformat()


def _party(name: str, phone: str, id_number: str | None = None) -> dict[str, Any]:
    party: dict[str, Any] = {"name": name, "phone": phone}
    if id_number:
        party["id_number"] = id_number
    return party


_JURISDICTION = {
    "county_code": "320102",
    "county_name": "玄武区",
    "town_code": "320102001",
    "town_name": "梅园新村街道",
}


def _steps() -> list[tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]]:
    """(intake, actions) for each demo case; each stops at a different stage."""
    today = _today()
    plan = {
        "responsible_unit": "梅园新村街道人民调解委员会",
        "responsible_person": "王芳",
        "measures": ["实地走访核实情况", "分别约谈双方当事人", "组织联合调解"],
        "deadline": _in_days(30),
    }
    mediation = {"mediation_type": "peoples", "mediators": ["王芳", "赵强"]}
    session = {
        "held_on": today,
        "mediators": ["王芳", "赵强"],
        "attendees": ["当事人双方"],
        "summary": "调解员释法明理，双方就主要争议达成初步共识。",
    }
    return [
        (
            {
                "title": "刘某与物业公司停车费纠纷",
                "description": "业主刘某认为物业公司上调停车费未经业主大会同意，拒绝缴纳。",
                "category": "property_management",
                "channel": "hotline",
                "applicants": [_party("刘洋", "13851234567")],
                "respondents": [{"name": "金陵物业服务有限公司", "party_type": "organisation"}],
            },
            [],
        ),
        (
            {
                "title": "陈某劳务报酬争议",
                "description": "陈某在装修工地务工两个月，包工头拖欠工资一万二千元。",
                "category": "labour",
                "channel": "walk_in",
                "applicants": [_party("陈明", "13912345678", "320102198506123454")],
                "respondents": [_party("周建", "13698765432")],
                "risk_level": "elevated",
                # Received three days ago, registered today (补录): E1 counts from the receipt.
                "received_on": _in_days(-3),
            },
            [("accept", {"note": "属于受理范围", "accepted_on": _in_days(-2)}), ("plan", plan)],
        ),
        (
            {
                "title": "王某家庭赡养纠纷",
                "description": "王老太年逾八旬，三个子女就赡养费分担和轮流照料产生矛盾。",
                "category": "marriage_family",
                "channel": "grid_report",
                "applicants": [_party("王秀英", "13770001111")],
                "respondents": [_party("李军", "13770002222"), _party("李红", "13770003333")],
            },
            [
                ("accept", {}),
                ("plan", plan),
                ("start-mediation", mediation),
                ("sessions", session),
            ],
        ),
        (
            {
                "title": "孙某与赵某相邻采光纠纷",
                "description": "赵某加盖二层影响孙某住房采光，双方多次发生口角。",
                "category": "neighbourhood",
                "channel": "walk_in",
                "applicants": [_party("孙丽", "13605550001")],
                "respondents": [_party("赵刚", "13605550002")],
                "risk_level": "major",
                "flags": {"civil_to_criminal_risk": True},
                "received_on": _in_days(-7),
            },
            [
                ("accept", {"accepted_on": _in_days(-6)}),
                ("plan", plan),
                (
                    "package-leader",
                    {
                        "leader_name": "陈建国",
                        "leader_title": "街道党工委副书记",
                        "reason": "有民转刑风险",
                    },
                ),
                ("start-mediation", {**mediation, "started_on": _in_days(-5)}),
                ("sessions", session),
                ("sessions", {**session, "summary": "双方同意以经济补偿方式解决。"}),
                (
                    "agreement",
                    {
                        # Signed two days ago, recorded today: B7 counts from the signing.
                        "terms": "赵某一次性补偿孙某八千元，孙某不再主张拆除。",
                        "signed_on": _in_days(-2),
                        "items": [{"description": "赵某支付补偿款八千元", "due_on": _in_days(15)}],
                    },
                ),
                ("judicial-confirmation", {"court": "玄武区人民法院", "applied_on": today}),
            ],
        ),
        (
            {
                "title": "某小区装修噪音扰民纠纷",
                "description": "楼上住户夜间装修，楼下老人无法休息。",
                "category": "neighbourhood",
                "channel": "online",
                "applicants": [_party("吴芳", "13512340000")],
                "respondents": [_party("郑浩", "13512340001")],
            },
            [
                ("accept", {}),
                ("start-mediation", mediation),
                (
                    "agreement",
                    {
                        "terms": "郑某承诺晚八点后不施工。",
                        "form": "oral",
                        "signed_on": today,
                        "items": [{"description": "晚八点后停止施工", "due_on": today}],
                    },
                ),
                (
                    "follow-ups",
                    {
                        "visited_on": today,
                        "performance": [{"item_no": 1, "status": "performed"}],
                        "satisfaction": "satisfied",
                    },
                ),
                ("close", {"remark": "回访满意，予以销号"}),
            ],
        ),
    ]


async def seed(base_url: str, key: str) -> int:
    """Drive the demo cases through the API as the mediator holding ``key``."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60, headers=headers) as client:
        for number, (intake, actions) in enumerate(_steps(), start=1):
            body = {"jurisdiction": _JURISDICTION, **intake}
            response = await client.post(
                "/v1/cases", json=body, headers={"Idempotency-Key": f"demo-{number}-{_today()}"}
            )
            response.raise_for_status()
            case = response.json()
            for step, (action, payload) in enumerate(actions, start=1):
                response = await client.post(
                    f"/v1/cases/{case['case_id']}/{action}",
                    json=payload,
                    headers={"Idempotency-Key": f"demo-{number}-{step}-{_today()}"},
                )
                response.raise_for_status()
                case = response.json()
            print(f"{case['case_id']}  {case['labels']['stage']:<8}  {case['title']}")
    return 0


def run_demo(settings: Settings, api: str | None) -> int:
    """Demo accounts (keys printed), then the demo cases through the running API."""
    base = api or f"http://{settings.api_host}:{settings.api_port}"
    keys = asyncio.run(demo_keys(settings))
    print("演示账号密钥 / demo accounts' API keys:")
    for user_id, key in keys.items():
        print(f"  {user_id}: {key}")
    return asyncio.run(seed(base, keys["demo-mediator"]))
