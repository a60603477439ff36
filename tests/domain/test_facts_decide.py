"""The facts decide, not the order of typing (issue 17, policy 2026.4), as pure functions.

Every case is typed on Sun 2026-12-06 from fixed legal dates; the last days are counted by hand
against the official 2026 arrangement (中秋 Fri 09-25; 国庆 10-01 to 10-07; 调休 Sun 09-20 and
Sat 10-10). A1 for a petition received Mon 09-21: 15 days → Tue 10-06, inside 国庆 → Thu 10-08.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from activities.policy.book import PolicyBook
from domain.case import events as e
from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.stages import Stage
from domain.case.summaries import event_summaries
from domain.errors import ForbiddenTransition
from tests.domain.test_legal_dates import CURRENT, GRACE, Story, at
from tests.samples import PETITION_INTAKE

NOW = at(date(2026, 12, 6))
LATER = NOW + 2 * GRACE  # after the grace: the breaches of the first entries are recorded


def _breached_petition() -> Story:
    """Registered late and left alone past the grace: A1 and A2 breached and notified."""
    story = Story(NOW, **PETITION_INTAKE, received_on="2026-09-21")
    story.advance(LATER)
    assert story.clock("A1").status is ClockStatus.BREACHED
    assert story.clock("A1").schedule.due.last_day == date(2026, 10, 8)
    return story


def _types(events: list[e.Event]) -> list[str]:
    return [event.type for event in events]


def test_a_fact_dated_within_the_period_withdraws_a_recorded_breach() -> None:
    story = _breached_petition()
    [alert] = [a for a in story.case.alerts if a.clock_id == "A1"]
    events = story.act("accept", LATER, accepted_on="2026-10-08")  # the last day itself
    assert story.clock("A1").status is ClockStatus.MET
    [withdrawn] = [ev.body for ev in events if isinstance(ev.body, e.BreachWithdrawn)][:1]
    assert withdrawn.clock_id == "A1"
    assert withdrawn.answered_on == date(2026, 10, 8)
    assert withdrawn.answered_seq == events[0].seq  # the acceptance answers it
    closed = story.case.alert(alert.alert_id)
    assert closed is not None
    assert closed.status is AlertStatus.CLOSED
    assert closed.next_step_at is None
    closings = [ev.body for ev in events if isinstance(ev.body, e.AlertClosed)]
    assert any(c.alert_id == alert.alert_id and c.withdrawn for c in closings)
    # The timeline keeps both: when the breach was recorded, and the fact's legal date.
    summaries = event_summaries(story.events)
    expired = next(ev for ev in story.events if isinstance(ev.body, e.ClockExpired))
    assert expired.at == LATER
    text = summaries[next(ev.seq for ev in events if isinstance(ev.body, e.BreachWithdrawn))]
    assert "逾期撤销" in text
    assert "2026-10-08" in text
    assert "按期完成" in text


def test_a_fact_dated_after_the_last_day_is_a_true_breach_told_at_once() -> None:
    story = Story(NOW, **PETITION_INTAKE, received_on="2026-09-21")
    events = story.act("accept", NOW, accepted_on="2026-10-09")  # a day after A1's last day
    assert story.clock("A1").status is ClockStatus.BREACHED
    raised = [ev.body for ev in events if isinstance(ev.body, e.AlertRaised)]
    assert [(r.alert.clock_id, r.alert.kind) for r in raised if r.alert.clock_id == "A1"] == [
        ("A1", AlertKind.BREACH)
    ]
    # A fact dated within the period cannot undo it later: a true breach stays a breach.
    assert not [ev for ev in story.events if isinstance(ev.body, e.BreachWithdrawn)]


def test_a_breach_already_past_when_entered_waits_only_for_the_grace() -> None:
    story = Story(NOW, **PETITION_INTAKE, received_on="2026-09-21")
    assert story.advance(NOW + GRACE - timedelta(seconds=1)) == []
    assert "clock_expired" in _types(story.advance(NOW + GRACE))


def test_a_snapshot_without_a_grace_is_judged_as_it_was_recorded() -> None:
    old = CURRENT.model_copy(update={"late_entry_grace_minutes": None})
    story = Story(NOW, old, **PETITION_INTAKE, received_on="2026-09-21")
    assert "clock_expired" in _types(story.advance(NOW))
    story.act("accept", NOW, accepted_on="2026-09-22")
    assert story.clock("A1").status is ClockStatus.BREACHED  # no correction before 2026.4


def test_a_pause_dated_within_a_breached_clock_reopens_it_one_after_is_refused() -> None:
    story = Story(NOW, received_on="2026-10-19")
    story.act("accept", NOW, accepted_on="2026-10-20")
    story.advance(LATER)
    # B2: accepted Tue 10-20, one month → Fri 11-20. Breached as it was typed.
    assert story.clock("B2").status is ClockStatus.BREACHED
    assert story.clock("B2").schedule.due.last_day == date(2026, 11, 20)
    late = story.refused(
        "pause_clock", LATER, clock_id="B2", reason="appraisal", paused_on="2026-11-21"
    )
    assert late.field == "paused_on"
    story.act("pause_clock", LATER, clock_id="B2", reason="appraisal", paused_on="2026-11-02")
    assert story.clock("B2").status is ClockStatus.PAUSED
    assert [a.status for a in story.case.alerts if a.clock_id == "B2"] == [AlertStatus.CLOSED]


def test_an_extension_of_a_breached_clock_counts_when_approved_within_its_period() -> None:
    story = Story(NOW, received_on="2026-10-19")
    story.act("accept", NOW, accepted_on="2026-10-20")
    story.advance(LATER)
    extension = {"clock_id": "B2", "length": 30, "approver": "调委会主任", "reason": "复杂"}
    undated = story.refused("extend_clock", LATER, **extension)
    assert undated.field == "approved_on"
    assert "请填写批准延期日期" in undated.message_zh  # the field id travels beside it
    after = story.refused("extend_clock", LATER, **extension, approved_on="2026-11-23")
    assert after.field == "approved_on"
    assert "2026-11-20" in after.message_zh  # the last day it came after
    story.act("extend_clock", LATER, **extension, approved_on="2026-11-19")
    # From the last day Fri 11-20 + 30 days = Sun 12-20 → Mon 12-21: running again.
    b2 = story.clock("B2")
    assert b2.schedule.due.last_day == date(2026, 12, 21)
    assert b2.status is ClockStatus.RUNNING
    assert b2.extensions[0].approved_on == date(2026, 11, 19)
    assert all(a.status is AlertStatus.CLOSED for a in story.case.alerts if a.clock_id == "B2")


def test_a_medical_mediation_failed_by_a_false_breach_is_restored_by_its_agreement() -> None:
    story = Story(NOW, category="medical", received_on="2026-10-12")
    story.act("accept", NOW, accepted_on="2026-10-12")
    story.act("start_mediation", NOW, started_on="2026-10-13")
    story.advance(LATER)
    assert story.case.stage is Stage.MEDIATION_FAILED  # E4 (last day Mon 11-23) ran as typed
    # An agreement signed after the last day does not undo the failure.
    with pytest.raises(ForbiddenTransition):
        story.act("record_agreement", LATER, signed_on="2026-11-24", items=[])
    story.act("record_agreement", LATER, signed_on="2026-11-19", items=[])
    assert story.case.stage is Stage.AGREEMENT_REACHED
    assert story.case.failure is None
    assert story.clock("E4").status is ClockStatus.MET
    types = _types(story.events)
    assert types.index("mediation_failed") < types.index("mediation_failure_withdrawn")


def test_a_mediation_failed_by_people_is_not_restored() -> None:
    story = Story(NOW, category="medical", received_on="2026-11-16")
    story.act("accept", NOW, accepted_on="2026-11-16")
    story.act("start_mediation", NOW, started_on="2026-11-17")
    story.act("record_mediation_failure", NOW)
    with pytest.raises(ForbiddenTransition):
        story.act("record_agreement", NOW, signed_on="2026-11-20", items=[])


def test_a_review_request_after_the_window_is_refused_while_its_lapse_waits() -> None:
    story = Story(NOW, **PETITION_INTAKE, received_on="2026-09-01")
    story.act("accept", NOW, accepted_on="2026-09-02")
    story.act("reply", NOW, answered_on="2026-10-15", served_on="2026-10-20")
    # A7: served Tue 10-20, 30 days → Thu 11-19; its lapse waits for the grace.
    assert story.clock("A7").status is ClockStatus.RUNNING
    refused = story.refused("request_review", NOW, requested_on="2026-11-20")
    assert refused.field == "requested_on"
    assert "2026-11-19" in refused.message_zh


def test_a_lapsed_window_is_withdrawn_by_an_application_within_it() -> None:
    story = Story(NOW, received_on="2026-09-01")
    story.act("accept", NOW, accepted_on="2026-09-01")
    story.act("start_mediation", NOW, started_on="2026-09-02")
    story.act("record_agreement", NOW, signed_on="2026-09-10", items=[])
    story.advance(LATER)
    assert story.clock("B7").status is ClockStatus.LAPSED
    events = story.act("apply_judicial_confirmation", LATER, applied_on="2026-09-15")
    assert story.clock("B7").status is ClockStatus.MET
    [withdrawn] = [ev for ev in events if isinstance(ev.body, e.BreachWithdrawn)]
    text = event_summaries(story.events)[withdrawn.seq]
    assert "申请期限届满撤销" in text
    assert "2026-09-15" in text
    assert "2026-10-10" in text  # 09-10 + 30 days = Sat 10-10, a 调休 working day: it stays


def test_a_deployment_sets_its_grace_per_jurisdiction(tmp_path: Path) -> None:
    (tmp_path / "prompt.json").write_text(
        json.dumps({"jurisdiction": "3201", "version": "nj-1", "late_entry_grace_minutes": 0})
    )
    book = PolicyBook.load(tmp_path)
    assert book.for_jurisdiction("320102").late_entry_grace_minutes == 0
    assert book.for_jurisdiction("320202").late_entry_grace_minutes == 30  # the shipped one
    # No grace: a breach already past when entered is recorded with its entry.
    story = Story(NOW, book.for_jurisdiction("320102"), **PETITION_INTAKE, received_on="2026-09-21")
    assert "clock_expired" in _types(story.advance(NOW))


def test_a_second_review_request_within_a8_reopens_a_petition_final_after_its_review() -> None:
    story = Story(NOW, **PETITION_INTAKE, received_on="2026-08-03")
    story.act("accept", NOW, accepted_on="2026-08-03")
    story.act("reply", NOW, answered_on="2026-08-20", served_on="2026-08-21")
    story.act("request_review", NOW, requested_on="2026-09-01")
    story.act("answer_review", NOW, answered_on="2026-09-25", served_on="2026-09-28")
    story.advance(LATER)
    # A8: served Mon 09-28, 30 days → Wed 10-28, long run as typed: final after the grace.
    assert story.case.stage is Stage.FINAL
    assert story.clock("A8").schedule.due.last_day == date(2026, 10, 28)
    story.act("request_second_review", LATER, requested_on="2026-10-20")
    assert story.case.stage is Stage.SECOND_REVIEW_REQUESTED
    assert story.clock("A8").status is ClockStatus.MET


def test_an_acknowledged_breach_is_withdrawn_too() -> None:
    story = _breached_petition()
    [alert] = [a for a in story.case.alerts if a.clock_id == "A1"]
    story.act("acknowledge_alert", LATER, alert_id=alert.alert_id)
    events = story.act("accept", LATER, accepted_on="2026-09-22")
    closings = [ev.body for ev in events if isinstance(ev.body, e.AlertClosed)]
    assert [(c.alert_id, c.withdrawn) for c in closings if c.alert_id == alert.alert_id] == [
        (alert.alert_id, True)
    ]


def test_a_restored_mediation_runs_its_plan_clock_again() -> None:
    story = Story(NOW, category="medical", received_on="2026-10-12")
    story.act("accept", NOW, accepted_on="2026-10-12")
    story.act("plan", NOW, deadline="2027-01-15")
    story.act("start_mediation", NOW, started_on="2026-10-13")
    story.advance(LATER)
    [plan] = [c for c in story.case.clocks if c.rule_id == "PLAN"]
    assert story.clock(plan.clock_id).status is ClockStatus.MET  # stopped by the false failure
    story.act("pause_clock", LATER, clock_id="E4", reason="appraisal", paused_on="2026-11-02")
    assert story.case.stage is Stage.MEDIATING
    assert story.clock(plan.clock_id).status is ClockStatus.RUNNING
