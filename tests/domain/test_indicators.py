"""Indicators over the hand-built county of ``indicator_cases`` (period March 2026, counted on
10 April 2026). Each expected figure is worked out by hand from the stories:

- 矛盾纠纷调处率: accepted in March — JF1, JF2, JF3, JF4 (JF5 was accepted in January, JF6 never);
  concluded by 10 April — JF1 (agreement), JF2 (调解不成), JF3 (agreement): 3/4 = 75% < 95%.
- 调解成功率: mediation ended in March — JF1 (3-05), JF2 (3-20), JF3 (3-06), JF5 (3-12); with an
  agreement — JF1, JF3, JF5: 3/4 = 75% < 95%.
- 调解协议自动履行率: last item due in March — JF1 (3-08), JF3 (3-20) (JF5's agreement has no
  items); every item performed — JF1: 1/2 = 50% < 80%.
- 调解信访率: the same four mediations; 周五 (JF5, ended 3-12) petitioned on the same matter on
  3-20 (XF1): 1/4 = 25% > 20%.
- 群众满意率: rated in March — JF1 (满意), JF3 (不满意): 1/2 = 50% < 90%.
- 按期办结率: concluded in March — JF1, JF2, JF3, JF5, XF2; JF5's B2 period breached on 5 Feb,
  before its agreement: 4/5 = 80% < 95%.
- 越级上访: XF1 in March 2026, none in March 2025: 1 against 0, not falling — missed.
- 民转刑: JF6 in March 2026; JF7 (at intake) and JF8 (a 风险研判 on 2025-03-20) in March 2025:
  1 against 2, falling — met.
"""

from __future__ import annotations

from datetime import date

import pytest

from activities.policy.indicators import load_indicators
from domain.errors import InvalidCommand
from domain.indicators.compute import Figure, figures
from domain.indicators.definitions import IndicatorSet, parse_period
from domain.indicators.facts import CaseFacts, case_facts
from tests.domain.indicator_cases import county

AS_OF = date(2026, 4, 10)
MARCH = parse_period("2026-03")


def _facts() -> list[CaseFacts]:
    return [case_facts(told.case, key=b"k" * 32) for told in county()]


def _by_id(found: list[Figure]) -> dict[str, Figure]:
    return {f.indicator_id: f for f in found}


def _jf(*numbers: int) -> tuple[str, ...]:
    return tuple(f"JF-2026-{n:06d}" for n in numbers)


def test_each_indicator_over_the_hand_built_county() -> None:
    found = _by_id(figures(load_indicators(), _facts(), MARCH, as_of=AS_OF))
    expected = {
        # id: (numerator cases, denominator cases)
        "handled_rate": (_jf(1, 2, 3), _jf(1, 2, 3, 4)),
        "success_rate": (_jf(1, 3, 5), _jf(1, 2, 3, 5)),
        "voluntary_performance_rate": (_jf(1), _jf(1, 3)),
        "mediated_then_petitioned_rate": (_jf(5), _jf(1, 2, 3, 5)),
        "satisfaction_rate": (_jf(1), _jf(1, 3)),
        "on_time_rate": ((*_jf(1, 2, 3), "XF-2026-000002"), (*_jf(1, 2, 3, 5), "XF-2026-000002")),
    }
    for indicator_id, (numerator, denominator) in expected.items():
        f = found[indicator_id]
        assert (f.numerator_cases, f.denominator_cases) == (numerator, denominator), indicator_id
        assert (f.numerator, f.denominator) == (len(numerator), len(denominator))
    assert found["handled_rate"].value == pytest.approx(0.75)
    assert found["voluntary_performance_rate"].value == pytest.approx(0.5)
    assert found["mediated_then_petitioned_rate"].value == pytest.approx(0.25)
    assert found["on_time_rate"].value == pytest.approx(0.8)
    # Every rate misses its target in this county; 民转刑 falls year on year, 越级上访 does not.
    assert {i: f.met for i, f in found.items()} == {
        "handled_rate": False,
        "success_rate": False,
        "voluntary_performance_rate": False,
        "mediated_then_petitioned_rate": False,
        "satisfaction_rate": False,
        "on_time_rate": False,
        "skip_level_count": False,
        "civil_to_criminal_count": True,
    }
    skip, criminal = found["skip_level_count"], found["civil_to_criminal_count"]
    assert (skip.numerator, skip.last_year, skip.numerator_cases) == (1, 0, ("XF-2026-000001",))
    assert (criminal.numerator, criminal.last_year, criminal.numerator_cases) == (1, 2, _jf(6))
    assert found["mediated_then_petitioned_rate"].target_text == "≤20%"
    assert found["civil_to_criminal_count"].target_text == "同比下降"


