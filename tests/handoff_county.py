"""A county of its own for hand-off tests: 江宁区 (320115), its units, roster and staff.

Its own county code keeps its routing (a labour room handling labour disputes county-wide) away
from the cases other tests register in 玄武区. The hand-off targets the shared sample bodies name
(tests.samples ORGS: xw-labour-room…) are registered too, in a county no case is placed in
(320199), so every route resolves them and the 409 matrix reaches the case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import principals
from activities.store import registry as registry_store
from domain.organisation.registry import Registry
from domain.people.access import Principal, Role

COUNTY = "320115"  # 江宁区
DONGSHAN = "320115001"  # 东山街道
MOLING = "320115002"  # 秣陵街道
SHANGFANG = "320115001001"  # 上坊社区
GRID = "320115001001001"  # 上坊社区第一网格

SHANGFANG_PLACE: dict[str, str] = {
    "county_code": COUNTY,
    "town_code": DONGSHAN,
    "village_code": SHANGFANG,
    "county_name": "江宁区",
    "town_name": "东山街道",
    "village_name": "上坊社区",
}


def _org(org_id: str, name: str, type_: str, code: str, **more: Any) -> dict[str, Any]:
    level = {6: "county", 9: "town", 12: "village"}[len(code)]
    return {
        "org_id": org_id,
        "name": name,
        "type": type_,
        "level": level,
        "jurisdiction_code": code,
        **more,
    }


def _place(code: str, name: str) -> dict[str, Any]:
    level = {6: "county", 9: "town", 12: "village", 15: "grid"}[len(code)]
    parent = {6: None, 9: code[:6], 12: code[:9], 15: code[:12]}[len(code)]
    return {"code": code, "name": name, "level": level, "parent_code": parent}


JIANGNING = Registry.model_validate(
    {
        "jurisdictions": [
            _place(COUNTY, "江宁区"),
            _place(DONGSHAN, "东山街道"),
            _place(MOLING, "秣陵街道"),
            _place(SHANGFANG, "上坊社区"),
            _place(GRID, "上坊社区第一网格"),
        ],
        "organisations": [
            _org("jn-county-center", "江宁区矛盾纠纷多元化解中心", "center", COUNTY),
            _org(
                "jn-ds-center",
                "东山街道综治中心",
                "center",
                DONGSHAN,
                parent_id="jn-county-center",
            ),
            _org(
                "jn-ml-center",
                "秣陵街道综治中心",
                "center",
                MOLING,
                parent_id="jn-county-center",
            ),
            _org(
                "jn-sf-committee",
                "上坊社区人民调解委员会",
                "mediation_committee",
                SHANGFANG,
                parent_id="jn-ds-center",
            ),
            _org(
                "jn-labour-room",
                "江宁区劳动争议调解室",
                "sector_room",
                COUNTY,
                parent_id="jn-county-center",
                categories=["labour"],
            ),
            _org(
                "jn-hrss",
                "江宁区人力资源和社会保障局",
                "department",
                COUNTY,
                categories=["labour"],
            ),
            _org("jn-closed-room", "江宁区原物业纠纷调解室", "sector_room", COUNTY, active=False),
        ],
        "mediators": [
            {"mediator_id": "jn-m-01", "name": "黄志刚", "org_id": "jn-labour-room"},
            {"mediator_id": "jn-m-02", "name": "马晓燕", "org_id": "jn-labour-room"},
            {"mediator_id": "jn-m-03", "name": "陈建平", "org_id": "jn-county-center"},
            {"mediator_id": "jn-m-04", "name": "刘敏", "org_id": "jn-county-center"},
            {"mediator_id": "jn-m-05", "name": "张桂兰", "org_id": "jn-sf-committee"},
            {
                "mediator_id": "jn-m-06",
                "name": "赵退休",
                "org_id": "jn-county-center",
                "active": False,
            },
        ],
    }
)

# The sample bodies' hand-off targets (tests.samples ORGS), where no case is placed; and the
# village committee and grid of tests.principals' grid worker, where the sample cases are placed.
SAMPLE_TARGETS = Registry.model_validate(
    {
        "jurisdictions": [
            _place("320199", "测试县"),
            _place("320199001", "测试镇"),
            _place("320102", "玄武区"),
            _place("320102001", "梅园新村街道"),
            _place("320102001002", "大行宫社区"),
            _place("320102001002001", "大行宫社区第一网格"),
        ],
        "organisations": [
            _org(
                "xw-dxg-committee",
                "大行宫社区人民调解委员会",
                "mediation_committee",
                "320102001002",
            ),
            _org("xw-county-center", "玄武区矛盾纠纷调解中心", "center", "320199"),
            _org(
                "xw-labour-room",
                "玄武区劳动争议调解室",
                "sector_room",
                "320199",
                parent_id="xw-county-center",
                categories=["labour"],
            ),
            _org("xw-hrss", "玄武区人力资源和社会保障局", "department", "320199"),
            _org("xw-police-room", "梅园新村派出所调解室", "police_room", "320199001"),
        ],
    }
)


def _staff(user_id: str, name: str, org_id: str, area: str) -> Principal:
    return Principal(
        user_id=user_id, display_name=name, role=Role.MEDIATOR, jurisdiction=area, center_id=org_id
    )


# Who acts in the hand-off flow: one person of each organisation, a leader and a grid worker.
STAFF: dict[str, Principal] = {
    "village": _staff("jn-zhangguilan", "张桂兰", "jn-sf-committee", SHANGFANG),
    "labour": _staff("jn-huangzhigang", "黄志刚", "jn-labour-room", COUNTY),
    "town": _staff("jn-zhoutao", "周涛", "jn-ds-center", DONGSHAN),
    "hrss": _staff("jn-xulixin", "许立新", "jn-hrss", COUNTY),
    "county": _staff("jn-chenjianping", "陈建平", "jn-county-center", COUNTY),
    "unrelated": _staff("jn-sunguodong", "孙国栋", "jn-ml-center", MOLING),
    "leader": Principal(
        user_id="jn-wugang", display_name="吴刚", role=Role.LEADER, jurisdiction=COUNTY
    ),
    "grid": Principal(
        user_id="jn-wangxiaoming",
        display_name="王小明",
        role=Role.GRID_WORKER,
        jurisdiction=SHANGFANG,
        center_id="jn-sf-committee",
        grid_code=GRID,
    ),
}


async def ensure_sample_targets(session: AsyncSession) -> None:
    await registry_store.load_registry(SAMPLE_TARGETS, session=session)


async def seed_county(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """Register 江宁区 and its staff (once per database); a fresh API key each: name → key."""
    keys: dict[str, str] = {}
    async with sessionmaker.begin() as session:
        await registry_store.load_registry(JIANGNING, session=session)
        for name, principal in STAFF.items():
            if await principals.get_user(principal.user_id, session=session) is None:
                await principals.create_user(principal, session=session)
            keys[name] = (await principals.issue_key(principal.user_id, session=session)).key
    return keys


async def seed_county_database(database_url: str) -> dict[str, str]:
    """``seed_county`` for a database real processes use."""
    from activities.store.engine import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        return await seed_county(create_sessionmaker(engine))
    finally:
        await engine.dispose()
