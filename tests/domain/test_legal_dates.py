"""Clocks start from the legal facts' dates (issue 10): late entries, checks, pauses, extensions.

Every date below is counted by hand against the official 2026 arrangement (``OFFICIAL``):
春节 15–23 Feb, 清明 4–6 Apr, 劳动节 1–5 May (Sat 9 May worked).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from activities.policy.book import LEGACY_POLICY_2026_1, PolicyBook
from domain.case import commands as c
from domain.case import events as e
from domain.case.alerts import AlertKind
from domain.case.clocks import Clock, ClockStatus
from domain.case.decide import advance, decide, snapshot_policy
from domain.case.evolve import evolve
from domain.case.policy import PolicySet, case_policy
from domain.case.state import CaseState
from domain.case.summaries import summarize
from domain.deadlines.periods import end_of_china_day
from domain.deadlines.why import StepKind
from domain.errors import InvalidCommand
from domain.values import CHINA_TZ, RiskLevel
from tests.domain.official_calendar import OFFICIAL
from tests.samples import PETITION_INTAKE, command, register

CURRENT = PolicyBook.load().base
LEGACY = PolicyBook.load(base_file=LEGACY_POLICY_2026_1).base


# 补录宽限: the shipped policy (2026.4) acts on a breach already past when entered this much later.
GRACE = timedelta(minutes=30)


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock China time on ``day``, as a UTC instant."""
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ).astimezone(UTC)


class Story:
    """One case told command by command, each recorded at the moment the test says."""

    def __init__(self, now: datetime, policy: PolicySet = CURRENT, **intake: Any) -> None:
        self.n = 0
        self.events: list[e.Event] = []
        self.state: CaseState | None = None
        prefix = "XF" if intake.get("kind") == "petition" else "JF"
        registration = register(case_id=f"{prefix}-2026-000001", **intake)
        self.do(registration, now)
        state = self.case
        snapshot = case_policy(
            policy,
            OFFICIAL,
            kind=state.kind,
            category=state.category,
            channel=state.channel,
            risk=RiskLevel.LOW,
        )
        self._fold(snapshot_policy(state, snapshot, actor="系统", command_id="policy", now=now))

    @property
    def case(self) -> CaseState:
        assert self.state is not None
        return self.state

    def _fold(self, events: list[e.Event]) -> list[e.Event]:
        for event in events:
            self.state = evolve(self.state, event)
        self.events += events
        return events

    def do(self, cmd: c.Command, now: datetime) -> list[e.Event]:
        self.n += 1
        envelope = c.CommandEnvelope(command_id=f"cmd-{self.n}", actor="王芳", command=cmd)
        return self._fold(decide(self.state, envelope, now=now))

    def act(self, action: str, now: datetime, **overrides: Any) -> list[e.Event]:
        return self.do(command(action, now.astimezone(CHINA_TZ).date(), **overrides), now)

    def refused(self, action: str, now: datetime, **overrides: Any) -> InvalidCommand:
        before = self.case.model_copy(deep=True)
        recorded = len(self.events)
        with pytest.raises(InvalidCommand) as refusal:
            self.act(action, now, **overrides)
        assert len(self.events) == recorded  # nothing recorded
        assert self.case == before  # and the case as it was (a copy, not the same object)
        return refusal.value

    def advance(self, now: datetime) -> list[e.Event]:
        return self._fold(advance(self.case, now=now))

    def clock(self, clock_id: str) -> Clock:
        clock = self.case.clock(clock_id)
        assert clock is not None, f"no clock {clock_id}"
        return clock


def kinds(clock: Clock) -> list[StepKind]:
    return [step.kind for step in clock.schedule.due.why]


def step(clock: Clock, kind: StepKind) -> Any:
    return next(s for s in clock.schedule.due.why if s.kind is kind)


# --- the clock starts from the fact's date, however late it is recorded ---


