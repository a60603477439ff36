"""A case's holiday data covers the years of its facts, not only its year of registration.

Counted by hand against the State Council's 2026 notice (the installed ``chinesecalendar``):
中秋 Fri 25 – Sun 27 Sep, 国庆 Thu 1 – Wed 7 Oct, worked weekend days Sun 20 Sep and Sat 10 Oct.
Without the notice a count falls back on the statutory days of 《全国年节及纪念日放假办法》 alone
(中秋 25 Sep, 国庆 1–3 Oct) and no worked weekend: the two counts end on different days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from activities.policy.book import PolicyBook
from activities.policy.calendar_data import load_calendar
from activities.tasks.policy import YEARS_SNAPSHOTTED, calendar_slice
from domain.case import commands as c
from domain.case import events as e
from domain.case.calendar_years import extend_calendar, intake_years, stated_years, years_lacking
from domain.case.clocks import Clock
from domain.case.decide import decide, snapshot_policy
from domain.case.evolve import evolve
from domain.case.policy import case_policy
from domain.case.state import CaseState
from domain.case.summaries import summarize
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.why import StepKind
from domain.values import CHINA_TZ, RiskLevel
from tests.samples import PETITION_INTAKE, command, register

DATA = load_calendar()  # the package data: 2026 published, 2027 not
REGISTERED = datetime(2027, 1, 2, 1, 30, tzinfo=UTC)  # 09:30 on 2 Jan 2027, China time


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=CHINA_TZ).astimezone(UTC)


class Case:
    """One case registered on ``REGISTERED`` and snapshotted as the workflow does at intake."""

    def __init__(self, *, snapshot_years: tuple[int, ...] | None = None, **intake: object) -> None:
        self.n = 0
        self.state: CaseState | None = None
        self.events: list[e.Event] = []
        prefix = "XF" if intake.get("kind") == "petition" else "JF"
        registration = register(case_id=f"{prefix}-2026-000007", **intake)
        self.do(registration, REGISTERED)
        years = intake_years(registration, 2027) if snapshot_years is None else snapshot_years
        calendar = calendar_slice(DATA, 2027, YEARS_SNAPSHOTTED, also=years)
        state = self.case
        policy = case_policy(
            PolicyBook.load().base,
            calendar,
            kind=state.kind,
            category=state.category,
            channel=state.channel,
            risk=RiskLevel.LOW,
        )
        self.fold(snapshot_policy(state, policy, actor="系统", command_id="p", now=REGISTERED))

    @property
    def case(self) -> CaseState:
        assert self.state is not None
        return self.state

    def fold(self, events: list[e.Event]) -> None:
        for event in events:
            self.state = evolve(self.state, event)
        self.events += events

    def do(self, cmd: c.Command, now: datetime) -> None:
        self.n += 1
        envelope = c.CommandEnvelope(command_id=f"c{self.n}", actor="王芳", command=cmd)
        self.fold(decide(self.state, envelope, now=now))

    def act(self, action: str, now: datetime, **overrides: object) -> None:
        self.do(command(action, now.astimezone(CHINA_TZ).date(), **overrides), now)

    def clock(self, clock_id: str) -> Clock:
        found = self.case.clock(clock_id)
        assert found is not None
        return found


def _why(clock: Clock) -> str:
    return " ".join(step.zh for step in clock.schedule.due.why)


def test_intake_in_january_keeps_the_notice_of_the_year_the_application_arrived() -> None:
    case = Case(**PETITION_INTAKE, received_on="2026-09-20")
    calendar = case.case.policy.calendar  # type: ignore[union-attr]
    assert calendar.covers(2026)
    a1 = case.clock("A1")
    # 20 Sep + 15 days = Mon 5 Oct, inside 国庆 (1–7 Oct under the notice): the period ends on
    # the first working day after it, Thu 8 Oct. Counted without the notice, 5 Oct is an
    # ordinary Monday (国庆 1–3 Oct only) and would be the last day.
    assert a1.schedule.due.last_day == date(2026, 10, 8)
    assert not a1.schedule.due.provisional
    assert "尚未公布" not in _why(a1)
    move = next(s for s in a1.schedule.due.why if s.kind is StepKind.HOLIDAY_MOVE)
    assert move.name == "国庆节"


def test_a_working_day_clock_of_september_2026_counts_the_worked_sundays_and_the_long_break() -> (
    None
):
    case = Case(category="medical", received_on="2026-09-18")
    case.act("accept", REGISTERED, accepted_on="2026-09-18")
    case.act("start_mediation", REGISTERED, started_on="2026-09-18")
    e4 = case.clock("E4")
    # 30 working days from Fri 18 Sep (the day itself not counted):
    #   Sun 20 Sep (worked, 调休) 1; Mon 21 – Thu 24 Sep 2–5; 25–27 Sep 中秋 skipped;
    #   Mon 28 – Wed 30 Sep 6–8; 1–7 Oct 国庆 skipped; Thu 8, Fri 9 Oct 9–10;
    #   Sat 10 Oct (worked, 调休) 11; 12–16 Oct 12–16; 19–23 Oct 17–21; 26–30 Oct 22–26;
    #   Mon 2 – Thu 5 Nov 27–30.  Last day: Thu 5 Nov 2026.
    # (Without the notice: no worked Sundays, 国庆 1–3 Oct only → Wed 4 Nov.)
    assert e4.schedule.due.last_day == date(2026, 11, 5)
    assert not e4.schedule.due.provisional
    assert "尚未公布" not in _why(e4)


def test_the_years_a_command_states_are_its_own_date_fields() -> None:
    agreement = command(
        "record_agreement",
        date(2027, 1, 2),
        signed_on="2026-12-30",
        items=[{"description": "付款", "due_on": "2031-05-01"}],
    )
    assert stated_years(agreement) == (2026,)  # an item's due day is no fact a period counts from
    registration = register(case_id="JF-2026-000008", received_on="2025-12-30")
    assert isinstance(registration, c.Register)
    assert intake_years(registration, 2027) == (2025, 2026)
    assert intake_years(registration, 2025) == ()


def test_a_fact_in_a_year_the_snapshot_lacks_extends_the_case_calendar_once() -> None:
    # A case whose snapshot holds 2027–2029 only (registered before its calendar followed its
    # facts, or a fact far beyond intake): a fact of 2026 adds the 2026 notice to the case.
    case = Case(snapshot_years=(), category="medical", received_on="2026-12-30")
    calendar = case.case.policy.calendar  # type: ignore[union-attr]
    assert not calendar.holds_year(2026)
    accept = command("accept", date(2027, 1, 2), accepted_on="2026-12-31")
    assert years_lacking(case.case, accept) == (2026,)

    events = extend_calendar(case.case, DATA, (2026,), now=REGISTERED)
    assert [ev.type for ev in events] == ["clocks_rescheduled"]
    body = events[0].body
    assert isinstance(body, e.ClocksRescheduled)
    assert body.years_added == (2026,)
    case.fold(events)
    extended: HolidayCalendar = case.case.policy.calendar  # type: ignore[union-attr]
    assert extended.covers(2026)
    assert extended.is_adjusted_workday(date(2026, 10, 10))
    assert extended.holds_year(2027)  # the years it had are kept
    assert years_lacking(case.case, accept) == ()
    assert extend_calendar(case.case, DATA, (2026,), now=REGISTERED) == []
    summary = summarize(case.case, events)[0]
    assert summary.startswith("补充2026年节假日安排")
