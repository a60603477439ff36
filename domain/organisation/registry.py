"""The organisation registry (单位名录) as data: jurisdictions, organisations, the mediator roster.

Jurisdiction codes nest by prefix: county (县, 6 digits) ⊃ town (乡镇/街道, 9) ⊃ village
(村/社区, 12) ⊃ grid (网格, the village code + 3 digits, 15). An organisation works at a county,
town or village; its parent (上级单位) works at the same place or above it. A registry file is
complete in itself: every parent it names, every place an organisation works at and every
organisation a mediator serves is in the same file. The checks here are shared by the file
loader and by the store when one organisation is created or changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Self

from pydantic import StringConstraints, model_validator

from domain.base import Frozen
from domain.organisation.organisations import ORG_LEVEL_LABELS, OrgId, OrgLevel, OrgRef, OrgType
from domain.people.access import Principal, Role
from domain.text import Name, ShortText
from domain.values import JURISDICTION_CODE, Category

OrgName = ShortText
# A place down to a grid (6, 9, 12 or 15 digits).
PlaceCode = Annotated[str, StringConstraints(pattern=r"^\d{6}(\d{3}){0,3}$")]
# Where an organisation works: a county, town or village (6, 9 or 12 digits).
OrgPlaceCode = Annotated[str, StringConstraints(pattern=JURISDICTION_CODE)]
GridCode = Annotated[str, StringConstraints(pattern=r"^\d{15}$")]
MediatorId = OrgId


class JurisdictionLevel(StrEnum):
    """县 / 乡镇（街道） / 村（社区） / 网格."""

    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"
    GRID = "grid"


CODE_LENGTHS: dict[JurisdictionLevel, int] = {
    JurisdictionLevel.COUNTY: 6,
    JurisdictionLevel.TOWN: 9,
    JurisdictionLevel.VILLAGE: 12,
    JurisdictionLevel.GRID: 15,
}
_LEVEL_OF_LENGTH = {length: level for level, length in CODE_LENGTHS.items()}
_ORG_LEVEL_OF_LENGTH = {6: OrgLevel.COUNTY, 9: OrgLevel.TOWN, 12: OrgLevel.VILLAGE}

JURISDICTION_LEVEL_LABELS: dict[JurisdictionLevel, str] = {
    JurisdictionLevel.COUNTY: "县（区）",
    JurisdictionLevel.TOWN: "乡镇（街道）",
    JurisdictionLevel.VILLAGE: "村（社区）",
    JurisdictionLevel.GRID: "网格",
}


class Employment(StrEnum):
    """专职 / 兼职."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"


EMPLOYMENT_LABELS: dict[Employment, str] = {
    Employment.FULL_TIME: "专职",
    Employment.PART_TIME: "兼职",
}


class RegistryError(ValueError):
    """An entry the registry refuses: the field at fault, a Chinese and an English reason."""

    def __init__(self, message_zh: str, message_en: str, *, field: str) -> None:
        super().__init__(f"{field}: {message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field


def jurisdiction_level(code: str) -> JurisdictionLevel | None:
    """The level a code of this length names (None for a length no level has)."""
    return _LEVEL_OF_LENGTH.get(len(code)) if code.isdigit() else None


def org_level_of(code: str) -> OrgLevel | None:
    """The level of an organisation working at ``code`` (county, town or village)."""
    return _ORG_LEVEL_OF_LENGTH.get(len(code)) if code.isdigit() else None


def enclosing_codes(code: str) -> list[str]:
    """The codes of the places above ``code``, nearest first (a grid's village, town, county)."""
    return [code[:length] for length in (12, 9, 6) if length < len(code)]


def contains(outer: str, inner: str) -> bool:
    """The place ``outer`` contains ``inner`` (or is it)."""
    return inner.startswith(outer)


class JurisdictionNode(Frozen):
    """One place: its code, name, level and the code of the place it lies in."""

    code: PlaceCode
    name: Name
    level: JurisdictionLevel
    parent_code: PlaceCode | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(self.code) != CODE_LENGTHS[self.level]:
            raise ValueError(
                f"{JURISDICTION_LEVEL_LABELS[self.level]}代码应为{CODE_LENGTHS[self.level]}位"
                f" / a {self.level.value} code has {CODE_LENGTHS[self.level]} digits"
            )
        above = enclosing_codes(self.code)
        expected = above[0] if above else None
        if self.parent_code != expected:
            raise ValueError(
                f"{self.code} 的上级区划应为 {expected or '无'}"
                f" / the parent of {self.code} must be {expected or 'none'}"
            )
        return self


class Organisation(Frozen):
    """单位: where it works, what it is, whom it reports to and what it handles (empty: all)."""

    org_id: OrgId
    name: OrgName
    type: OrgType
    level: OrgLevel
    jurisdiction_code: OrgPlaceCode
    parent_id: OrgId | None = None
    categories: tuple[Category, ...] = ()
    active: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        expected = org_level_of(self.jurisdiction_code)
        if expected is not None and expected is not self.level:
            raise ValueError(
                f"区划 {self.jurisdiction_code} 的单位层级应为{ORG_LEVEL_LABELS[expected]}"
                f" / an organisation at {self.jurisdiction_code} works at {expected.value} level"
            )
        if self.parent_id == self.org_id:
            raise ValueError("单位不能以自身为上级 / an organisation cannot be its own parent")
        return self

    @property
    def ref(self) -> OrgRef:
        return OrgRef(org_id=self.org_id, name=self.name, level=self.level, type=self.type)

    def handles(self, category: Category) -> bool:
        return not self.categories or category in self.categories

    def covers(self, jurisdiction_code: str) -> bool:
        """The organisation's area contains the place ``jurisdiction_code``."""
        return contains(self.jurisdiction_code, jurisdiction_code)


class RosterMediator(Frozen):
    """调解员名册: one mediator, the organisation they serve, their specialties (专长)."""

    mediator_id: MediatorId
    name: Name
    org_id: OrgId
    specialties: tuple[Category, ...] = ()
    employment: Employment = Employment.PART_TIME
    active: bool = True


def check_parent(organisation: Organisation, parent: Organisation | None) -> None:
    """The parent an organisation names exists and its area contains the organisation's."""
    if organisation.parent_id is None:
        return
    if parent is None:
        raise RegistryError(
            f"上级单位 {organisation.parent_id} 不存在",
            f"parent organisation {organisation.parent_id} is unknown",
            field="parent_id",
        )
    if not parent.covers(organisation.jurisdiction_code):
        raise RegistryError(
            f"单位区划 {organisation.jurisdiction_code} 不在上级单位 {parent.name}"
            f"（{parent.jurisdiction_code}）的区划内",
            f"jurisdiction {organisation.jurisdiction_code} lies outside the parent's"
            f" {parent.jurisdiction_code}",
            field="jurisdiction_code",
        )


def check_no_cycle(org_id: str, parent_id: str | None, parents: Mapping[str, str | None]) -> None:
    """Following parents up from ``parent_id`` (``parents``: id → parent) never meets ``org_id``."""
    seen: set[str] = set()
    current = parent_id
    while current is not None and current not in seen:
        if current == org_id:
            raise RegistryError(
                f"上级单位 {parent_id} 隶属于 {org_id}，不能互为上级",
                f"parent {parent_id} lies under {org_id}: no cycles",
                field="parent_id",
            )
        seen.add(current)
        current = parents.get(current)


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, count in Counter(ids).items() if count > 1)


