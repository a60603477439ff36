"""挂牌督办 (listed supervision) as recorded on a case.

A leader of a level the policy allows (``ListingPolicy.levels``) lists a hard case with a
督办时限 and a supervising unit (督办单位); the deadline runs as a clock of the case (rule
``listing_deadline``) whose overdue alert walks the policy's listing chain up to the level above
the lister. 摘牌 (delisting) needs the case resolved and the lister's approval (or that of the
delegate the lister named).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from domain.base import Frozen
from domain.days import Day
from domain.organisation.organisations import OrgId
from domain.people.access import JurisdictionPrefix, UserId
from domain.text import Actor, LongText, ShortText


class ListingDetails(Frozen):
    """挂牌督办: by when the case is to be resolved, who supervises it, and why."""

    deadline: Annotated[
        Day, Field(description="督办时限（到期未化解的，提醒至挂牌领导的上一级）/ the deadline")
    ]
    supervising_unit: Annotated[OrgId, Field(description="督办单位 / the supervising unit")]
    reason: Annotated[LongText, Field(description="挂牌事由及督办要求 / why, and what is asked")]
    delegate: Annotated[
        UserId | None,
        Field(description="可代为审批摘牌的人员账号 / who may approve delisting for the lister"),
    ] = None


class ListCaseCommand(ListingDetails):
    """What the case records beyond the leader's form: filled by the API from the caller."""

    supervising_unit_name: ShortText | None = None
    lister_user_id: UserId | None = None
    lister_jurisdiction: JurisdictionPrefix | None = None


class DelistDetails(Frozen):
    """摘牌: the lister's (or delegate's) approval, with a note on how the case was resolved."""

    note: Annotated[LongText, Field(description="摘牌意见 / the approval note")]


class Listing(Frozen):
    """One 挂牌督办 of the case; ``delisted_at`` once taken off."""

    listing_no: int
    deadline: Day
    supervising_unit: str
    supervising_unit_name: str | None = None
    reason: str
    lister: Actor
    lister_user_id: str | None = None
    lister_jurisdiction: str | None = None
    delegate: str | None = None
    clock_id: str | None = None
    at: AwareDatetime
    delisted_at: AwareDatetime | None = None
    delisted_by: Actor | None = None
    delist_note: str | None = None

    @property
    def open(self) -> bool:
        return self.delisted_at is None


# 领导层级 by the length of the leader's jurisdiction code (市 4+2, 县 6, 乡镇 9, 村 12).
LEVEL_OF_CODE_LENGTH = {6: "county", 9: "town", 12: "village"}
LEVEL_LABELS = {"city": "市级", "county": "县级", "town": "乡镇(街道)", "village": "村(社区)"}


def leader_level(jurisdiction: str | None) -> str | None:
    return LEVEL_OF_CODE_LENGTH.get(len(jurisdiction or ""))


def above(jurisdiction: str) -> str:
    """The recipient one level above a leader of ``jurisdiction``: a county leader's city
    (``city-leader:320100``), a town leader's county, a village's town."""
    if len(jurisdiction) == 6:
        return f"city-leader:{jurisdiction[:4]}00"
    if len(jurisdiction) == 9:
        return f"county-leader:{jurisdiction[:6]}"
    return f"town-leader:{jurisdiction[:9]}"
