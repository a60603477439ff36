"""A small county for registry and routing tests: 玄武区 with two towns and three villages."""

from __future__ import annotations

from typing import Any

from domain.organisation.organisations import OrgLevel, OrgType
from domain.organisation.registry import Organisation
from domain.organisation.routing import RoutingRule, RoutingRules, RoutingTarget
from domain.values import Category, RiskLevel

COUNTY = "320102"
MEIYUAN = "320102001"  # 梅园新村街道: has a police-station room
XIAOLINGWEI = "320102002"  # 孝陵卫街道: has none
CHANGJIANG = "320102001001"
DAXINGGONG = "320102001002"
ZHONGLING = "320102002002"
VILLAGES = (CHANGJIANG, DAXINGGONG, ZHONGLING)


def org(org_id: str, name: str, type_: OrgType, code: str, **more: Any) -> Organisation:
    level = {6: OrgLevel.COUNTY, 9: OrgLevel.TOWN, 12: OrgLevel.VILLAGE}[len(code)]
    return Organisation(
        org_id=org_id, name=name, type=type_, level=level, jurisdiction_code=code, **more
    )


ORGS: tuple[Organisation, ...] = (
    org("county-center", "玄武区矛调中心", OrgType.CENTER, COUNTY),
    org("my-center", "梅园新村街道综治中心", OrgType.CENTER, MEIYUAN, parent_id="county-center"),
    org("xlw-center", "孝陵卫街道综治中心", OrgType.CENTER, XIAOLINGWEI, parent_id="county-center"),
    org("cj-committee", "长江路社区人民调解委员会", OrgType.MEDIATION_COMMITTEE, CHANGJIANG),
    org("dxg-committee", "大行宫社区人民调解委员会", OrgType.MEDIATION_COMMITTEE, DAXINGGONG),
    org("zl-committee", "钟灵社区人民调解委员会", OrgType.MEDIATION_COMMITTEE, ZHONGLING),
    org(
        "labour-room",
        "玄武区劳动争议调解室",
        OrgType.SECTOR_ROOM,
        COUNTY,
        categories=(Category.LABOUR,),
    ),
    org(
        "medical-committee",
        "玄武区医患纠纷人民调解委员会",
        OrgType.SECTOR_ROOM,
        COUNTY,
        categories=(Category.MEDICAL,),
    ),
    org(
        "my-police",
        "梅园新村派出所调解室",
        OrgType.POLICE_ROOM,
        MEIYUAN,
        categories=(Category.TRAFFIC, Category.NEIGHBOURHOOD),
    ),
    org("hrss", "玄武区人社局", OrgType.DEPARTMENT, COUNTY, categories=(Category.LABOUR,)),
)
BY_ID = {o.org_id: o for o in ORGS}


def typed(type_: OrgType, level: OrgLevel, *, handles: bool = False) -> RoutingTarget:
    return RoutingTarget(type=type_, level=level, handles_category=handles)


RULES = RoutingRules(
    version="test-1",
    rules=(
        RoutingRule(
            rule_id="labour",
            description="劳动争议由劳动争议调解室调处",
            categories=(Category.LABOUR,),
            target=typed(OrgType.SECTOR_ROOM, OrgLevel.COUNTY, handles=True),
        ),
        RoutingRule(
            rule_id="medical",
            categories=(Category.MEDICAL,),
            target=typed(OrgType.SECTOR_ROOM, OrgLevel.COUNTY, handles=True),
        ),
        RoutingRule(
            rule_id="traffic",
            categories=(Category.TRAFFIC,),
            target=typed(OrgType.POLICE_ROOM, OrgLevel.TOWN, handles=True),
        ),
        RoutingRule(
            rule_id="major-village",
            registrar_levels=(OrgLevel.VILLAGE,),
            risk_levels=(RiskLevel.MAJOR, RiskLevel.CRITICAL),
            target=typed(OrgType.CENTER, OrgLevel.TOWN),
        ),
        RoutingRule(
            rule_id="village",
            registrar_levels=(OrgLevel.VILLAGE,),
            target=typed(OrgType.MEDIATION_COMMITTEE, OrgLevel.VILLAGE),
        ),
    ),
)