class Registry(Frozen):
    """A registry file: places, organisations and mediators, checked as one whole."""

    jurisdictions: tuple[JurisdictionNode, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    mediators: tuple[RosterMediator, ...] = ()

    @model_validator(mode="after")
    def _whole(self) -> Self:
        for what, ids in (
            ("jurisdictions", [j.code for j in self.jurisdictions]),
            ("organisations", [o.org_id for o in self.organisations]),
            ("mediators", [m.mediator_id for m in self.mediators]),
        ):
            if repeated := _duplicates(ids):
                raise ValueError(f"{what}: 重复的编号 {', '.join(repeated)} / duplicate ids")
        codes = {j.code for j in self.jurisdictions}
        for n, node in enumerate(self.jurisdictions):
            if node.parent_code is not None and node.parent_code not in codes:
                raise ValueError(
                    f"jurisdictions[{n}].parent_code: 上级区划 {node.parent_code} 不在文件中"
                    f" / parent {node.parent_code} of {node.code} is not in the file"
                )
        organisations = {o.org_id: o for o in self.organisations}
        for n, org in enumerate(self.organisations):
            if org.jurisdiction_code not in codes:
                raise ValueError(
                    f"organisations[{n}].jurisdiction_code: 区划 {org.jurisdiction_code}"
                    f" 不在文件中 / {org.org_id}: jurisdiction {org.jurisdiction_code} is not in"
                    " the file"
                )
            try:
                check_parent(org, organisations.get(org.parent_id or ""))
                check_no_cycle(
                    org.org_id,
                    org.parent_id,
                    {o.org_id: o.parent_id for o in self.organisations},
                )
            except RegistryError as error:
                raise ValueError(f"organisations[{n}].{error}") from error
        for n, mediator in enumerate(self.mediators):
            if mediator.org_id not in organisations:
                raise ValueError(
                    f"mediators[{n}].org_id: 单位 {mediator.org_id} 不在文件中"
                    f" / {mediator.mediator_id}: organisation {mediator.org_id} is not in the file"
                )
        return self

    def organisation(self, org_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.org_id == org_id), None)


# --- who may read and manage the registry (it holds no personal data) --------------------------

# Every signed-in role that works with cases or keeps the system; a role added later (a grid
# worker, who sees only what they reported) reads nothing here until it is listed.
REGISTRY_READERS: frozenset[Role] = frozenset(
    {
        Role.MEDIATOR,
        Role.CENTER_ADMIN,
        Role.LEADER,
        Role.AUDITOR,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,  # names a new user's organisation
    }
)


def may_read_registry(principal: Principal) -> bool:
    return principal.role in REGISTRY_READERS


def may_manage_organisations(principal: Principal) -> bool:
    """Organisations are created and changed by the system administrator only."""
    return principal.role is Role.SYSTEM_ADMIN


def may_manage_roster(principal: Principal, org_id: str) -> bool:
    """The roster of ``org_id``: the system administrator, or that organisation's center admin."""
    if principal.role is Role.SYSTEM_ADMIN:
        return True
    return principal.role is Role.CENTER_ADMIN and principal.center_id == org_id
