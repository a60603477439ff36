"""记录同步滞后: which cases the store could not take events for, as the console shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import behind
from activities.store.sql import utc
from activities.store.tables import CaseBehindRow
from api.errors import database_errors
from domain.people.access import Principal

BANNER = "本案记录同步滞后，已通知运维"


@dataclass(frozen=True)
class BehindCase:
    """A case behind: since when, the last event the store holds and the last the case has."""

    case_id: str
    since: datetime
    projected_seq: int
    workflow_seq: int
    jurisdiction_code: str | None

    def shown_to(self, principal: Principal) -> bool:
        place = self.jurisdiction_code
        return place is not None and principal.covers(place)

    @property
    def notice(self) -> str:
        waiting = self.workflow_seq - self.projected_seq
        return (
            f"{BANNER}：显示的是第 {self.projected_seq} 号事件时的记录，"
            f"之后已办理的 {waiting} 项记录待同步后显示。"
        )


def _view(row: CaseBehindRow) -> BehindCase:
    return BehindCase(
        row.case_id, utc(row.since), row.projected_seq, row.workflow_seq, row.jurisdiction_code
    )


async def case_behind(
    case_id: str, *, sessionmaker: async_sessionmaker[AsyncSession]
) -> BehindCase | None:
    with database_errors():
        async with sessionmaker() as session:
            row = await behind.behind(case_id, session=session)
    return _view(row) if row is not None else None


async def behind_in_area(
    principal: Principal, *, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[BehindCase]:
    """Cases behind in the caller's jurisdiction subtree (only case numbers are shown)."""
    if principal.jurisdiction is None:
        return []
    with database_errors():
        async with sessionmaker() as session:
            rows = await behind.behind_within(principal.jurisdiction, session=session)
    return [_view(row) for row in rows]
