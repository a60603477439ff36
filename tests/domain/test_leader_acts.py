"""风险研判 (risk reassessment) and 领导批示 (instructions) on a case: what they record, the alerts
and clocks they start, and what they refuse."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.events import AlertRaised, Event, RiskReassessed
from domain.case.leader_records import InstructionSource
from domain.case.summaries import event_summaries
from domain.case.worklist import WorkKind, work_items
from domain.errors import ForbiddenTransition, InvalidCommand
from domain.values import CHINA_TZ, RiskLevel
from tests.domain.handoff_cases import Case, policy_before_handoffs, types

LOW = {"risk_level": "low", "flags": {}, "reasons": "双方情绪平稳"}


def _alerts(events: list[Event]) -> list[AlertRaised]:
    return [event.body for event in events if isinstance(event.body, AlertRaised)]


def _mediating() -> Case:
    case = Case()
    case.do("accept")
    case.do("plan")
    case.do("start_mediation")
    return case


def test_rising_to_major_mid_mediation_reports_to_the_county_at_once() -> None:
    case = _mediating()
    events = case.do(
        "reassess_risk", risk_level="major", flags={}, reasons="双方发生肢体冲突，一方扬言报复"
    )
    assert types(events)[:2] == ["risk_reassessed", "alert_raised"]
    (alert,) = _alerts(events)
    assert alert.alert.kind is AlertKind.MAJOR_REPORT
    assert alert.alert.recipient == "county-leader:320102"  # the direct-report chain: county first
    assert alert.alert.chain_id == "direct-report"
    state = case.state
    assert state.risk_level is RiskLevel.MAJOR
    assert state.risk_assessments[0].previous_level is RiskLevel.LOW
    assert state.risk_assessments[0].alert_ids == (alert.alert.alert_id,)
    assert state.stage.value == "mediating"


def test_the_direct_report_renotifies_the_county_on_its_fast_chain() -> None:
    case = _mediating()
    case.do("reassess_risk", risk_level="critical", flags={}, reasons="聚集人数增加")
    alert = case.state.alerts[-1]
    assert alert.next_step_at is not None
    assert alert.next_step_at - alert.raised_at == timedelta(hours=2)
    case.advance_to(alert.next_step_at)
    after = case.state.alert(alert.alert_id)
    assert after is not None
    assert len(after.notifications) == 2
    assert after.notifications[-1].recipient == "county-leader:320102"


def test_gaining_civil_to_criminal_risk_reports_even_at_a_low_level() -> None:
    case = _mediating()
    events = case.do(
        "reassess_risk",
        risk_level="low",
        flags={"civil_to_criminal_risk": True},
        reasons="扬言报复",
    )
    assert [a.alert.kind for a in _alerts(events)] == [AlertKind.MAJOR_REPORT]


def test_collective_and_skip_level_raise_what_the_policy_data_says() -> None:
    case = _mediating()
    events = case.do(
        "reassess_risk",
        risk_level="elevated",
        flags={"collective": True, "skip_level": True},
        reasons="四十余名工人聚集，扬言赴省上访",
    )
    raised = {a.alert.kind: a.alert for a in _alerts(events)}
    assert set(raised) == {AlertKind.COLLECTIVE_REPORT, AlertKind.SKIP_LEVEL_REPORT}
    assert raised[AlertKind.SKIP_LEVEL_REPORT].recipient == "town-leader:320102001"
    assert raised[AlertKind.COLLECTIVE_REPORT].recipient == "county-leader:320102"
    # Already flagged: a second reassessment keeping the flags raises nothing new.
    again = case.do(
        "reassess_risk",
        risk_level="elevated",
        flags={"collective": True, "skip_level": True},
        reasons="仍在聚集",
    )
    assert _alerts(again) == []


def test_an_older_snapshot_reports_a_rise_on_its_own_chain_and_flags_raise_nothing() -> None:
    before = policy_before_handoffs()
    older = before.model_copy(
        update={
            "risk_alerts": None,
            "named_chains": (),
            "rules": tuple(r for r in before.rules if r.rule_id != "I1"),
        }
    )
    case = Case(policy=older)
    case.do("accept")
    flags = case.do("reassess_risk", risk_level="low", flags={"collective": True}, reasons="聚集")
    assert _alerts(flags) == []
    rise = case.do("reassess_risk", risk_level="major", flags={}, reasons="冲突升级")
    (alert,) = _alerts(rise)
    assert alert.alert.chain_id is None
    # The case's own chain, level 1 (no plan yet: the town answers for the responsible person).
    assert alert.alert.recipient == "town-leader:320102001"
    # An instruction's deadline runs no clock on a snapshot without the instruction rule.
    instructed = case.do("issue_instruction", text="请化解", deadline="2026-03-05")
    assert types(instructed) == ["instruction_issued"]


def test_falling_risk_is_recorded_and_closes_nothing() -> None:
    case = _mediating()
    case.do("reassess_risk", risk_level="major", flags={}, reasons="冲突升级")
    events = case.do("reassess_risk", **LOW)
    assert types(events) == ["risk_reassessed"]
    assert case.state.risk_level is RiskLevel.LOW
    assert [a.status for a in case.state.alerts] == [AlertStatus.OPEN]
    summaries = event_summaries(case.events)
    texts = [summaries[e.seq] for e in case.events if isinstance(e.body, RiskReassessed)]
    assert texts == [
        "第1次风险研判：风险等级由一般调整为重大",
        "第2次风险研判：风险等级由重大调整为一般",
    ]


def test_reassessment_refusals_are_in_chinese() -> None:
    case = _mediating()
    case.do("withdraw")
    refused = case.refusal("reassess_risk", **LOW)
    assert isinstance(refused, ForbiddenTransition)
    assert "风险研判" in refused.message_zh


# --- 领导批示 ---


def test_an_instruction_with_a_deadline_runs_a_clock_escalating_to_the_leader() -> None:
    case = _mediating()
    case.do("issue_instruction", text="请三日内化解并报告", deadline="2026-03-05")
    clock = case.state.clock("I1-1")
    assert clock is not None
    assert clock.status is ClockStatus.RUNNING
    assert clock.due_at == datetime(2026, 3, 6, tzinfo=CHINA_TZ)  # 5 Mar 24:00
    (item,) = [i for i in work_items(case.state) if i.kind is WorkKind.INSTRUCTION_DUE]
    assert item.org_id == "xw-village-committee" or item.org_id
    assert item.summary == "领导批示第1号（王芳）待落实"
    case.advance_to(clock.due_at)
    breach = case.state.alerts[-1]
    assert breach.kind is AlertKind.BREACH
    assert breach.clock_id == "I1-1"
    assert breach.chain_id == "instruction"
    # Level 1 (the handling unit) twice, then the instructing leader, then the county.
    recipients = []
    for _ in range(5):
        alert = case.state.alert(breach.alert_id)
        assert alert is not None
        assert alert.next_step_at is not None
        case.advance_to(alert.next_step_at)
        recipients.append(case.state.alert(breach.alert_id).notifications[-1].recipient)  # type: ignore[union-attr]
    assert "instructor:王芳" in recipients
    assert recipients[-1] == "county-leader:320102"


def test_answering_an_instruction_stops_its_clock_only() -> None:
    case = _mediating()
    case.do("issue_instruction", text="请化解", deadline="2026-03-05")
    case.do("issue_instruction", text="请回访", deadline="2026-03-09")
    events = case.do("answer_instruction", instruction_no=2, result="已回访，当事人满意")
    assert "clock_stopped" in types(events)
    assert case.state.clock("I1-2").status is ClockStatus.MET  # type: ignore[union-attr]
    assert case.state.clock("I1-1").status is ClockStatus.RUNNING  # type: ignore[union-attr]
    kinds = {i.item_key: i.kind for i in work_items(case.state)}
    assert kinds["instruction:1"] is WorkKind.INSTRUCTION_DUE
    assert kinds["instruction:2"] is WorkKind.INSTRUCTION_ANSWERED
    answered = case.state.instruction(2)
    assert answered is not None
    assert answered.answer is not None
    assert answered.answer.result == "已回访，当事人满意"


def test_instruction_refusals_name_the_field_in_chinese() -> None:
    case = _mediating()
    past = case.refusal("issue_instruction", text="请化解", deadline="2026-03-01")
    assert isinstance(past, InvalidCommand)
    assert past.field == "deadline"
    no_alert = case.refusal("issue_instruction", text="请化解", alert_id="JF-2026-000001-A9")
    assert isinstance(no_alert, InvalidCommand)
    assert no_alert.field == "alert_id"
    assert "没有编号为" in no_alert.message_zh
    missing = case.refusal("answer_instruction", instruction_no=1, result="已办")
    assert isinstance(missing, InvalidCommand)
    assert missing.field == "instruction_no"
    assert missing.message_zh == "本案没有第 1 号批示"
    case.do("issue_instruction", text="请化解", deadline=None)
    case.do("answer_instruction", instruction_no=1, result="已办")
    twice = case.refusal("answer_instruction", instruction_no=1, result="再办")
    assert isinstance(twice, ForbiddenTransition)
    assert twice.message_zh == "第 1 号批示已反馈落实情况"


def test_an_instruction_without_a_deadline_has_no_clock() -> None:
    case = _mediating()
    events = case.do("issue_instruction", text="请关注当事人情绪", deadline=None)
    assert types(events) == ["instruction_issued"]
    (item,) = [i for i in work_items(case.state) if i.kind is WorkKind.INSTRUCTION_DUE]
    assert item.due_at is None


def test_the_acknowledgement_note_of_an_alert_reaches_the_handling_unit() -> None:
    case = _mediating()
    case.do("reassess_risk", risk_level="major", flags={}, reasons="冲突升级")
    alert_id = case.state.alerts[-1].alert_id
    case.do("acknowledge_alert", alert_id=alert_id, note="请派出所介入，防止矛盾激化")
    (note,) = case.state.instructions
    assert note.source is InstructionSource.ACKNOWLEDGEMENT
    assert note.alert_id == alert_id
    assert note.deadline is None
    (item,) = [i for i in work_items(case.state) if i.kind is WorkKind.INSTRUCTION_DUE]
    assert item.summary == "签收意见第1号（王芳）待落实"
    case.do("answer_instruction", instruction_no=1, result="派出所已介入")
    assert case.state.instructions[0].answer is not None
    # Without a note, nothing reaches the unit.
    other = _mediating()
    other.do("reassess_risk", risk_level="major", flags={}, reasons="冲突升级")
    other.do("acknowledge_alert", alert_id=other.state.alerts[-1].alert_id, note="")
    assert other.state.instructions == ()