def test_an_agreement_recorded_ten_days_late_opens_its_b7_window_from_the_signing() -> None:
    story = Story(at(date(2026, 3, 2)))
    story.act("accept", at(date(2026, 3, 2)))
    story.act("start_mediation", at(date(2026, 3, 2)))
    story.act("record_agreement", at(date(2026, 3, 13)), signed_on="2026-03-03", items=[])
    b7 = story.clock("B7")
    assert b7.start is not None
    assert (b7.start.fact, b7.start.on) == ("agreement_recorded", date(2026, 3, 3))
    assert b7.start.recorded_at == at(date(2026, 3, 13))
    # 3 Mar + 30 days = Thu 2 Apr, a working day (recorded-day counting gave Mon 13 Apr).
    assert b7.schedule.due.last_day == date(2026, 4, 2)
    assert b7.due_at == end_of_china_day(date(2026, 4, 2))
    late = step(b7, StepKind.LATE_ENTRY)
    assert late.count == 10
    assert "补录" in late.zh
    assert "10 days after the fact" in late.en
    assert kinds(b7)[:3] == [StepKind.START, StepKind.LATE_ENTRY, StepKind.NOT_COUNTED]
    agreement = next(ev for ev in story.events if ev.type == "agreement_recorded")
    summary = summarize(story.case, [agreement])[0]
    assert summary.endswith("（补录：事实日期 2026-03-03，2026-03-13 录入，晚 10 日）")


def test_a_reply_served_and_recorded_late_starts_a7_from_service() -> None:
    story = Story(at(date(2026, 3, 2)), **PETITION_INTAKE)
    story.act("accept", at(date(2026, 3, 2)))
    story.act("reply", at(date(2026, 3, 20)), answered_on="2026-03-04", served_on="2026-03-06")
    a7 = story.clock("A7")
    assert a7.start is not None
    assert (a7.start.fact, a7.start.on) == ("petition_replied", date(2026, 3, 6))
    # 6 Mar + 30 days = Sun 5 Apr, 清明 (4–6 Apr): the period ends on Tue 7 Apr.
    assert a7.schedule.due.last_day == date(2026, 4, 7)
    move = step(a7, StepKind.HOLIDAY_MOVE)
    assert move.name == "清明节"
    assert step(a7, StepKind.LATE_ENTRY).count == 14
    assert story.case.answers[-1].served_on == date(2026, 3, 6)


def test_a_reply_served_on_the_spot_counts_from_the_day_it_is_recorded() -> None:
    story = Story(at(date(2026, 3, 2)), **PETITION_INTAKE)
    story.act("accept", at(date(2026, 3, 2)))
    story.act("reply", at(date(2026, 3, 9)))  # answered and served on 9 Mar
    a7 = story.clock("A7")
    assert a7.start is not None
    assert a7.start.on == date(2026, 3, 9)
    assert StepKind.LATE_ENTRY not in kinds(a7)


def test_acceptance_and_registration_carry_their_dates() -> None:
    story = Story(at(date(2026, 3, 2)), category="labour", received_on="2026-02-27")
    e1 = story.clock("E1")
    assert e1.start is not None
    assert e1.start.on == date(2026, 2, 27)  # from the application (劳动争议调解仲裁法 Art.14)
    # 27 Feb + 15 days = Sat 14 Mar, a rest day: Mon 16 Mar.
    assert e1.schedule.due.last_day == date(2026, 3, 16)
    story.act("accept", at(date(2026, 3, 4)), accepted_on="2026-03-02")
    assert story.case.accepted_on == date(2026, 3, 2)


def test_b2_counts_a_month_from_the_stated_acceptance() -> None:
    story = Story(at(date(2026, 1, 20)))
    story.act("accept", at(date(2026, 2, 2)), accepted_on="2026-01-30")
    b2 = story.clock("B2")
    # 30 Jan + 1 month: February has no 30th, so its last day, Sat 28 Feb — a 调休 working day.
    assert b2.schedule.due.last_day == date(2026, 2, 28)


def test_medical_mediation_counts_from_the_acceptance_date_stated() -> None:
    story = Story(at(date(2026, 3, 2)), category="medical")
    story.act("accept", at(date(2026, 3, 9)), accepted_on="2026-03-05")
    story.act("start_mediation", at(date(2026, 3, 9)), started_on="2026-03-08")
    e4 = story.clock("E4")
    assert e4.start is not None
    assert (e4.start.fact, e4.start.on) == ("case_accepted", date(2026, 3, 5))
    assert e4.schedule.due.last_day == date(2026, 4, 17)  # 30 working days, 清明 skipped
    assert story.case.mediation is not None
    assert story.case.mediation.started_on == date(2026, 3, 8)


