"""Request and response models of the registry API: places, organisations, roster, 分流."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from domain.case.labels import CATEGORY_LABELS
from domain.organisation.organisations import (
    ORG_LEVEL_LABELS,
    ORG_TYPE_LABELS,
    OrgId,
    OrgLevel,
    OrgType,
)
from domain.organisation.registry import (
    EMPLOYMENT_LABELS,
    JURISDICTION_LEVEL_LABELS,
    Employment,
    JurisdictionLevel,
    JurisdictionNode,
    MediatorId,
    Organisation,
    OrgName,
    OrgPlaceCode,
    RosterMediator,
)
from domain.organisation.routing import RoutingSuggestion
from domain.text import Name
from domain.values import Category, Jurisdiction, RiskLevel


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Patch(_Request):
    """A partial update: a field left out keeps its value; ``null`` clears only the fields that
    may be empty (``NULLABLE``), and is refused beside any other field."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("不能为空：不修改的项请省略 / may not be null: leave it out to keep")
        return value


class JurisdictionView(BaseModel):
    code: str
    name: str
    level: JurisdictionLevel
    level_label: str
    parent_code: str | None

    @classmethod
    def of(cls, node: JurisdictionNode) -> JurisdictionView:
        return cls(
            code=node.code,
            name=node.name,
            level=node.level,
            level_label=JURISDICTION_LEVEL_LABELS[node.level],
            parent_code=node.parent_code,
        )


class JurisdictionList(BaseModel):
    items: list[JurisdictionView]


class OrganisationView(BaseModel):
    org_id: str
    name: str
    type: OrgType
    type_label: str
    level: OrgLevel
    level_label: str
    jurisdiction_code: str
    jurisdiction_name: str | None  # None: a place the registry has no name for
    parent_id: str | None
    categories: list[Category]  # empty: every category
    category_labels: list[str]
    active: bool

    @classmethod
    def of(cls, org: Organisation, names: dict[str, str]) -> OrganisationView:
        return cls(
            org_id=org.org_id,
            name=org.name,
            type=org.type,
            type_label=ORG_TYPE_LABELS[org.type],
            level=org.level,
            level_label=ORG_LEVEL_LABELS[org.level],
            jurisdiction_code=org.jurisdiction_code,
            jurisdiction_name=names.get(org.jurisdiction_code),
            parent_id=org.parent_id,
            categories=list(org.categories),
            category_labels=[CATEGORY_LABELS[c] for c in org.categories] or ["全部类别"],
            active=org.active,
        )


class OrganisationList(BaseModel):
    items: list[OrganisationView]
    # Set when a page was asked for (limit, offset, at, name): how many match in all.
    total: int | None = None
    limit: int | None = None
    offset: int | None = None


class PlaceWalk(BaseModel):
    """One place of the registry to walk from: the places it lies in (top first), the place
    (None: the top of the registry) and the places directly inside it, at most ``limit``."""

    trail: list[JurisdictionView]
    place: JurisdictionView | None
    children: list[JurisdictionView]
    children_total: int


class OrganisationCreate(_Request):
    """A new organisation; ``level`` follows from the code when left out."""

    org_id: OrgId
    name: OrgName
    type: OrgType
    level: OrgLevel | None = None
    jurisdiction_code: OrgPlaceCode
    parent_id: OrgId | None = None
    categories: list[Category] = []
    active: bool = True


class OrganisationPatch(_Patch):
    """What changes; a new ``jurisdiction_code`` brings its level unless ``level`` is given;
    ``parent_id`` null: no parent organisation."""

    NULLABLE = frozenset({"parent_id"})

    name: OrgName | None = None
    type: OrgType | None = None
    level: OrgLevel | None = None
    jurisdiction_code: OrgPlaceCode | None = None
    parent_id: OrgId | None = None
    categories: list[Category] | None = None
    active: bool | None = None


class MediatorView(BaseModel):
    mediator_id: str
    name: str
    org_id: str
    specialties: list[Category]
    specialty_labels: list[str]
    employment: Employment
    employment_label: str
    active: bool

    @classmethod
    def of(cls, mediator: RosterMediator) -> MediatorView:
        return cls(
            mediator_id=mediator.mediator_id,
            name=mediator.name,
            org_id=mediator.org_id,
            specialties=list(mediator.specialties),
            specialty_labels=[CATEGORY_LABELS[c] for c in mediator.specialties],
            employment=mediator.employment,
            employment_label=EMPLOYMENT_LABELS[mediator.employment],
            active=mediator.active,
        )


class MediatorList(BaseModel):
    items: list[MediatorView]


class MediatorCreate(_Request):
    mediator_id: MediatorId
    name: Name
    specialties: list[Category] = []
    employment: Employment = Employment.PART_TIME
    active: bool = True


class MediatorPatch(_Patch):
    name: Name | None = None
    org_id: OrgId | None = None  # moved to another organisation
    specialties: list[Category] | None = None
    employment: Employment | None = None
    active: bool | None = None


class RoutingRequest(_Request):
    """分流建议: the case's category, risk level and place (a code, or the intake's place)."""

    category: Category
    risk_level: RiskLevel = RiskLevel.LOW
    jurisdiction: OrgPlaceCode | Jurisdiction

    @property
    def jurisdiction_code(self) -> str:
        place = self.jurisdiction
        return place if isinstance(place, str) else place.code


class RoutingAnswer(BaseModel):
    """The suggestion (None: the caller's organisation is inactive and no rule resolved), the
    rule book's version, and the organisations the registrar may choose instead."""

    suggestion: RoutingSuggestion | None
    rules_version: str
    candidates: list[OrganisationView]
