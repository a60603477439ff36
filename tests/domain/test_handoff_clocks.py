"""Hand-off clocks (签收时限 TAKE, 交办反馈 A4), their escalation, lift suggestions (上提建议)
and the amendment that gives a case registered before them the hand-off rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from activities.policy.book import LEGACY_POLICY_2026_1, PolicyBook
from domain.case import commands as c
from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.decide import needs_handoff_rules
from domain.case.events import AlertRaised, LiftSuggested, PolicyAmended, SessionRecorded
from domain.case.facts import counts_legal_facts
from domain.case.lifting import lift_suggestions
from domain.case.policy import case_policy
from domain.case.summaries import event_summaries, recipient_label
from domain.organisation.organisations import OrgLevel, OrgRef, OrgType
from domain.values import CHINA_TZ, CaseKind, Category, Channel, RiskLevel
from tests.domain.handoff_cases import (
    COUNTY,
    HOUSING,
    HRSS,
    LABOUR_ROOM,
    TOWN,
    VILLAGE,
    Case,
    org,
    policy_before_handoffs,
    types,
)
from tests.domain.official_calendar import OFFICIAL
from tests.samples import PETITION_INTAKE, command

# T0 is Mon 2 Mar 2026, 09:30 China time. Two working days: Tue 3, Wed 4 → Wed 4 Mar 24:00.
TAKE_DUE = datetime(2026, 3, 5, tzinfo=CHINA_TZ)


def _alerts(events: list) -> list[AlertRaised]:  # type: ignore[type-arg]
    return [event.body for event in events if isinstance(event.body, AlertRaised)]


# --- 签收时限 ---


def test_a_transfer_starts_a_clock_for_the_receiver_to_take_it_in_two_working_days() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    clock = case.state.clock("TAKE")
    assert clock is not None
    assert clock.due_at == TAKE_DUE
    assert clock.organisation == LABOUR_ROOM
    assert clock.subject == f"转办{LABOUR_ROOM.name}"
    assert clock.start is not None
    assert clock.start.fact == "case_transferred"


def test_taking_or_returning_in_time_stops_the_clock_and_each_transfer_has_its_own() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(TOWN))
    case.do("return", after=timedelta(hours=3))
    first = case.state.clock("TAKE")
    assert first is not None
    assert first.status is ClockStatus.MET
    case.do("transfer", to_organisation=org(LABOUR_ROOM), after=timedelta(days=1))
    case.do("take", after=timedelta(hours=3))
    second = case.state.clock("TAKE-2")
    assert second is not None
    assert second.status is ClockStatus.MET
    assert second.organisation == LABOUR_ROOM
    assert case.advance_to(TAKE_DUE + timedelta(days=30)) == []  # nothing left to fall due


def test_a_transfer_not_taken_warns_then_breaches_to_the_receiver_then_escalates() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))

    warned = case.advance_to(TAKE_DUE - timedelta(hours=24))
    [warning] = _alerts(warned)
    assert warning.alert.kind is AlertKind.WARNING
    assert warning.alert.recipient == f"org:{LABOUR_ROOM.org_id}"
    assert warning.alert.title.startswith("【转办待签收预警】")
    assert "2026-03-05 00:00" in warning.alert.title  # China time, not a UTC stamp

    breached = case.advance_to(TAKE_DUE)
    assert "clock_expired" in types(breached)
    [breach] = _alerts(breached)
    assert breach.alert.kind is AlertKind.BREACH
    assert breach.alert.recipient == f"org:{LABOUR_ROOM.org_id}"
    assert breach.alert.title.startswith("【转办逾期未签收】")
    assert LABOUR_ROOM.name in breach.alert.title
    assert case.state.alert(warning.alert.alert_id).status is AlertStatus.CLOSED  # type: ignore[union-attr]

    # Default chain: level 1 waits 24 h and re-notifies once, then level 2 (its head).
    case.advance_to(TAKE_DUE + timedelta(hours=24))
    case.advance_to(TAKE_DUE + timedelta(hours=48))
    alert = case.state.alert(breach.alert.alert_id)
    assert alert is not None
    assert [(n.level, n.recipient) for n in alert.notifications] == [
        (1, f"org:{LABOUR_ROOM.org_id}"),
        (1, f"org:{LABOUR_ROOM.org_id}"),
        (2, f"org-head:{LABOUR_ROOM.org_id}"),
    ]
    assert recipient_label(case.state, f"org-head:{LABOUR_ROOM.org_id}") == (
        f"{LABOUR_ROOM.name}负责人"
    )


def test_a_package_leader_answers_at_the_second_level_and_the_town_above() -> None:
    case = Case(risk_level="major")
    case.do("accept")
    case.do("assign_package_leader")
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    [breach] = _alerts(case.advance_to(TAKE_DUE))
    # Major risk: level 1 waits 4 h, once more 4 h, then the package leader; town after 8+8 h.
    case.advance_to(TAKE_DUE + timedelta(hours=8))
    case.advance_to(TAKE_DUE + timedelta(hours=24))
    alert = case.state.alert(breach.alert.alert_id)
    assert alert is not None
    assert [n.recipient for n in alert.notifications] == [
        f"org:{LABOUR_ROOM.org_id}",
        f"org:{LABOUR_ROOM.org_id}",
        "leader:陈建国",
        "leader:陈建国",
        "town-leader:320102001",
    ]


# --- 交办反馈时限 ---


def test_each_assignment_has_its_clock_stopped_only_by_its_own_report_back() -> None:
    case = Case()
    case.do("assign", department=org(HRSS), deadline="2026-03-10")
    case.do("assign", department=org(HOUSING), deadline="2026-03-12")
    one, two = case.state.clock("A4-1"), case.state.clock("A4-2")
    assert one is not None
    assert two is not None
    assert one.due_at == datetime(2026, 3, 11, tzinfo=CHINA_TZ)  # 10 Mar 24:00
    assert one.organisation == HRSS
    assert two.organisation == HOUSING
    assert one.subject == f"第1次交办：{HRSS.name}"

    recorded = case.do("report_back", assignment_no=2)
    assert types(recorded) == ["report_back_recorded", "clock_stopped"]
    state = case.state
    assert state.clock("A4-2").status is ClockStatus.MET  # type: ignore[union-attr]
    assert state.clock("A4-1").status is ClockStatus.RUNNING  # type: ignore[union-attr]


def test_an_overdue_report_back_escalates_to_the_department() -> None:
    case = Case()
    case.do("assign", department=org(HRSS), deadline="2026-03-10")
    due = datetime(2026, 3, 11, tzinfo=CHINA_TZ)
    [warning] = _alerts(case.advance_to(due - timedelta(hours=48)))
    assert warning.alert.title.startswith("【交办反馈预警】")
    assert warning.alert.recipient == f"org:{HRSS.org_id}"
    [breach] = _alerts(case.advance_to(due))
    assert breach.alert.title.startswith("【交办逾期未反馈】")
    assert "第1次交办" in breach.alert.title
    assert breach.alert.recipient == f"org:{HRSS.org_id}"
    # A late report-back still stops nothing that is over (the breach stays to be signed for).
    case.do("report_back", after=timedelta(hours=1))
    assert case.state.clock("A4-1").status is ClockStatus.BREACHED  # type: ignore[union-attr]


def test_a_petition_has_the_hand_off_clocks_too() -> None:
    case = Case(case_id="XF-2026-000001", **PETITION_INTAKE)
    assert case.state.kind is CaseKind.PETITION
    case.do("assign", department=org(HRSS))
    assert case.state.clock("A4-1") is not None


def test_the_case_ending_cancels_hand_off_clocks() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(TOWN))
    case.do("withdraw")
    assert case.state.clock("TAKE").status is ClockStatus.CANCELLED  # type: ignore[union-attr]


def test_existing_clocks_still_alert_the_responsible_person() -> None:
    case = Case()
    case.do("accept")
    case.do("plan")
    b2 = case.state.clock("B2")
    assert b2 is not None
    assert b2.organisation is None
    [breach] = [a for a in _alerts(case.advance_to(b2.due_at)) if a.alert.clock_id == "B2"][-1:]
    assert breach.alert.kind is AlertKind.BREACH
    assert breach.alert.recipient == "person:王芳"
    assert breach.alert.title.startswith("【逾期】")


# --- 上提建议 ---


def _mediating(case: Case) -> None:
    case.do("accept")
    case.do("start_mediation")


def test_three_sessions_without_agreement_at_a_village_suggest_lifting_once() -> None:
    case = Case()
    _mediating(case)
    assert "lift_suggested" not in types(case.do("record_session") + case.do("record_session"))
    third = case.do("record_session")
    assert types(third) == ["session_recorded", "lift_suggested"]
    suggestion = third[-1].body
    assert isinstance(suggestion, LiftSuggested)
    assert suggestion.rule_id == "LIFT-331"
    assert "长江路社区人民调解委员会" in suggestion.reason
    assert "3次" in suggestion.reason
    assert "lift_suggested" not in types(case.do("record_session"))  # once per holder
    assert case.state.lift_suggestion is not None

    case.do("lift", to_organisation=org(TOWN))
    assert case.state.lift_suggestion is None  # the new holder counts afresh
    case.do("start_mediation")
    assert "lift_suggested" not in types(case.do("record_session"))


def test_a_failed_mediation_at_a_town_suggests_lifting_but_not_at_the_county() -> None:
    town = Case(holder=TOWN)
    _mediating(town)
    assert types(town.do("record_mediation_failure"))[-1] == "lift_suggested"
    county = Case(holder=COUNTY)
    _mediating(county)
    assert "lift_suggested" not in types(county.do("record_mediation_failure"))


def test_no_suggestion_without_a_holder_or_without_lift_rules() -> None:
    for case in (Case(holder=None), Case(policy=policy_before_handoffs())):
        _mediating(case)
        for _ in range(3):
            case.do("record_session")
        assert "lift_suggested" not in types(case.events)


# --- 补充适用 (an older case's first hand-off) ---


def test_an_older_case_is_amended_with_the_hand_off_rules_then_its_transfer_is_timed() -> None:
    case = Case(policy=policy_before_handoffs())
    state = case.state
    assert state.policy is not None
    assert not state.policy.knows_handoffs
    assert needs_handoff_rules(state, command("transfer"))
    assert not needs_handoff_rules(state, command("accept"))

    amended = case.amend()
    [event] = amended
    assert event.actor == "系统"
    assert event.command_id == "policy:2026.6"
    body = event.body
    assert isinstance(body, PolicyAmended)
    assert {r.rule_id for r in body.rules} == {"TAKE", "A4"}
    assert [r.rule_id for r in body.lift_rules] == ["LIFT-331", "LIFT-SECTOR"]
    policy = case.state.policy
    assert policy is not None
    assert policy.version == "2026.2"  # the snapshot keeps its version, and says what it gained
    assert [(a.version, a.rule_ids) for a in policy.amendments] == [("2026.6", ("TAKE", "A4"))]
    assert policy.knows_handoffs
    assert case.amend() == []  # once

    case.do("transfer", to_organisation=org(TOWN))
    assert case.state.clock("TAKE") is not None
    summary = event_summaries(case.events)[event.seq]
    assert summary == "补充适用时限规则 2026.6：转办签收时限、交办反馈时限；上提规则2项"


def test_an_amendment_keeps_the_rules_a_case_has_and_is_recorded_even_when_empty() -> None:
    old = policy_before_handoffs()
    case = Case(policy=old)
    nothing_new = old.model_copy(update={"version": "2026.2-local"})
    [event] = case.amend(nothing_new)
    assert isinstance(event.body, PolicyAmended)
    assert event.body.rules == ()
    assert case.state.policy is not None
    assert case.state.policy.knows_handoffs  # asked once, even with nothing to add
    assert not needs_handoff_rules(case.state, command("transfer"))


def test_a_new_case_needs_no_amendment() -> None:
    case = Case()
    assert not needs_handoff_rules(case.state, command("transfer"))
    assert needs_handoff_rules(None, command("transfer")) is False
    # It knows them from intake: no fetch, no patch marker.
    assert not needs_handoff_rules(case.state, c.Take(note=""))


# --- timeline ---


def test_every_hand_off_has_a_chinese_sentence_naming_organisations_not_free_text() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM), reason="张伟反映欠薪三个月")
    case.do("take")
    case.do("assign", department=org(HRSS), deadline="2026-03-10")
    case.do("report_back", result="已责令企业支付张伟工资")
    case.do("add_co_handler", organisation=org(VILLAGE))
    case.do("remove_co_handler", organisation=org(VILLAGE))
    case.do("lift", to_organisation=org(COUNTY), reason="张伟情绪激动")
    case.do("transfer", to_organisation=org(TOWN))
    case.do("return", reason="张伟不在本辖区")
    summaries = event_summaries(case.events)
    texts = [summaries[event.seq] for event in case.events if event.type in HAND_OFF_TYPES]
    assert texts == [
        "由长江路社区人民调解委员会转办玄武区劳动争议调解室，待其签收",
        "玄武区劳动争议调解室签收转办，承办本案",
        "第1次交办玄武区人力资源和社会保障局，反馈期限2026-03-10",
        "玄武区人力资源和社会保障局反馈第1次交办的办理结果（2026-03-02）",
        "长江路社区人民调解委员会参加联合调处",
        "长江路社区人民调解委员会退出联合调处",
        "由玄武区劳动争议调解室上提一级至玄武区矛盾纠纷调解中心",
        "由玄武区矛盾纠纷调解中心转办梅园新村街道矛盾纠纷调解中心，待其签收",
        "梅园新村街道矛盾纠纷调解中心退回转办",
    ]
    assert all("张伟" not in text for text in summaries.values())
    alerts = [s for s in summaries.values() if "签收时限" in s]
    assert alerts, "the clock events name the clock"


HAND_OFF_TYPES = {
    "case_transferred",
    "transfer_taken",
    "transfer_returned",
    "case_assigned",
    "report_back_recorded",
    "case_lifted",
    "co_handler_added",
    "co_handler_removed",
}


def test_a_2026_1_case_amended_with_the_hand_off_rules_keeps_counting_as_recorded() -> None:
    legacy = PolicyBook.load(base_file=LEGACY_POLICY_2026_1).base
    snapshot = case_policy(
        legacy,
        OFFICIAL,
        kind=CaseKind.DISPUTE,
        category=Category.NEIGHBOURHOOD,
        channel=Channel.WALK_IN,
        risk=RiskLevel.LOW,
    )
    case = Case(policy=snapshot)
    assert not counts_legal_facts(case.state)
    case.amend()
    case.do("transfer", to_organisation=org(TOWN))
    assert not counts_legal_facts(case.state)  # its own rules decide its counting
    take = case.state.clock("TAKE")
    assert take is not None
    assert take.due_at == TAKE_DUE  # the added rule counts as it says (2026.2)


def test_a_county_sector_room_is_suggested_to_lift_after_three_sessions_a_county_center_never() -> (
    None
):
    """LIFT-SECTOR: a county labour room's third session without agreement suggests lifting
    to the county center; the county center itself (the top) is never told to lift."""
    policy = Case().state.policy
    assert policy is not None
    room = OrgRef(
        org_id="room", name="劳动争议调解室", level=OrgLevel.COUNTY, type=OrgType.SECTOR_ROOM
    )
    center = OrgRef(org_id="center", name="矛调中心", level=OrgLevel.COUNTY, type=OrgType.CENTER)
    session = command("record_session")
    trigger = SessionRecorded(**session.model_dump(exclude={"type", "schedule_no"}), session_no=3)
    for holder, expected in ((room, ["LIFT-SECTOR"]), (center, [])):
        state = Case().state.model_copy(update={"holder": holder, "sessions_with_holder": 3})
        found = [
            s.rule_id for s in lift_suggestions(state, trigger) if isinstance(s, LiftSuggested)
        ]
        assert found == expected, holder.org_id
        fewer = state.model_copy(update={"sessions_with_holder": 2})
        assert lift_suggestions(fewer, trigger) == []


# --- 撤回转办 stops the 签收时限 ---


def test_a_recall_stops_the_take_clock_and_nothing_falls_due_later() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    recorded = case.do("recall", reason="转办单位选错，撤回")
    take = case.state.clock("TAKE")
    assert take is not None
    assert take.status is ClockStatus.CANCELLED
    assert "clock_stopped" in [event.type for event in recorded]
    assert case.advance_to(TAKE_DUE + timedelta(days=30)) == []  # no warning, no breach
    assert [a for a in case.state.alerts if a.clock_id == "TAKE"] == []
    summaries = event_summaries(case.events)
    assert summaries[recorded[0].seq] == (
        f"撤回对{LABOUR_ROOM.name}的转办（未签收），案件仍由原单位办理"
    )


def test_a_recall_after_the_take_clock_ran_out_closes_its_breach() -> None:
    case = Case()
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    [breach] = _alerts(case.advance_to(TAKE_DUE))
    case.do("recall", reason="久未签收，撤回")
    alert = case.state.alert(breach.alert.alert_id)
    assert alert is not None
    assert alert.status is AlertStatus.CLOSED
    assert case.advance_to(TAKE_DUE + timedelta(days=3)) == []  # no further escalation
