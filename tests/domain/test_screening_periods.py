"""排查 periods and scope as pure data: which period holds a day, its due time, which units a
cadence rule opens duties for (a narrower jurisdiction's rule takes its units)."""

from __future__ import annotations

from datetime import date, datetime

from activities.policy.screening import load_screening_policy
from domain.organisation.organisations import OrgLevel, OrgType
from domain.screening.duties import (
    Cadence,
    CadenceRule,
    ScreeningReport,
    Unit,
    duty_id,
    period_of,
    report_problem,
    units_for_rule,
    units_for_sweep,
)
from domain.values import CHINA_TZ


def test_periods_and_their_due_times() -> None:
    week = period_of(Cadence.WEEKLY, date(2026, 3, 4))  # a Wednesday
    assert (week.key, week.starts_on, week.ends_on) == (
        "2026-W10",
        date(2026, 3, 2),
        date(2026, 3, 8),
    )
    assert week.due_at == datetime(2026, 3, 9, tzinfo=CHINA_TZ)  # Sunday 24:00
    first = period_of(Cadence.HALF_MONTHLY, date(2026, 2, 15))
    second = period_of(Cadence.HALF_MONTHLY, date(2026, 2, 16))
    assert (first.key, first.ends_on) == ("2026-02-H1", date(2026, 2, 15))
    assert (second.key, second.starts_on, second.ends_on) == (
        "2026-02-H2",
        date(2026, 2, 16),
        date(2026, 2, 28),
    )
    month = period_of(Cadence.MONTHLY, date(2028, 2, 10))
    assert (month.key, month.ends_on) == ("2028-02", date(2028, 2, 29))  # a leap year
    # Across a year: the ISO week of its Monday.
    assert period_of(Cadence.WEEKLY, date(2027, 1, 1)).key == "2026-W53"


def _unit(
    org_id: str, level: OrgLevel, code: str, kind: OrgType = OrgType.MEDIATION_COMMITTEE
) -> Unit:
    return Unit(org_id=org_id, name=org_id, level=level, type=kind, jurisdiction_code=code)


def test_a_jurisdictions_own_cadence_takes_its_villages_from_the_default() -> None:
    shipped = load_screening_policy()
    assert [(r.level, r.cadence) for r in shipped.rules] == [
        (OrgLevel.VILLAGE, Cadence.WEEKLY),
        (OrgLevel.TOWN, Cadence.HALF_MONTHLY),
        (OrgLevel.COUNTY, Cadence.MONTHLY),
    ]
    policy = shipped.model_copy(
        update={
            "rules": (
                *shipped.rules,
                CadenceRule(
                    rule_id="meiyuan-villages",
                    level=OrgLevel.VILLAGE,
                    jurisdiction="320102001",
                    cadence=Cadence.HALF_MONTHLY,
                ),
            )
        }
    )
    units = [
        _unit("v1", OrgLevel.VILLAGE, "320102001001"),
        _unit("v2", OrgLevel.VILLAGE, "320102002001"),
        _unit("t1", OrgLevel.TOWN, "320102001"),
        _unit("room", OrgLevel.VILLAGE, "320102002002", OrgType.SECTOR_ROOM),
        Unit(
            org_id="gone",
            name="gone",
            level=OrgLevel.VILLAGE,
            type=OrgType.MEDIATION_COMMITTEE,
            jurisdiction_code="320102002003",
            active=False,
        ),
    ]
    default = [u.org_id for u in units_for_rule(policy, policy.rule("village-weekly"), units)]
    own = [u.org_id for u in units_for_rule(policy, policy.rule("meiyuan-villages"), units)]
    assert default == ["v2"]  # not the override's village, the sector room or the inactive one
    assert own == ["v1"]
    assert [u.org_id for u in units_for_sweep("320102001", units)] == ["v1", "t1"]


def test_duty_ids_are_stable_short_and_distinct() -> None:
    one = duty_id("village-weekly", "2026-W10", "xw-dxg-committee")
    assert one == duty_id("village-weekly", "2026-W10", "xw-dxg-committee")
    assert one != duty_id("sweep-20260301ab12", "2026-W10", "xw-dxg-committee")
    assert len(duty_id("town-half-monthly", "ZX20260301ab12", "x" * 64)) <= 32


def test_a_report_holds_together() -> None:
    assert report_problem(ScreeningReport(zero=True, filed_by="x")) is None
    assert (
        report_problem(ScreeningReport(zero=False, case_ids=("JF-2026-000001",), filed_by="x"))
        is None
    )
    assert report_problem(ScreeningReport(zero=False, filed_by="x")) is not None
    duplicate = ScreeningReport(
        zero=False, case_ids=("JF-2026-000001", "JF-2026-000001"), filed_by="x"
    )
    assert report_problem(duplicate) is not None