def test_traffic_mediation_counts_from_the_day_mediation_began() -> None:
    story = Story(at(date(2026, 3, 2)), category="traffic")
    story.act("accept", at(date(2026, 3, 2)))
    story.act("start_mediation", at(date(2026, 3, 12)), started_on="2026-03-03")
    e6 = story.clock("E6")
    assert e6.start is not None
    assert e6.start.on == date(2026, 3, 3)
    assert e6.schedule.due.last_day == date(2026, 3, 13)  # 3 Mar + 10 days, a Friday


def test_administrative_medical_mediation_known_at_intake_starts_e5a() -> None:
    story = Story(
        at(date(2026, 3, 2)),
        category="medical",
        mediation_track="administrative",
        received_on="2026-02-26",
    )
    e5a = story.clock("E5a")
    assert e5a.start is not None
    assert e5a.start.on == date(2026, 2, 26)
    # Thu 26 Feb: Fri 27 (1), Sat 28 worked (2), Mon 2 (3), Tue 3 (4), Wed 4 Mar (5).
    assert e5a.schedule.due.last_day == date(2026, 3, 4)
    story.act("accept", at(date(2026, 3, 3)))
    assert story.clock("E5a").status is ClockStatus.MET
    story.act("start_mediation", at(date(2026, 3, 3)), mediation_type="administrative")
    assert story.case.clock("E5") is not None
    assert story.case.clock("E4") is None


def test_the_court_decision_cap_counts_from_the_courts_acceptance_as_stated() -> None:
    story = Story(at(date(2026, 3, 2)))
    for action in ("accept", "start_mediation"):
        story.act(action, at(date(2026, 3, 2)))
    story.act("record_agreement", at(date(2026, 3, 3)), items=[])
    story.act("apply_judicial_confirmation", at(date(2026, 3, 4)))
    story.act("record_court_acceptance", at(date(2026, 3, 16)), accepted_on="2026-03-06")
    c4 = story.clock("C4")
    assert c4.start is not None
    assert c4.cap_start is not None
    assert c4.start.on == c4.cap_start.on == date(2026, 3, 6)
    assert c4.schedule.due.last_day == date(2026, 3, 23)  # 6 Mar + 15 = Sat 21 → Mon 23
    cap = step(c4, StepKind.CAP)
    assert cap.day == date(2026, 4, 7)  # 6 Mar + 30 = Sun 5 Apr, 清明 → Tue 7 Apr
    assert "上限不约束" in cap.zh


# --- a fact recorded after its period ran raises the warning or breach at once ---


def test_a_petition_registered_weeks_late_is_overdue_after_the_grace_and_escalates() -> None:
    now = at(date(2026, 3, 2))
    story = Story(now, **PETITION_INTAKE, received_on="2026-01-05")
    a1 = story.clock("A1")
    assert a1.due_at < now  # 5 Jan + 15 days = 20 Jan, long past
    # Entered late: the breach waits for the grace, so the next fact typed can answer it.
    assert story.advance(now) == []
    assert story.clock("A1").status is ClockStatus.RUNNING
    events = story.advance(now + GRACE)
    assert story.clock("A1").status is ClockStatus.BREACHED
    breaches = [ev.body for ev in events if isinstance(ev.body, e.AlertRaised)]
    assert {b.alert.clock_id for b in breaches} >= {"A1", "A2"}
    assert all(b.alert.kind is AlertKind.BREACH and b.alert.level == 1 for b in breaches)
    assert all(b.alert.next_step_at is not None for b in breaches)  # the chain walks on


