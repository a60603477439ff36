"""The demo county's accounts (演示账号): one person of each kind of organisation and role.

``fengqiao demo`` creates them the first time, gives each a fresh API key on every run and a
console password the first time (never replacing a password someone set since). The password is
fixed and printed: it is for trying the system on one's own machine, never for production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from activities.identity import admin_trail, passwords, principals
from activities.identity.admin_trail import COMMAND_LINE
from activities.policy.routing import DEMO_REGISTRY, load_registry_file
from activities.runtime.settings import Settings
from activities.store import registry as registry_store
from activities.store.engine import create_engine, create_sessionmaker
from domain.people.access import Principal, Role
from domain.people.administration import AdminAction

# 仅供试用：演示账号的控制台密码（写在 README 中，切勿用于生产环境）。
DEMO_PASSWORD = "fengqiao-demo"

COUNTY = "320102"  # 玄武区
MEIYUAN = "320102001"  # 梅园新村街道
CHANGJIANG = "320102001001"  # 长江路社区
CHANGJIANG_GRID_1 = "320102001001001"  # 长江路社区第一网格


@dataclass(frozen=True)
class DemoAccount:
    principal: Principal
    shows: str  # what a visitor sees signed in as this account (printed and in README)


def _staff(user_id: str, name: str, org_id: str, area: str, shows: str) -> DemoAccount:
    principal = Principal(
        user_id=user_id, display_name=name, role=Role.MEDIATOR, jurisdiction=area, center_id=org_id
    )
    return DemoAccount(principal, shows)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    _staff(
        "demo-mediator",
        "王芳",
        "xw-center",  # 玄武区矛盾纠纷多元化解中心
        COUNTY,
        "县级矛调中心调解员：五件不同阶段的案件，一件转办街道待签收",
    ),
    _staff(
        "demo-town-mediator",
        "陈建平",
        "xw-myxc-center",  # 梅园新村街道综治中心
        MEIYUAN,
        "街道综治中心调解员：待签收的转办案件，社区上提的案件",
    ),
    _staff(
        "demo-village-mediator",
        "张桂兰",
        "xw-cjl-committee",  # 长江路社区人民调解委员会
        CHANGJIANG,
        "社区调委会调解员：分流到劳动争议调解室的登记，网格员上报待受理，三次调解后上提",
    ),
    _staff(
        "demo-labour-mediator",
        "黄志刚",
        "xw-labour-room",  # 玄武区劳动争议调解室
        COUNTY,
        "劳动争议调解室调解员：分流来的劳动争议，交办人社局待反馈",
    ),
    _staff(
        "demo-hrss",
        "许立新",
        "xw-hrss",  # 玄武区人力资源和社会保障局
        COUNTY,
        "人社局工作人员：交办事项待反馈（办理结果反馈）",
    ),
    DemoAccount(
        Principal(
            user_id="demo-grid-worker",
            display_name="李小梅",
            role=Role.GRID_WORKER,
            jurisdiction=CHANGJIANG,
            center_id="xw-cjl-committee",
            grid_code=CHANGJIANG_GRID_1,  # 长江路社区第一网格
        ),
        "网格员（长江路社区第一网格）：本人上报事项的办理情况",
    ),
    DemoAccount(
        Principal(
            user_id="demo-leader", display_name="张华", role=Role.LEADER, jurisdiction=COUNTY
        ),
        "区领导：督办提醒、各单位办理情况、积案与逾期",
    ),
    DemoAccount(
        Principal(
            user_id="demo-auditor", display_name="李审", role=Role.AUDITOR, jurisdiction=COUNTY
        ),
        "审计人员：案件时间线、核验、卷宗、访问留痕、管理留痕",
    ),
    DemoAccount(
        Principal(user_id="demo-admin", display_name="演示管理员", role=Role.SYSTEM_ADMIN),
        "系统管理员：单位名录、督办接收人（不见案件、不管用户：三员分立）",
    ),
    DemoAccount(
        Principal(user_id="demo-security", display_name="安全管理员甲", role=Role.SECURITY_ADMIN),
        "安全管理员：添加用户、申请一次性链接（须另一名安全管理员批准），不见案件",
    ),
    DemoAccount(
        Principal(user_id="demo-security-2", display_name="安全管理员乙", role=Role.SECURITY_ADMIN),
        "第二名安全管理员：批准或驳回安全管理员甲的申请（申请与审批）",
    ),
)

DEMO_USERS: tuple[Principal, ...] = tuple(account.principal for account in DEMO_ACCOUNTS)


async def _trail(
    action: AdminAction, principal: Principal, session: AsyncSession, key_id: str = ""
) -> None:
    details = {"role": principal.role.value, "demo": "yes"}
    if key_id:
        details["key_id"] = key_id
    await admin_trail.append(
        COMMAND_LINE,
        action,
        target=principal.user_id,
        details=details,
        at=datetime.now(UTC),
        session=session,
    )


async def demo_keys(settings: Settings) -> dict[str, str]:
    """The demo county in the registry (玄武区: centers, committees, rooms, departments and
    their rosters), then the demo accounts (created the first time, with the demo password unless
    one is set) with a fresh key each: user id → key."""
    engine = create_engine(settings.resolved_database_url)
    keys: dict[str, str] = {}
    try:
        async with create_sessionmaker(engine).begin() as session:
            await registry_store.load_registry(load_registry_file(DEMO_REGISTRY), session=session)
            for principal in DEMO_USERS:
                user = await principals.get_user(principal.user_id, session=session)
                if user is None:
                    await principals.create_user(principal, session=session)
                    await _trail(AdminAction.USER_CREATED, principal, session)
                if user is None or user.password_hash is None:
                    await passwords.set_password(principal.user_id, DEMO_PASSWORD, session=session)
                issued = await principals.issue_key(
                    principal.user_id, session=session, label="demo"
                )
                await _trail(AdminAction.KEY_ISSUED, principal, session, issued.key_id)
                keys[principal.user_id] = issued.key
    finally:
        await engine.dispose()
    return keys
