"""The 2026.2 rule data (sources, corrections) and how its clocks start on a case."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from activities.policy.book import PolicyBook
from domain.case import commands as c
from domain.case.decide import decide, snapshot_policy
from domain.case.evolve import evolve
from domain.case.policy import CasePolicy, case_policy
from domain.case.state import CaseState
from domain.deadlines.clock_rules import Confidence, Counting, ExtensionKind, LimitBasis
from domain.values import CaseKind, Category, Channel, MediationType, RiskLevel
from tests.domain.official_calendar import OFFICIAL
from tests.samples import T0, command, register

BOOK = PolicyBook.load()
RULES = {r.rule_id: r for r in BOOK.base.rules}


def test_the_policy_is_version_2026_3_and_counts_as_a_court_does() -> None:
    assert BOOK.base.version == "2026.6"  # 2026.3 added the hand-off rules, 2026.4 the grace
    assert all(rule.counting is Counting.LEGAL_2026_2 for rule in RULES.values())
    for rule in RULES.values():
        assert rule.source
        assert rule.confidence in set(Confidence)


def test_the_corrected_rules() -> None:
    assert RULES["B2"].unit.value == "months"
    assert RULES["B2"].length == 1
    assert RULES["A6"].pausable_for == ()  # 条例 Art.34: no pause of any kind
    assert RULES["E1"].start_on == ("case_registered",)  # from the application
    assert RULES["A7"].start_on == ("petition_replied",)  # service of the reply
    assert "送达" in RULES["A7"].note
    cap = RULES["C4"].cap
    assert cap is not None
    assert cap.from_event == "court_acceptance_recorded"  # C5 from the court's acceptance
    e4 = RULES["E4"]
    assert "第38条" in e4.source
    assert "39" not in e4.source
    assert e4.extension is not None
    assert e4.extension.kind is ExtensionKind.AGREED_END_DATE
    assert e4.extension.max_length is None
    d1 = RULES["D1"].extension
    assert d1 is not None
    assert d1.limit_basis is LimitBasis.LOCAL_POLICY
    assert "未规定延长上限" in d1.limit_source
    a6 = RULES["A6"].extension
    assert a6 is not None
    assert a6.limit_basis is LimitBasis.LAW


@pytest.mark.parametrize(
    ("rule_id", "length", "unit", "types", "source"),
    [
        ("E5", 30, "working_days", {MediationType.ADMINISTRATIVE}, "第40条"),
        ("E5a", 5, "working_days", {MediationType.ADMINISTRATIVE}, "第40条"),
        ("D3", 30, "calendar_days", {MediationType.ONLINE}, "在线调解规则"),
    ],
)
def test_the_added_rules(
    rule_id: str, length: int, unit: str, types: set[MediationType], source: str
) -> None:
    rule = RULES[rule_id]
    assert (rule.length, rule.unit.value) == (length, unit)
    assert set(rule.mediation_types) == types
    assert source in rule.source
    assert rule.confidence is Confidence.VERBATIM
    if rule_id != "E5a":
        assert rule.pausable_for == ("appraisal",)
        assert rule.counted_from == "case_accepted"
    assert (rule.expiry.value == "fail_mediation") is (rule_id == "E5")


def test_an_override_counts_as_its_base_unless_it_says_otherwise(tmp_path: Path) -> None:
    rule = RULES["B7"].model_dump(mode="json")
    del rule["counting"]
    (tmp_path / "a.json").write_text(
        json.dumps({"jurisdiction": "3201", "version": "nj-1", "rules": [rule]})
    )
    (tmp_path / "b.json").write_text(
        json.dumps(
            {"jurisdiction": "3202", "version": "wx-1", "counting": "2026.1", "rules": [rule]}
        )
    )
    book = PolicyBook.load(tmp_path)
    nanjing = {r.rule_id: r for r in book.for_jurisdiction("320102").rules}
    wuxi = {r.rule_id: r for r in book.for_jurisdiction("320202").rules}
    assert nanjing["B7"].counting is Counting.LEGAL_2026_2
    assert wuxi["B7"].counting is Counting.RECORDED_2026_1


# --- which clocks start, and from which fact ---


def _medical_case(mediation_type: str) -> CaseState:
    policy: CasePolicy = case_policy(
        BOOK.base,
        OFFICIAL,
        kind=CaseKind.DISPUTE,
        category=Category.MEDICAL,
        channel=Channel.WALK_IN,
        risk=RiskLevel.LOW,
    )
    assert {"E4", "E5", "E5a"} <= {r.rule_id for r in policy.rules}
    state: CaseState | None = None
    steps: list[c.Command] = [
        register(category="medical"),
        command("accept"),
        command("start_mediation", mediation_type=mediation_type),
    ]
    for n, cmd in enumerate(steps):
        envelope = c.CommandEnvelope(command_id=f"cmd-{n}", actor="王芳", command=cmd)
        now = T0 + timedelta(days=3 * n)  # accepted on 5 Mar, mediation from 8 Mar
        for event in decide(state, envelope, now=now):
            state = evolve(state, event)
        assert state is not None
        if n == 0:
            for event in snapshot_policy(state, policy, actor="系统", command_id="p", now=now):
                state = evolve(state, event)
    assert state is not None
    return state


@pytest.mark.parametrize(
    ("mediation_type", "running", "absent"),
    [("peoples", "E4", "E5"), ("sector", "E4", "E5"), ("administrative", "E5", "E4")],
)
def test_medical_mediation_starts_the_clock_of_its_track_counted_from_acceptance(
    mediation_type: str, running: str, absent: str
) -> None:
    state = _medical_case(mediation_type)
    clocks = {clock.rule_id: clock for clock in state.clocks}
    assert absent not in clocks
    assert "E5a" not in clocks  # needs the track at intake (integration of issue 10)
    clock = clocks[running]
    assert clock.start is not None
    assert clock.start.fact == "case_accepted"
    assert clock.start.on == date(2026, 3, 5)  # the acceptance, not the start of mediation
    # From Thu 5 Mar 2026: 30 working days, 清明 (4–6 Apr) skipped → Fri 17 Apr.
    assert clock.schedule.due.last_day == date(2026, 4, 17)


def test_clock_names_read_as_users_words_not_notes_to_developers() -> None:
    """A clock's name is shown on every case page and alert: no 习惯做法 or 默认 in it."""
    for rule in RULES.values():
        assert "习惯做法" not in rule.name, rule.name
        assert "默认" not in rule.name, rule.name
    assert RULES["B2"].name == "人民调解期限（一个月）"