def test_a_late_acceptance_whose_warning_time_passed_warns_after_the_grace() -> None:
    now = at(date(2026, 3, 2))
    story = Story(at(date(2026, 1, 5)), **PETITION_INTAKE)
    story.act("accept", now, accepted_on="2026-01-06")
    a6 = story.clock("A6")
    # 6 Jan + 60 days = Sat 7 Mar → Mon 9 Mar; the 10-day warning time (27 Feb) has passed.
    assert a6.schedule.due.last_day == date(2026, 3, 9)
    assert a6.schedule.warn_at is not None
    assert a6.schedule.warn_at < now < a6.due_at
    story.advance(now)
    assert story.clock("A6").warned_at is None
    story.advance(now + GRACE)
    assert story.clock("A6").warned_at == now + GRACE
    assert any(a.kind is AlertKind.WARNING and a.clock_id == "A6" for a in story.case.alerts)


def test_a_reply_served_long_before_it_was_recorded_closes_the_review_window_after_the_grace() -> (
    None
):
    story = Story(at(date(2026, 1, 5)), **PETITION_INTAKE)
    story.act("accept", at(date(2026, 1, 6)))
    now = at(date(2026, 3, 2))
    story.act("reply", now, answered_on="2026-01-10", served_on="2026-01-12")
    story.advance(now + GRACE)
    assert story.clock("A7").status is ClockStatus.LAPSED
    assert story.case.finalized is not None


# --- the checks: 422 naming the field, nothing recorded ---


def test_a_stated_date_cannot_be_in_the_future_or_before_what_it_follows() -> None:
    story = Story(at(date(2026, 3, 2)), received_on="2026-02-27")
    now = at(date(2026, 3, 5))
    assert story.refused("accept", now, accepted_on="2026-03-06").field == "accepted_on"
    assert story.refused("accept", now, accepted_on="2026-02-26").field == "accepted_on"
    story.act("accept", now, accepted_on="2026-02-27")
    refused = story.refused("start_mediation", now, started_on="2026-02-26")
    assert refused.field == "started_on"
    assert "受理之日" in refused.message_zh
    story.act("start_mediation", now, started_on="2026-03-02")
    assert story.refused("record_agreement", now, signed_on="2026-03-01").field == "signed_on"


def test_the_court_decides_after_accepting_and_a_visit_follows_the_signing() -> None:
    story = Story(at(date(2026, 3, 2)))
    now = at(date(2026, 3, 20))
    story.act("accept", now, accepted_on="2026-03-02")
    story.act("start_mediation", now, started_on="2026-03-03")
    story.act("record_agreement", now, signed_on="2026-03-05", items=[])
    story.act("apply_judicial_confirmation", now, applied_on="2026-03-06")
    story.act("record_court_acceptance", now, accepted_on="2026-03-09")
    assert story.refused("record_court_decision", now, decided_on="2026-03-08").field == (
        "decided_on"
    )
    story.act("record_court_decision", now, decided_on="2026-03-10")
    refused = story.refused("record_follow_up", now, visited_on="2026-03-04", performance=[])
    assert refused.field == "visited_on"


def test_service_cannot_precede_the_answer_nor_a_review_request_the_service() -> None:
    story = Story(at(date(2026, 3, 2)), **PETITION_INTAKE)
    story.act("accept", at(date(2026, 3, 2)))
    now = at(date(2026, 3, 10))
    refused = story.refused("reply", now, answered_on="2026-03-05", served_on="2026-03-04")
    assert refused.field == "served_on"
    assert story.refused("reply", now, answered_on="2026-03-05", served_on="2026-03-11").field == (
        "served_on"
    )
    story.act("reply", now, answered_on="2026-03-05", served_on="2026-03-07")
    refused = story.refused("request_review", now, requested_on="2026-03-06")
    assert refused.field == "requested_on"
    story.act("request_review", now, requested_on="2026-03-07")


def test_the_old_snapshot_checks_and_counts_as_it_always_did() -> None:
    story = Story(at(date(2026, 3, 2)), policy=LEGACY)
    now = at(date(2026, 3, 12))
    story.act("accept", now, accepted_on="2026-03-03")
    b2 = story.clock("B2")
    assert b2.start is None  # 2026.1: from the recording instant
    assert b2.started_at == now
    assert b2.schedule.due.last_day == date(2026, 4, 13)  # 12 Mar + 30 = Sat 11 Apr → Mon 13
    assert b2.schedule.due.steps  # and it explains itself as it did
    assert story.case.accepted_on == date(2026, 3, 3)  # the legal date is still kept
    story.act("start_mediation", now)
    story.act(
        "record_agreement", now, signed_on="2026-03-11", items=[]
    )  # before mediation: no check


