"""The users every API test acts as: two centers in one district, leaders of two towns, and so on.

Samples place cases in 玄武区 (320102), town 梅园新村街道 (320102001).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import principals
from activities.store.tables import OrganisationRow
from domain.people.access import Principal, Role

CENTER = "xw-center"  # 玄武区矛盾纠纷调解中心
OTHER_CENTER = "xw-petition"  # 玄武区信访局 (another center in the same district)
TOWN = "320102001"
OTHER_TOWN = "320102002"
OTHER_TOWN_PLACE = {"county_code": "320102", "town_code": "320102002", "town_name": "新街口街道"}
OTHER_COUNTY_PLACE = {"county_code": "320104", "town_code": "320104001", "county_name": "秦淮区"}
COUNTY = "320102"
OTHER_COUNTY = "320104"  # 秦淮区

USERS: dict[str, Principal] = {
    "mediator": Principal(
        user_id="wangfang",
        display_name="王芳",
        role=Role.MEDIATOR,
        jurisdiction=COUNTY,
        center_id=CENTER,
    ),
    "other_mediator": Principal(
        user_id="zhaolei",
        display_name="赵磊",
        role=Role.MEDIATOR,
        jurisdiction=COUNTY,
        center_id=OTHER_CENTER,
    ),
    "far_mediator": Principal(
        user_id="qianhao",
        display_name="钱浩",
        role=Role.MEDIATOR,
        jurisdiction=OTHER_COUNTY,
        center_id="gl-center",
    ),
    "fz_mediator": Principal(  # a district of its own, for tests that count what they list
        user_id="linfeng",
        display_name="林峰",
        role=Role.MEDIATOR,
        jurisdiction="350102",
        center_id="fz-center",
    ),
    "center_admin": Principal(
        user_id="chenjing",
        display_name="陈静",
        role=Role.CENTER_ADMIN,
        jurisdiction=COUNTY,
        center_id=CENTER,
    ),
    "town_leader": Principal(
        user_id="liuqiang", display_name="刘强", role=Role.LEADER, jurisdiction=TOWN
    ),
    "other_town_leader": Principal(
        user_id="sunli", display_name="孙丽", role=Role.LEADER, jurisdiction=OTHER_TOWN
    ),
    "county_leader": Principal(
        user_id="zhoujun", display_name="周军", role=Role.LEADER, jurisdiction=COUNTY
    ),
    "auditor": Principal(
        user_id="wuming", display_name="吴明", role=Role.AUDITOR, jurisdiction=COUNTY
    ),
    "other_auditor": Principal(
        user_id="zhengyu", display_name="郑宇", role=Role.AUDITOR, jurisdiction=OTHER_COUNTY
    ),
    "system_admin": Principal(
        user_id="sysadmin", display_name="系统管理员", role=Role.SYSTEM_ADMIN
    ),
    "security_admin": Principal(
        user_id="secadmin", display_name="安全管理员甲", role=Role.SECURITY_ADMIN
    ),
    "other_security_admin": Principal(
        user_id="secadmin2", display_name="安全管理员乙", role=Role.SECURITY_ADMIN
    ),
    "grid_worker": Principal(  # 网格员 of the village the sample cases are placed in
        user_id="wangxiaoming",
        display_name="王小明",
        role=Role.GRID_WORKER,
        jurisdiction="320102001002",
        center_id="xw-dxg-committee",
        grid_code="320102001002001",
    ),
}


# The centers the users belong to (users.center_id references organisations): id → (name, area).
CENTERS: dict[str, tuple[str, str]] = {
    CENTER: ("玄武区矛盾纠纷调解中心", COUNTY),
    OTHER_CENTER: ("玄武区信访局", COUNTY),
    "gl-center": ("秦淮区矛盾纠纷调解中心", OTHER_COUNTY),
    "fz-center": ("鼓楼区矛盾纠纷调解中心", "350102"),
}


async def ensure_centers(session: AsyncSession) -> None:
    """The users' centers as organisations (a county center each), unless they exist already."""
    for org_id, (name, code) in CENTERS.items():
        if await session.get(OrganisationRow, org_id) is None:
            session.add(
                OrganisationRow(
                    org_id=org_id,
                    name=name,
                    type="center",
                    level="county",
                    jurisdiction_code=code,
                    categories=[],
                    active=True,
                )
            )
    await session.flush()


async def seed(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """Create the users' centers, the users and one API key each; returns name → key."""
    keys: dict[str, str] = {}
    from tests.handoff_county import ensure_sample_targets

    async with sessionmaker.begin() as session:
        await ensure_centers(session)
        await ensure_sample_targets(session)  # the organisations the sample hand-offs name
        for name, principal in USERS.items():
            await principals.create_user(principal, session=session)
            keys[name] = (await principals.issue_key(principal.user_id, session=session)).key
    return keys


async def seed_database(database_url: str) -> dict[str, str]:
    """``seed`` for a database the test does not otherwise open (real processes use it)."""
    from activities.store.engine import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        return await seed(create_sessionmaker(engine))
    finally:
        await engine.dispose()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