def test_facts_after_the_as_of_day_do_not_count_yet() -> None:
    """Counted on 15 March: JF2's failure (3-20) and XF1's petition (3-20) are not yet facts."""
    found = _by_id(figures(load_indicators(), _facts(), MARCH, as_of=date(2026, 3, 15)))
    assert found["success_rate"].denominator_cases == _jf(1, 3, 5)
    assert found["mediated_then_petitioned_rate"].numerator == 0
    assert found["handled_rate"].numerator_cases == _jf(1, 3)


def test_a_target_is_met_exactly_at_its_bound() -> None:
    """19 of 20 meets ≥95%; 1 of 5 meets ≤20% (compared as whole counts, not floats)."""
    from domain.indicators.compute import figure
    from domain.indicators.facts import Fact
    from domain.values import CaseKind, Category

    def dispute(n: int, agreement: bool) -> CaseFacts:
        day = date(2026, 3, 10)
        dates = {Fact.MEDIATION_ENDED: day} | ({Fact.AGREEMENT_REACHED: day} if agreement else {})
        return CaseFacts(
            case_id=f"JF-2026-{n:06d}",
            kind=CaseKind.DISPUTE,
            category=Category.OTHER,
            jurisdiction_code="320102",
            dates=dates,
        )

    success = load_indicators().get("success_rate")
    assert success is not None
    cases = [dispute(n, agreement=n != 20) for n in range(1, 21)]
    assert figure(success, cases, MARCH, as_of=AS_OF).met is True
    assert figure(success, cases[1:], MARCH, as_of=AS_OF).met is False  # 18/19 < 95%
    empty = figure(success, [], MARCH, as_of=AS_OF)
    assert (empty.denominator, empty.value, empty.met) == (0, None, None)


def test_periods_months_quarters_years_and_ranges() -> None:
    assert (MARCH.start, MARCH.end) == (date(2026, 3, 1), date(2026, 3, 31))
    q1 = parse_period("2026-Q1")
    assert (q1.start, q1.end, [m.label for m in q1.months()]) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        ["2026年1月", "2026年2月", "2026年3月"],
    )
    assert parse_period("2024-02").year_before().end == date(2023, 2, 28)
    assert parse_period("2026-03-01..2026-03-15").end == date(2026, 3, 15)
    for bad in ("2026-13", "2026-Q5", "March", "2026-03-15..2026-03-01"):
        with pytest.raises(InvalidCommand) as refusal:
            parse_period(bad)
        assert refusal.value.field == "period"


def test_the_shipped_definitions_say_where_no_official_formula_exists() -> None:
    book = load_indicators()
    assert {i.name for i in book.indicators} >= {
        "矛盾纠纷调处率",
        "调解成功率",
        "调解协议自动履行率",
        "调解信访率",
        "群众满意率",
        "按期办结率",
        "越级上访",
        "民转刑",
    }
    for indicator in book.indicators:
        assert "分子" in indicator.definition or indicator.unit == "count"
        assert "DEADLINES F" in indicator.definition


def test_a_definition_whose_numerator_is_not_within_its_denominator_is_refused() -> None:
    document = load_indicators().model_dump(mode="json")
    document["indicators"][1]["numerator"]["kind"] = "petition"
    with pytest.raises(ValueError, match="subset"):
        IndicatorSet.model_validate(document)


def test_accountability_for_march_worked_out_by_hand() -> None:
    """March 2026, as of 10 April: JF4's 批示 (周军, 12 March, to be carried out by 20 March) ran
    out unanswered — one breach, and still open 29 days on; JF1's 批示 was answered on 9 March;
    刘强 acknowledged JF6's 直报 24 hours after it was raised; the breach alert of JF4 (25 March)
    waits at the town leader. JF5's breach (5 February) belongs to February."""
    from datetime import UTC, datetime

    from domain.indicators.accountability import accountability, accountability_items

    items = [i for told in county() for i in accountability_items(told.case)]
    found = accountability(items, MARCH, as_of=datetime(2026, 4, 10, tzinfo=UTC))
    assert [(b.breaches, b.cases) for b in found.breaches] == [(1, _jf(4))]
    by_who = {line.who: line for line in found.acknowledgement}
    assert (by_who["刘强"].acknowledged, by_who["刘强"].median_hours) == (1, 24.0)
    assert (by_who["梅园新村街道领导"].open, by_who["梅园新村街道领导"].alerts) == (1, 1)
    [open_one] = found.unanswered
    assert (open_one.case_id, open_one.leader, open_one.days_open) == (_jf(4)[0], "周军", 29)
    february = accountability(
        items, parse_period("2026-02"), as_of=datetime(2026, 4, 10, tzinfo=UTC)
    )
    assert [(b.breaches, b.cases) for b in february.breaches] == [(1, _jf(5))]