# --- pauses and extensions carry their dates ---


def test_a_working_day_clock_paused_for_a_week_skips_its_five_working_days() -> None:
    story = Story(at(date(2026, 3, 2)), category="medical")
    story.act("accept", at(date(2026, 3, 5)))
    story.act("start_mediation", at(date(2026, 3, 8)))
    assert story.clock("E4").schedule.due.last_day == date(2026, 4, 17)
    story.act(
        "pause_clock",
        at(date(2026, 3, 18)),
        clock_id="E4",
        reason="appraisal",
        note="医疗损害鉴定",
        paused_on="2026-03-16",
    )
    story.act("resume_clock", at(date(2026, 3, 24)), clock_id="E4", resumed_on="2026-03-23")
    e4 = story.clock("E4")
    pause = step(e4, StepKind.PAUSE)
    assert (pause.day, pause.until, pause.count) == (date(2026, 3, 16), date(2026, 3, 22), 5)
    assert "医疗损害鉴定" in pause.zh
    assert e4.schedule.due.last_day == date(2026, 4, 24)  # five working days later
    assert e4.pauses[0].paused_on == date(2026, 3, 16)
    assert e4.pauses[0].resumed_on == date(2026, 3, 23)

    refused = story.refused(
        "extend_clock", at(date(2026, 3, 25)), clock_id="E4", length=10, approver="调委会"
    )
    assert refused.field == "length"  # E4 is extended by an agreed new end date
    refused = story.refused(
        "extend_clock",
        at(date(2026, 3, 25)),
        clock_id="E4",
        length=None,
        new_end="2026-04-24",
        approver="调委会",
    )
    assert refused.field == "new_end"  # not after the current end
    story.act(
        "extend_clock",
        at(date(2026, 3, 25)),
        clock_id="E4",
        length=None,
        new_end="2026-05-09",
        approver="医疗纠纷人民调解委员会与医患双方",
        reason="鉴定意见需双方研究",
    )
    e4 = story.clock("E4")
    extension = step(e4, StepKind.EXTENSION)
    assert extension.name == "医疗纠纷人民调解委员会与医患双方"
    assert extension.until == date(2026, 4, 24)
    assert e4.schedule.due.last_day == date(2026, 5, 9)  # Sat 9 May is a 调休 working day


def test_pause_and_resume_dates_are_checked() -> None:
    story = Story(at(date(2026, 3, 2)), category="medical")
    story.act("accept", at(date(2026, 3, 5)))
    story.act("start_mediation", at(date(2026, 3, 8)))
    now = at(date(2026, 3, 18))
    pause: dict[str, Any] = {"clock_id": "E4", "reason": "appraisal"}
    assert story.refused("pause_clock", now, **pause, paused_on="2026-03-04").field == "paused_on"
    assert story.refused("pause_clock", now, **pause, paused_on="2026-03-19").field == "paused_on"
    story.act("pause_clock", now, **pause, paused_on="2026-03-10")
    resume: dict[str, Any] = {"clock_id": "E4", "resumed_on": "2026-03-09"}
    assert story.refused("resume_clock", now, **resume).field == "resumed_on"


def test_an_extension_by_length_takes_no_new_end_and_needs_a_length() -> None:
    story = Story(at(date(2026, 3, 2)))
    story.act("accept", at(date(2026, 3, 2)))
    now = at(date(2026, 3, 10))
    assert story.refused("extend_clock", now, new_end="2026-05-01").field == "new_end"
    assert story.refused("extend_clock", now, length=None).field == "length"
    story.act("extend_clock", now, length=15)
    b2 = story.clock("B2")
    # 2 Mar + 1 month = Thu 2 Apr; + 15 days from it = Fri 17 Apr.
    assert b2.schedule.due.last_day == date(2026, 4, 17)
    assert "调委会主任李明" in step(b2, StepKind.EXTENSION).zh
