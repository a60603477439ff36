"""调解日程: the sessions booked ahead, for the caller's organisation, or naming the caller."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import agenda
from activities.store.agenda import AgendaFilter, AgendaLine
from api.errors import database_errors, forbidden, invalid_input
from domain.case.agenda import SESSION_STATUS_LABELS, SessionStatus, session_time
from domain.case.labels import STAGE_LABELS
from domain.case.stages import Stage
from domain.people.access import CENTER_ROLES, Principal, Role
from domain.people.privacy import scrub_text
from domain.values import CHINA_TZ, china_date

# At most this many days in one agenda page (a month and a bit).
MAX_DAYS = 62


class AgendaEntry(BaseModel):
    """One session on the agenda."""

    case_id: str
    schedule_no: int
    starts_at: datetime
    day: date  # the session's day, China time
    time_label: str  # 2026-12-14 09:30
    place: str
    status: str
    status_label: str
    unrecorded: bool  # its day has passed and it is not recorded (待记录调解会)
    mediators: str
    parties: int
    postponed: int
    title: str
    stage: str
    stage_label: str
    category: str
    jurisdiction_code: str
    organisation: str | None


class Agenda(BaseModel):
    """调解日程 from ``start`` to ``end`` (China days, both included), earliest first."""

    scope: str  # mine | organisation | jurisdiction
    start: date
    end: date
    total: int
    items: list[AgendaEntry]


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ)


def _entry(line: AgendaLine, today: date) -> AgendaEntry:
    day = china_date(line.starts_at)
    status = SessionStatus(line.status)
    return AgendaEntry(
        case_id=line.case_id,
        schedule_no=line.schedule_no,
        starts_at=line.starts_at,
        day=day,
        time_label=session_time(line.starts_at),
        place=line.place,
        status=status.value,
        status_label=SESSION_STATUS_LABELS[status],
        unrecorded=status is SessionStatus.SCHEDULED and day < today,
        mediators=line.mediators,
        parties=line.parties,
        postponed=line.postponed,
        title=scrub_text(line.title),
        stage=line.stage,
        stage_label=STAGE_LABELS[Stage(line.stage)],
        category=line.category,
        jurisdiction_code=line.jurisdiction_code,
        organisation=line.org_id,
    )


def agenda_filter(
    principal: Principal, *, mine: bool, statuses: tuple[str, ...] | None = None
) -> AgendaFilter:
    """The caller's reach: a leader's jurisdiction, else the cases their organisation holds;
    ``mine``: the sessions naming the caller (by name, or by their roster entry)."""
    leader = principal.role is Role.LEADER
    return AgendaFilter(
        organisation=None if leader else principal.center_id,
        within=principal.jurisdiction if leader else None,
        mediator=principal.display_name if mine else None,
        mediator_id=principal.mediator_id if mine else None,
        statuses=statuses,
    )


async def list_agenda(
    *,
    mine: bool,
    start: date | None,
    end: date | None,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    limit: int = 500,
) -> Agenda:
    """The caller's agenda; by default from today for four weeks."""
    if principal.role not in CENTER_ROLES | {Role.LEADER}:
        raise forbidden("当前角色无权查看调解日程", f"role '{principal.role.value}' has no agenda")
    today = china_date(now)
    first = start or today
    last = end or first + timedelta(days=27)
    if last < first:
        raise invalid_input(
            "结束日期（to）不能早于开始日期（from）", "'to' is before 'from'", field="to"
        )
    if (last - first).days >= MAX_DAYS:
        raise invalid_input(
            f"日程一次最多查询{MAX_DAYS}天", f"at most {MAX_DAYS} days at a time", field="to"
        )
    where = agenda_filter(principal, mine=mine)
    where = AgendaFilter(
        **{
            **where.__dict__,
            "starts_from": start_of_day(first),
            "starts_before": start_of_day(last + timedelta(days=1)),
        }
    )
    with database_errors():
        async with sessionmaker() as session:
            lines = await agenda.list_agenda(where, limit=limit, session=session)
    items = [_entry(line, today) for line in lines]
    scope = (
        "mine" if mine else ("jurisdiction" if principal.role is Role.LEADER else "organisation")
    )
    return Agenda(scope=scope, start=first, end=last, total=len(items), items=items)


async def unrecorded(
    *,
    mine: bool,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    limit: int,
    session: AsyncSession | None = None,
) -> tuple[int, list[AgendaEntry]]:
    """待记录调解会: sessions still booked whose day has passed (how many, and the first
    ``limit`` of them, oldest first)."""
    today = china_date(now)
    base = agenda_filter(principal, mine=mine, statuses=(SessionStatus.SCHEDULED.value,))
    where = AgendaFilter(**{**base.__dict__, "starts_before": start_of_day(today)})

    async def read(s: AsyncSession) -> tuple[int, list[AgendaEntry]]:
        count = await agenda.count_agenda(where, session=s)
        lines = await agenda.list_agenda(where, limit=limit, session=s) if limit else []
        return count, [_entry(line, today) for line in lines]

    if session is not None:
        return await read(session)
    with database_errors():
        async with sessionmaker() as s:
            return await read(s)
