"""The figures: each indicator over a set of case facts for a period, with the cases behind it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from domain.base import Frozen
from domain.indicators.definitions import (
    Comparison,
    Count,
    IndicatorDefinition,
    IndicatorSet,
    Period,
)
from domain.indicators.facts import CaseFacts, Fact
from domain.values import CaseKind


class Figure(Frozen):
    """One indicator for one scope and period: the counts, the value, the target met or not, and
    the exact cases behind numerator and denominator (sorted case numbers)."""

    indicator_id: str
    name: str
    unit: str
    numerator: int
    denominator: int | None = None
    value: float | None = None  # numerator ÷ denominator (None when nothing to divide by)
    last_year: int | None = None  # counts: the same period a year before
    met: bool | None = None  # None: no basis yet (an empty denominator)
    target_text: str
    numerator_cases: tuple[str, ...]
    denominator_cases: tuple[str, ...] = ()


def petitioned_later(facts: Sequence[CaseFacts], *, as_of: date) -> dict[str, date]:
    """For each dispute whose mediation ended, the day the first petition on the same matter was
    registered after that day (on or before ``as_of``)."""
    petitions: dict[str, list[date]] = {}
    for case in facts:
        registered = case.on(Fact.REGISTERED)
        if case.kind is CaseKind.PETITION and case.party_key and registered:
            petitions.setdefault(case.party_key, []).append(registered)
    found: dict[str, date] = {}
    for case in facts:
        ended = case.on(Fact.MEDIATION_ENDED)
        if case.kind is not CaseKind.DISPUTE or ended is None or not case.party_key:
            continue
        later = [d for d in petitions.get(case.party_key, ()) if ended < d <= as_of]
        if later:
            found[case.case_id] = min(later)
    return found


def _counted(
    count: Count, facts: Iterable[CaseFacts], period: Period, as_of: date, later: dict[str, date]
) -> list[str]:
    out: list[str] = []
    for case in facts:
        if count.kind is not None and case.kind is not count.kind:
            continue
        day = case.on(count.fact)
        if day is None or not period.start <= day <= period.end or day > as_of:
            continue
        ok = True
        for fact in count.with_facts:
            with_day = later.get(case.case_id) if fact is Fact.PETITIONED_LATER else case.on(fact)
            if with_day is None or with_day > as_of:
                ok = False
                break
        if ok:
            out.append(case.case_id)
    return sorted(out)


def target_text(definition: IndicatorDefinition) -> str:
    target = definition.target
    if target.comparison is Comparison.BELOW_LAST_YEAR:
        return "同比下降"
    sign = "≥" if target.comparison is Comparison.AT_LEAST else "≤"
    return f"{sign}{round((target.value or 0) * 100)}%"


def figure(
    definition: IndicatorDefinition,
    facts: Sequence[CaseFacts],
    period: Period,
    *,
    as_of: date,
    later: dict[str, date] | None = None,
) -> Figure:
    """The figure of ``definition`` over ``facts`` (already narrowed to a scope and category)."""
    later = petitioned_later(facts, as_of=as_of) if later is None else later
    numerator = _counted(definition.numerator, facts, period, as_of, later)
    common = {
        "indicator_id": definition.indicator_id,
        "name": definition.name,
        "unit": definition.unit,
        "numerator": len(numerator),
        "numerator_cases": tuple(numerator),
        "target_text": target_text(definition),
    }
    target = definition.target
    if definition.denominator is None:
        before = _counted(definition.numerator, facts, period.year_before(), as_of, later)
        met = len(numerator) == 0 or len(numerator) < len(before)
        return Figure(**common, last_year=len(before), met=met)
    denominator = _counted(definition.denominator, facts, period, as_of, later)
    if not denominator:
        return Figure(**common, denominator=0)
    value = len(numerator) / len(denominator)
    bound = target.value or 0.0
    # Compared as whole counts (n·100 against d·target·100) so 19/20 meets 95% exactly.
    scaled = round(bound * 10000)
    if target.comparison is Comparison.AT_LEAST:
        met = len(numerator) * 10000 >= scaled * len(denominator)
    else:
        met = len(numerator) * 10000 <= scaled * len(denominator)
    return Figure(
        **common,
        denominator=len(denominator),
        value=value,
        met=met,
        denominator_cases=tuple(denominator),
    )


def figures(
    indicators: IndicatorSet,
    facts: Sequence[CaseFacts],
    period: Period,
    *,
    as_of: date,
    petitions: Sequence[CaseFacts] = (),
) -> list[Figure]:
    """Every indicator of the set. ``petitions``: petitions outside ``facts`` that may share a
    matter with its disputes (the county's, for a scope narrower than the county)."""
    known = {case.case_id for case in facts}
    extra = [p for p in petitions if p.case_id not in known]
    later = petitioned_later([*facts, *extra], as_of=as_of)
    return [figure(d, facts, period, as_of=as_of, later=later) for d in indicators.indicators]
