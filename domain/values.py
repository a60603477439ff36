"""Value objects and enumerations of a case: kind, category, channel, parties, jurisdiction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from domain.base import Frozen
from domain.text import Name

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_date(at: datetime) -> date:
    """The calendar date in China (UTC+8, no daylight saving) at instant ``at``."""
    return at.astimezone(CHINA_TZ).date()


def as_utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


class CaseKind(StrEnum):
    """矛盾纠纷 or 信访事项."""

    DISPUTE = "dispute"
    PETITION = "petition"


class Category(StrEnum):
    """Dispute category (纠纷类别)."""

    MARRIAGE_FAMILY = "marriage_family"
    NEIGHBOURHOOD = "neighbourhood"
    LABOUR = "labour"
    MEDICAL = "medical"
    TRAFFIC = "traffic"
    PROPERTY_MANAGEMENT = "property_management"
    LAND_DEMOLITION = "land_demolition"
    ENVIRONMENT = "environment"
    CONSUMER = "consumer"
    CONTRACT = "contract"
    LAND_CONTRACT = "land_contract"
    OTHER = "other"


class Channel(StrEnum):
    """Source channel (来源渠道)."""

    WALK_IN = "walk_in"
    LETTER = "letter"
    ONLINE = "online"
    HOTLINE = "hotline"
    GRID_REPORT = "grid_report"
    POLICE_REFERRAL = "police_referral"
    PETITION_REFERRAL = "petition_referral"
    COURT_REFERRAL = "court_referral"
    COURT_COMMISSIONED = "court_commissioned"
    LEADER_RECEPTION = "leader_reception"  # 领导接访: registered from a leader's reception log


class RiskLevel(StrEnum):
    """风险等级: 一般 / 较大 / 重大 / 特别重大."""

    LOW = "low"
    ELEVATED = "elevated"
    MAJOR = "major"
    CRITICAL = "critical"


# Their Chinese names (every room shows them: routing's reasons, the case's labels).
CATEGORY_LABELS: dict[Category, str] = {
    Category.MARRIAGE_FAMILY: "婚姻家庭",
    Category.NEIGHBOURHOOD: "邻里纠纷",
    Category.LABOUR: "劳动争议",
    Category.MEDICAL: "医疗纠纷",
    Category.TRAFFIC: "交通事故",
    Category.PROPERTY_MANAGEMENT: "物业纠纷",
    Category.LAND_DEMOLITION: "征地拆迁",
    Category.ENVIRONMENT: "环境保护",
    Category.CONSUMER: "消费纠纷",
    Category.CONTRACT: "合同纠纷",
    Category.LAND_CONTRACT: "土地承包",
    Category.OTHER: "其他",
}

RISK_LABELS: dict[RiskLevel, str] = {
    RiskLevel.LOW: "一般",
    RiskLevel.ELEVATED: "较大",
    RiskLevel.MAJOR: "重大",
    RiskLevel.CRITICAL: "特别重大",
}


class PartyRole(StrEnum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"


class PartyType(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _valid_resident_id(value: str) -> str:
    """A PRC resident ID (居民身份证号码): 18 characters with the ISO 7064 check digit."""
    value = value.strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        raise ValueError("身份证号码应为18位 / ID number must be 18 characters")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValueError("身份证号码校验位错误 / ID number check digit is wrong")
    return value


ResidentId = Annotated[str, AfterValidator(_valid_resident_id)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
]


# A county, town or village code: the prefix that selects a subtree.
JURISDICTION_CODE = r"^\d{6}(\d{3}(\d{3})?)?$"
_COUNTY = r"^\d{6}$"
_TOWN = r"^\d{9}$"
_VILLAGE = r"^\d{12}$"


class Jurisdiction(Frozen):
    """县 / 乡镇(街道) / 村(社区): administrative division codes, each a prefix of the next.

    The most specific code (``code``) places the case in the tree; a subtree filter is a prefix.
    """

    county_code: Annotated[str, StringConstraints(pattern=_COUNTY)]
    town_code: Annotated[str, StringConstraints(pattern=_TOWN)] | None = None
    village_code: Annotated[str, StringConstraints(pattern=_VILLAGE)] | None = None
    county_name: Name | None = None
    town_name: Name | None = None
    village_name: Name | None = None

    @model_validator(mode="after")
    def _nested(self) -> Self:
        if self.town_code is not None and not self.town_code.startswith(self.county_code):
            raise ValueError("乡镇代码须属于该县 / town_code must lie within county_code")
        if self.village_code is not None:
            if self.town_code is None:
                raise ValueError("村(社区)须有乡镇 / village_code needs town_code")
            if not self.village_code.startswith(self.town_code):
                raise ValueError("村代码须属于该乡镇 / village_code must lie within town_code")
        return self

    @property
    def code(self) -> str:
        return self.village_code or self.town_code or self.county_code

    @classmethod
    def at(cls, code: str, names: Mapping[str, str] | None = None) -> Jurisdiction:
        """The place ``code`` (county 6, town 9 or village 12 digits) with the levels it lies in,
        each named from ``names`` (code → name) where known."""
        names = names or {}
        levels = {"county": 6, "town": 9, "village": 12}
        found: dict[str, str] = {}
        for level, length in levels.items():
            if len(code) >= length:
                found[f"{level}_code"] = code[:length]
                if code[:length] in names:
                    found[f"{level}_name"] = names[code[:length]]
        if len(code) not in levels.values():
            found["county_code"] = code  # refused by the pattern, beside the field
        return cls.model_validate(found)


class RiskFlags(Frozen):
    """群体性 / 民转刑 / 越级上访."""

    collective: bool = False
    civil_to_criminal_risk: bool = False
    skip_level: bool = False


class MediationType(StrEnum):
    """人民调解 / 行政调解 / 司法调解 / 行业性专业性调解 / 在线调解."""

    PEOPLES = "peoples"
    ADMINISTRATIVE = "administrative"
    JUDICIAL = "judicial"
    SECTOR = "sector"
    ONLINE = "online"


class ReferralRoute(StrEnum):
    """Where parties are told to go when mediation fails: 仲裁 / 诉讼 / 行政."""

    ARBITRATION = "arbitration"
    LITIGATION = "litigation"
    ADMINISTRATIVE = "administrative"


class AgreementForm(StrEnum):
    WRITTEN = "written"
    ORAL = "oral"


class CourtDecision(StrEnum):
    """确认有效 / 驳回."""

    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class PerformanceStatus(StrEnum):
    """履行情况."""

    PENDING = "pending"
    PARTIAL = "partial"
    PERFORMED = "performed"
    NOT_PERFORMED = "not_performed"


class Satisfaction(StrEnum):
    """满意 / 基本满意 / 不满意."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class CloseOutcome(StrEnum):
    """销号 outcome, derived from how the case ended."""

    RESOLVED = "resolved"
    MEDIATION_FAILED = "mediation_failed"
    DECLINED = "declined"
    FINALIZED = "finalized"  # a petition closed after its answer became final


PositiveSeq = Annotated[int, Field(ge=0)]
