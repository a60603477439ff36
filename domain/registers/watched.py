"""重点人员: people under special attention, each with the cadre who answers for them (包保责任人).

The register holds no ID number in clear: a person is found by a keyed hash of their normalised
number (HMAC with the deployment's search key), their cases by the same-party key the case lists
already use (``domain.case.worklist.party_key``); only the masked number is kept for display.
Who may read and write the register is policy data (``WatchPolicy``), never a mediator's: the
model refuses a policy that would show the register to anyone who works on cases for a unit.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from domain.base import Frozen
from domain.people.access import Role, UserId
from domain.text import Name, OptionalText, ShortText
from domain.values import JURISDICTION_CODE, ResidentId

WatchedId = Annotated[str, StringConstraints(pattern=r"^ZD-[0-9a-f]{20}$")]
TypeCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,31}$")]
PlaceCode = Annotated[str, StringConstraints(pattern=JURISDICTION_CODE)]

# Roles the register may be shown to at all: never those who work on cases for a unit.
_MAY_BE_GRANTED = frozenset({Role.LEADER, Role.AUDITOR})


class WatchPolicy(Frozen):
    """Policy data: who reads and who writes the register, its person types and grades."""

    version: ShortText
    read_roles: Annotated[tuple[Role, ...], Field(min_length=1)]
    write_roles: tuple[Role, ...]
    auditors_state_purpose: bool = True
    types: Annotated[dict[TypeCode, ShortText], Field(min_length=1)]  # 人员类别
    grades: Annotated[dict[TypeCode, ShortText], Field(min_length=1)]  # 关注等级

    @model_validator(mode="after")
    def _only_oversight_roles(self) -> Self:
        granted = set(self.read_roles) | set(self.write_roles)
        if not granted <= _MAY_BE_GRANTED:
            wrong = ", ".join(sorted(r.value for r in granted - _MAY_BE_GRANTED))
            raise ValueError(f"重点人员名册不得向以下角色开放 / may not be granted to: {wrong}")
        if not set(self.write_roles) <= set(self.read_roles):
            raise ValueError("可登记的角色须能查阅 / writers must be readers")
        return self

    def may_read(self, role: Role) -> bool:
        return role in self.read_roles

    def may_write(self, role: Role) -> bool:
        return role in self.write_roles


class WatchedDetails(Frozen):
    """What is entered: the person, by ID number, their type and grade, where they live, and
    the cadre who answers for them (a user of the directory)."""

    id_number: ResidentId
    name: Name
    person_type: TypeCode
    grade: TypeCode
    jurisdiction_code: PlaceCode  # 居住地 (county, town or village)
    minder_user_id: UserId  # 包保责任人
    note: OptionalText = ""


class WatchedPerson(Frozen):
    """One entry as the register keeps it (no clear number)."""

    watched_id: WatchedId
    lookup_key: str
    party_key: str
    id_masked: str
    name: Name
    person_type: TypeCode
    grade: TypeCode
    jurisdiction_code: PlaceCode
    minder_user_id: str
    minder_name: Name
    note: str
    by_name: Name


def normalised_id(id_number: str) -> str:
    return unicodedata.normalize("NFKC", id_number).strip().upper()


def lookup_key(id_number: str, key: bytes) -> str:
    """The keyed hash the register finds a person by (HMAC-SHA-256 of the normalised number)."""
    return hmac.new(
        key, ("watched:" + normalised_id(id_number)).encode(), hashlib.sha256
    ).hexdigest()


def refusal(details: WatchedDetails, policy: WatchPolicy) -> tuple[str, str, str] | None:
    """(field, Chinese, English) when the entry names a type or grade the policy lacks."""
    if details.person_type not in policy.types:
        return "person_type", "人员类别不在名册规定的类别中", "unknown person type"
    if details.grade not in policy.grades:
        return "grade", "关注等级不在名册规定的等级中", "unknown grade"
    return None


class WatchKind(StrEnum):
    """How a read of the register is named in the access trail."""

    LIST = "list"
    ENTRY = "entry"
    LOOKUP = "lookup"
