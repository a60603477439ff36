"""Organisations (单位): the units a county's dispute work is done by, and how a case names one.

The registry itself (jurisdictions, organisations, the mediator roster) lives in the store; a
case records an ``OrgRef`` (id, name, level and type as they were at the time) on each hand-off,
so its history reads the same after the registry changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

from domain.base import Frozen
from domain.text import Remark, ShortText

OrgId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class OrgLevel(StrEnum):
    """The level an organisation works at (县级 / 乡镇级 / 村级)."""

    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"


class OrgType(StrEnum):
    CENTER = "center"  # 综治中心 / 矛调中心
    MEDIATION_COMMITTEE = "mediation_committee"  # 人民调解委员会 (村居、乡镇)
    SECTOR_ROOM = "sector_room"  # 行业性专业性调解室 (物业, 医患, 劳动争议, 婚姻家庭…)
    POLICE_ROOM = "police_room"  # 派出所调解室 (派驻式)
    COURT_DESK = "court_desk"  # 法院诉调对接窗口
    DEPARTMENT = "department"  # 职能部门 (人社, 住建, 卫健, 市场监管…)
    PETITION_OFFICE = "petition_office"  # 信访部门


ORG_LEVEL_LABELS: dict[OrgLevel, str] = {
    OrgLevel.COUNTY: "县级",
    OrgLevel.TOWN: "乡镇（街道）级",
    OrgLevel.VILLAGE: "村（社区）级",
}

ORG_TYPE_LABELS: dict[OrgType, str] = {
    OrgType.CENTER: "综治中心",
    OrgType.MEDIATION_COMMITTEE: "人民调解委员会",
    OrgType.SECTOR_ROOM: "行业性专业性调解组织",
    OrgType.POLICE_ROOM: "派出所调解室",
    OrgType.COURT_DESK: "法院诉调对接窗口",
    OrgType.DEPARTMENT: "职能部门",
    OrgType.PETITION_OFFICE: "信访部门",
}


class OrgRef(Frozen):
    """An organisation as a case records it: its id and what it was called and was then."""

    org_id: OrgId
    name: ShortText
    level: OrgLevel
    type: OrgType


class Routing(Frozen):
    """分流 at intake: the organisation the rules suggested, and the one the registrar chose."""

    suggested: OrgRef | None = None
    rule_id: str | None = None  # the routing rule that made the suggestion
    chosen: OrgRef
    override_reason: Remark = ""

    @property
    def overridden(self) -> bool:
        return self.suggested is not None and self.suggested.org_id != self.chosen.org_id
