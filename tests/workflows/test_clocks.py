"""Statutory clocks, escalation and alerts on the time-skipping server (seconds of wall time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from activities.policy.book import PolicyBook
from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.policy import PolicySet
from domain.case.stages import Stage
from domain.deadlines.clock_rules import ClockRule, Confidence
from domain.deadlines.periods import PeriodUnit, due_after
from domain.deadlines.why import StepKind
from tests.workflows.clock_harness import (
    calendar_with,
    clockwork,
    legacy_policy,
)
from workflows.contract import CALENDAR_UPDATE
from workflows.patches import IMMINENT_TIMER_KEPT_PATCH

FAR = 400  # days: a plan deadline that stays out of the way


def _rule(rule_id: str, length: int, unit: PeriodUnit, **extra: object) -> ClockRule:
    return ClockRule.model_validate(
        {
            "rule_id": rule_id,
            "name": f"测试时限{rule_id}",
            "source": "测试规则 / test rule",
            "confidence": Confidence.DEFAULT,
            "start_on": ["case_accepted"],
            "stop_on": ["agreement_recorded"],
            "length": length,
            "unit": unit,
            "warn_before_hours": 24,
            **extra,
        }
    )


def _policy_with(*rules: ClockRule, version: str = "test-1") -> PolicySet:
    base = PolicyBook.load().base
    return base.model_copy(update={"version": version, "rules": rules})


async def _breach_setup(cw, **intake):  # type: ignore[no-untyped-def]
    handle = await cw.register(**intake)
    await cw.act(handle, "accept")
    today = (await cw.now()).date()
    await cw.act(handle, "plan", deadline=(today + timedelta(days=FAR)).isoformat())
    await cw.act(handle, "assign_package_leader")
    return handle


async def _breach_after(cw, handle, hours: int):  # type: ignore[no-untyped-def]
    """The B2 breach alert, ``hours`` after B2 fell due."""
    b2 = (await cw.state(handle)).clock("B2")
    assert b2 is not None
    await cw.sleep_until(b2.due_at + timedelta(hours=hours))
    return next(a for a in (await cw.state(handle)).alerts if a.kind is AlertKind.BREACH)


async def test_a_breach_escalates_through_all_four_levels() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await _breach_setup(cw)
        b2 = (await cw.state(handle)).clock("B2")
        assert b2 is not None
        await cw.sleep_until(b2.due_at + timedelta(days=30))

        state = await cw.state(handle)
        assert state.clock("B2").status is ClockStatus.BREACHED  # type: ignore[union-attr]
        warning = next(a for a in state.alerts if a.kind is AlertKind.WARNING)
        breach = next(a for a in state.alerts if a.kind is AlertKind.BREACH)
        assert warning.status is AlertStatus.CLOSED  # superseded by the breach
        assert [(n.level, n.recipient) for n in breach.notifications] == [
            (1, "person:王芳"),
            (1, "person:王芳"),
            (2, "leader:陈建国"),
            (2, "leader:陈建国"),
            (3, "town-leader:320102001"),
            (3, "town-leader:320102001"),
            (4, "county-leader:320102"),
            (4, "county-leader:320102"),
            (4, "county-leader:320102"),
        ]
        assert breach.next_step_at is None  # the chain is exhausted, nothing more to wait for
        hours = [
            round((n.at - breach.raised_at).total_seconds() / 3600) for n in breach.notifications
        ]
        assert hours == [0, 24, 48, 96, 144, 216, 288, 360, 432]
        sent = [d for d in cw.recorder.deliveries if d.alert_id == breach.alert_id]
        assert [(d.level, d.attempt) for d in sent] == [
            (n.level, n.attempt) for n in breach.notifications
        ]


async def test_acknowledging_at_level_two_stops_the_walk() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await _breach_setup(cw)
        breach = await _breach_after(cw, handle, hours=49)
        assert breach.level == 2

        acked = await cw.act(
            handle, "acknowledge_alert", actor="陈建国", alert_id=breach.alert_id, note="已签收"
        )
        after_ack = acked.alert(breach.alert_id)
        assert after_ack is not None
        assert after_ack.status is AlertStatus.ACKNOWLEDGED
        assert after_ack.acknowledged_by == "陈建国"
        sent_before = len(cw.recorder.deliveries)

        await cw.sleep_until(breach.raised_at + timedelta(days=40))
        final = (await cw.state(handle)).alert(breach.alert_id)
        assert final is not None
        assert max(n.level for n in final.notifications) == 2
        assert len(final.notifications) == len(after_ack.notifications)
        assert len(cw.recorder.deliveries) == sent_before
        with pytest.raises(WorkflowUpdateFailedError):  # acknowledged once is enough
            await cw.act(handle, "acknowledge_alert", alert_id=breach.alert_id)


async def test_an_approved_extension_moves_the_due_time_and_raises_no_breach() -> None:
    calendar = calendar_with(Path("/nonexistent"), None)
    async with clockwork(calendar, legacy_policy()) as cw:  # 2026.1: B2 as 30 + 20 days
        handle = await _breach_setup(cw)
        b2 = (await cw.state(handle)).clock("B2")
        assert b2 is not None
        extended = await cw.act(handle, "extend_clock", clock_id="B2", length=20)
        clock = extended.clock("B2")
        assert clock is not None
        assert (
            clock.due_at == due_after(b2.started_at, 50, PeriodUnit.CALENDAR_DAYS, calendar).due_at
        )
        assert clock.extensions[0].approver == "调委会主任李明"

        await cw.sleep_until(b2.due_at + timedelta(days=1))
        state = await cw.state(handle)
        assert state.clock("B2").status is ClockStatus.RUNNING  # type: ignore[union-attr]
        assert not [a for a in state.alerts if a.kind is AlertKind.BREACH]
        with pytest.raises(WorkflowUpdateFailedError):  # one extension only
            await cw.act(handle, "extend_clock", clock_id="B2", length=5)

        await cw.sleep_until(clock.due_at + timedelta(hours=1))
        state = await cw.state(handle)
        assert state.clock("B2").status is ClockStatus.BREACHED  # type: ignore[union-attr]


async def test_pausing_for_ten_days_moves_the_due_time_by_ten_days() -> None:
    calendar = calendar_with(Path("/nonexistent"), None)
    async with clockwork(calendar, legacy_policy()) as cw:  # 2026.1: a pause shifts the start
        handle = await _breach_setup(cw)
        before = (await cw.state(handle)).clock("B2")
        assert before is not None
        await cw.act(handle, "pause_clock", clock_id="B2", reason="appraisal", note="伤情鉴定")
        assert (await cw.state(handle)).clock("B2").status is ClockStatus.PAUSED  # type: ignore[union-attr]
        await cw.env.sleep(timedelta(days=10))
        resumed = (await cw.act(handle, "resume_clock", clock_id="B2")).clock("B2")
        assert resumed is not None
        assert resumed.status is ClockStatus.RUNNING
        assert resumed.paused_days() == 10
        expected = due_after(
            before.started_at + timedelta(days=10), 30, PeriodUnit.CALENDAR_DAYS, calendar
        )
        assert resumed.schedule.due == expected
        assert before.schedule.due.last_day is not None
        assert expected.last_day is not None
        assert expected.last_day >= before.schedule.due.last_day + timedelta(days=10)
        with pytest.raises(WorkflowUpdateFailedError):  # B2 pauses for appraisal only
            await cw.act(handle, "pause_clock", clock_id="B2", reason="hearing")


async def test_a_working_day_clock_across_national_day_lands_on_the_right_day() -> None:
    # Counted from the acceptance's legal date (2026.2), against the 2026 notice in the package.
    policy = _policy_with(_rule("WD5", 5, PeriodUnit.WORKING_DAYS, counting="2026.2"))
    async with clockwork(calendar_with(Path("/nonexistent"), None), policy) as cw:
        handle = await cw.register(received_on="2026-09-29")
        state = await cw.act(handle, "accept", accepted_on="2026-09-29")
        clock = state.clock("WD5")
        assert clock is not None
        # From Tue 29 Sep: Wed 30 Sep (1), 国庆 1–7 Oct skipped, Thu 8 (2), Fri 9 (3),
        # Sat 10 Oct worked (调休) (4), Sun 11 rest, Mon 12 Oct (5): the last day, ending at
        # 24:00 China time.
        assert clock.schedule.due.last_day == date(2026, 10, 12)
        assert clock.due_at == datetime(2026, 10, 12, 16, tzinfo=UTC)
        assert not clock.schedule.due.provisional
        # Entered weeks after it ran: the breach is recorded once the late-entry grace is over
        # (at once when the policy sets none), and a breach it stays.
        held = clock.schedule.held_until or clock.due_at
        await cw.sleep_until(held + timedelta(minutes=1))
        assert (await cw.state(handle)).clock("WD5").status is ClockStatus.BREACHED  # type: ignore[union-attr]


async def test_a_calendar_day_clock_ending_on_a_holiday_ends_on_the_next_working_day() -> None:
    # Counted from the acceptance's legal date (2026.2), against the 2026 notice in the package.
    policy = _policy_with(_rule("CD3", 3, PeriodUnit.CALENDAR_DAYS, counting="2026.2"))
    async with clockwork(calendar_with(Path("/nonexistent"), None), policy) as cw:
        handle = await cw.register(received_on="2026-09-29")
        clock = (await cw.act(handle, "accept", accepted_on="2026-09-29")).clock("CD3")
        assert clock is not None
        # Tue 29 Sep + 3 days = Fri 2 Oct, inside 国庆 (1–7 Oct): the period ends on the first
        # working day after the holiday, Thu 8 Oct.
        assert clock.schedule.due.last_day == date(2026, 10, 8)
        move = next(step for step in clock.schedule.due.why if step.kind is StepKind.HOLIDAY_MOVE)
        assert (move.until, move.name) == (date(2026, 10, 2), "国庆节")


def _test_notice_2081() -> dict[str, object]:
    """Test data, not a published notice: Tue 5 and Wed 6 Aug 2081 off (for the long rule)."""
    return {
        "year": 2081,
        "source": "测试数据 / test data, not a published notice",
        "holidays": ["2081-08-05", "2081-08-06"],
        "adjusted_workdays": [],
    }


async def test_a_clock_running_into_a_year_without_holiday_data_is_provisional(
    tmp_path: Path,
) -> None:
    # A test rule long enough that its period runs, whenever the test runs, into a year whose
    # notice is not in the data: 20000 days from the acceptance's legal date.
    policy = _policy_with(_rule("LONG", 20000, PeriodUnit.CALENDAR_DAYS, counting="2026.2"))
    package = calendar_with(Path("/nonexistent"), None)
    assert not package.covers(2081)
    async with clockwork(package, policy) as cw:
        handle = await cw.register(received_on="2026-11-02")
        clock = (await cw.act(handle, "accept", accepted_on="2026-11-02")).clock("LONG")
        assert clock is not None
        # Mon 2 Nov 2026 + 20000 days: 54 years to 2 Nov 2080 (54 × 365 + 14 leap days =
        # 19724), then 276 days (Nov 28, Dec 31, Jan 31, Feb 28, Mar 31, Apr 30, May 31,
        # Jun 30, Jul 31, Aug 5) = Tue 5 Aug 2081, an ordinary day of an unpublished year.
        assert clock.schedule.due.last_day == date(2081, 8, 5)
        assert clock.schedule.due.provisional

        published = calendar_with(tmp_path, _test_notice_2081())
        await handle.execute_update(CALENDAR_UPDATE, published)
        state = await cw.state(handle)
        rescheduled = state.clock("LONG")
        assert rescheduled is not None
        # Under the (test) notice 5–6 Aug are off: the last day moves to Thu 7 Aug, final.
        assert rescheduled.schedule.due.last_day == date(2081, 8, 7)
        assert not rescheduled.schedule.due.provisional
        assert state.policy is not None
        assert state.policy.calendar.covers(2081)
        types = [e.type for e in cw.recorder.events[state.case_id]]
        assert "clocks_rescheduled" in types


async def test_medical_mediation_expiring_marks_the_case_failed() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(category="medical")
        await cw.act(handle, "accept")
        state = await cw.act(handle, "start_mediation")
        e4 = state.clock("E4")
        assert e4 is not None
        await cw.sleep_until(e4.due_at + timedelta(minutes=5))
        state = await cw.state(handle)
        assert state.stage is Stage.MEDIATION_FAILED
        assert state.failure is not None
        assert "医疗纠纷人民调解期限" in state.failure.reason
        assert state.clock("E4").status is ClockStatus.BREACHED  # type: ignore[union-attr]
        assert state.failure.recorded.by == "系统"


async def test_the_court_decision_clock_honours_fifteen_plus_ten_and_the_thirty_day_cap() -> None:
    calendar = calendar_with(Path("/nonexistent"), None)
    async with clockwork(calendar, legacy_policy()) as cw:  # 2026.1: C5 from the application
        handle = await cw.register()
        for action in ("accept", "start_mediation", "record_agreement"):
            await cw.act(handle, action)
        applied = await cw.act(handle, "apply_judicial_confirmation")
        c3 = applied.clock("C3")
        assert c3 is not None
        assert c3.due_at == due_after(c3.started_at, 3, PeriodUnit.CALENDAR_DAYS, calendar).due_at
        applied_at = c3.started_at

        await cw.env.sleep(timedelta(days=8))  # the court takes its time to accept
        accepted = await cw.act(handle, "record_court_acceptance")
        c4 = accepted.clock("C4")
        assert c4 is not None
        assert c4.due_at == due_after(c4.started_at, 15, PeriodUnit.CALENDAR_DAYS, calendar).due_at
        cap = due_after(applied_at, 30, PeriodUnit.CALENDAR_DAYS, calendar).due_at
        assert c4.schedule.cap_at == cap

        with pytest.raises(WorkflowUpdateFailedError):  # at most 10 more days
            await cw.act(handle, "extend_clock", clock_id="C4", length=11, approver="院长")
        extended = (
            await cw.act(handle, "extend_clock", clock_id="C4", length=10, approver="院长")
        ).clock("C4")
        assert extended is not None
        # 8 + 15 + 10 days would pass the 30-day special-procedure limit: the cap holds.
        assert extended.due_at == cap
        assert any("C5" in step for step in extended.schedule.due.steps)


async def test_policy_changes_reach_new_cases_only() -> None:
    # The running case keeps the 2026.1 snapshot it was opened with.
    async with clockwork(calendar_with(Path("/nonexistent"), None), legacy_policy()) as cw:
        running = await cw.register()
        shorter = _policy_with(
            _rule("B2", 10, PeriodUnit.CALENDAR_DAYS).model_copy(
                update={"name": "人民调解期限（本地规定10日）"}
            ),
            version="local-2",
        )
        cw.policy.use(PolicyBook(shorter))
        newer = await cw.register()
        old_clock = (await cw.act(running, "accept")).clock("B2")
        new_clock = (await cw.act(newer, "accept")).clock("B2")
        assert old_clock is not None
        assert new_clock is not None
        assert (await cw.state(running)).policy.version == "2026.1"  # type: ignore[union-attr]
        assert (await cw.state(newer)).policy.version == "local-2"  # type: ignore[union-attr]
        assert old_clock.length == 30
        assert new_clock.length == 10


async def test_a_major_dispute_is_reported_at_once_on_the_major_risk_chain() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await cw.register(risk_level="major")
        state = await cw.state(handle)
        report = next(a for a in state.alerts if a.kind is AlertKind.MAJOR_REPORT)
        assert report.raised_at - state.registered.at < timedelta(seconds=5)  # at intake
        assert state.policy is not None
        assert state.policy.chain.chain_id == "major-risk"
        assert report.next_step_at == report.raised_at + timedelta(hours=4)
        assert [d.alert_id for d in cw.recorder.deliveries] == [report.alert_id]


async def _petition(cw, *actions: str):  # type: ignore[no-untyped-def]
    from tests.samples import PETITION_INTAKE

    handle = await cw.register(**PETITION_INTAKE)
    for action in actions:
        await cw.act(handle, action)
    return handle


async def test_a_sixty_day_petition_handling_clock_breaches_and_escalates_four_levels() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await _petition(cw, "accept")
        today = (await cw.now()).date()
        await cw.act(handle, "plan", deadline=(today + timedelta(days=FAR)).isoformat())
        await cw.act(handle, "assign_package_leader")
        a6 = (await cw.state(handle)).clock("A6")
        assert a6 is not None
        assert a6.length == 60
        assert a6.schedule.due.last_day is not None
        assert a6.schedule.due.last_day >= today + timedelta(days=60)
        await cw.sleep_until(a6.due_at + timedelta(days=30))
        state = await cw.state(handle)
        assert state.clock("A6").status is ClockStatus.BREACHED  # type: ignore[union-attr]
        breach = next(a for a in state.alerts if a.kind is AlertKind.BREACH)
        assert sorted({n.level for n in breach.notifications}) == [1, 2, 3, 4]
        assert breach.notifications[-1].recipient == "county-leader:320102"


async def test_a_lapsed_review_window_makes_the_reply_final() -> None:
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await _petition(cw, "accept", "reply")
        a7 = (await cw.state(handle)).clock("A7")
        assert a7 is not None
        await cw.sleep_until(a7.due_at + timedelta(minutes=1))
        state = await cw.state(handle)
        assert state.stage is Stage.FINAL
        assert state.clock("A7").status is ClockStatus.LAPSED  # type: ignore[union-attr]
        assert state.finalized is not None
        assert "最终意见" in state.finalized.reason
        assert not [a for a in state.alerts if a.kind is AlertKind.BREACH]  # nothing overdue
        with pytest.raises(WorkflowUpdateFailedError):  # too late to ask for a review
            await cw.act(handle, "request_review")


async def test_hearing_time_is_not_counted_in_the_second_review() -> None:
    calendar = calendar_with(Path("/nonexistent"), None)
    async with clockwork(calendar, legacy_policy()) as cw:  # 2026.1 steps and shift
        handle = await _petition(
            cw, "accept", "reply", "request_review", "answer_review", "request_second_review"
        )
        a8b = (await cw.state(handle)).clock("A8b")
        assert a8b is not None
        await cw.act(handle, "pause_clock", clock_id="A8b", reason="hearing", note="组织听证")
        await cw.env.sleep(timedelta(days=7))
        resumed = (await cw.act(handle, "resume_clock", clock_id="A8b")).clock("A8b")
        assert resumed is not None
        expected = due_after(
            a8b.started_at + timedelta(days=7), 30, PeriodUnit.CALENDAR_DAYS, calendar
        )
        assert resumed.schedule.due == expected
        state = await cw.act(handle, "answer_second_review")
        assert state.stage is Stage.FINAL
        assert state.clock("A8b").status is ClockStatus.MET  # type: ignore[union-attr]


async def test_a_timer_about_to_fire_is_left_to_fire_when_a_command_replaces_it() -> None:
    """An acknowledgement three seconds before the next escalation step: the step's timer may
    fire while the task is with the worker, so it is not cancelled (a server refuses to cancel a
    timer it has fired); it fires, finds nothing due, and the walk stays stopped."""
    async with clockwork(calendar_with(Path("/nonexistent"), None)) as cw:
        handle = await _breach_setup(cw)
        breach = await _breach_after(cw, handle, hours=1)
        assert breach.next_step_at is not None
        await cw.sleep_until(breach.next_step_at - timedelta(seconds=3))
        await cw.act(handle, "acknowledge_alert", actor="王芳", alert_id=breach.alert_id)
        sent = len(cw.recorder.deliveries)
        await cw.sleep_until(breach.next_step_at + timedelta(hours=1))

        final = (await cw.state(handle)).alert(breach.alert_id)
        assert final is not None
        assert final.status is AlertStatus.ACKNOWLEDGED
        assert len(cw.recorder.deliveries) == sent  # the kept timer fired and sent nothing
        history = await handle.fetch_history()
        kinds = [event.event_type for event in history.events]
        fired = kinds.count(EventType.EVENT_TYPE_TIMER_FIRED)
        assert EventType.EVENT_TYPE_TIMER_CANCELED not in kinds
        markers = [
            event.marker_recorded_event_attributes.details["patch-data"].payloads[0].data
            for event in history.events
            if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
            and event.marker_recorded_event_attributes.marker_name == "core_patch"
        ]
        assert any(IMMINENT_TIMER_KEPT_PATCH.encode() in data for data in markers)
        assert fired >= 3  # the warning, the breach and the step that was no longer wanted
