"""领导接访: a leader receives petitioners in person (a reception day at each level).

The log records the leader, the day, the place, the receiving organisation (接访单位, whose
intake registers the cases brought) and the visitors (来访人员). Cases registered from it come
in on the channel 领导接访 with the receiving leader as their 包案领导 (``domain.case``).
A visitor's ID number and phone are checked on the way in and masked on every way out.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from domain.base import Frozen
from domain.days import Day
from domain.text import Name, OptionalText, Remark, ShortText
from domain.values import Phone, ResidentId

# ``JD-`` and 20 hexadecimal digits: made by the service, never typed by a person.
ReceptionId = Annotated[str, StringConstraints(pattern=r"^JD-[0-9a-f]{20}$")]
OrgIdText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class Visitor(Frozen):
    """来访人员: who came, with the numbers that identify them (both optional)."""

    name: Name
    id_number: ResidentId | None = None
    phone: Phone | None = None
    people: Annotated[int, Field(ge=1, le=10_000)] = 1  # 来访人数 (a group counted once)
    matter: Remark = ""  # 反映事项 in one line

    @field_validator("id_number", "phone", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class ReceptionDetails(Frozen):
    """What the leader (or whoever keeps the log for them) records of one reception."""

    received_on: Day  # 接访日期
    place: ShortText  # 接访地点
    organisation: OrgIdText  # 接访单位 (the registry's id): its intake registers the cases
    visitors: Annotated[tuple[Visitor, ...], Field(min_length=1, max_length=200)]
    note: OptionalText = ""  # 接访情况


class Reception(ReceptionDetails):
    """One reception as the log keeps it."""

    reception_id: ReceptionId
    leader_user_id: str
    leader_name: Name
    leader_title: ShortText
    jurisdiction_code: str  # the leader's area when the log was written
    organisation_name: ShortText


def reception_not_future(received_on: date, today: date) -> str | None:
    """The refusal (Chinese) for a reception dated after ``today``, else None."""
    if received_on > today:
        return "接访日期不能晚于今天"
    return None


LEADER_TITLES = {
    6: "县（区）领导",
    9: "乡镇（街道）领导",
    12: "村（社区）负责人",
}


def leader_title(jurisdiction_code: str | None) -> str:
    """How a leader is titled on the case (包案领导's 职务) from the level of their area."""
    return LEADER_TITLES.get(len(jurisdiction_code or ""), "领导")
