"""考核指标 over the API: the hand-built county of ``tests.domain.indicator_cases`` projected into
the store as the projection activity does, placed in a town no other test uses; the figures
worked out by hand in ``tests/domain/test_indicators.py``; the auditor's recount from the event
store agrees with the dashboard's figures, and stops agreeing when the read model is altered."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from activities.store import repositories
from activities.store.indicator_tables import IndicatorFactRow
from tests.conftest import Stack
from tests.domain.indicator_cases import QUIET_TOWN, county

BASE = 900_000  # case numbers no other test of the session takes
TOWN = QUIET_TOWN["town_code"]
MARCH = {"period": "2026-03", "jurisdiction": TOWN, "as_of": "2026-04-10"}


def _jf(*numbers: int) -> list[str]:
    return [f"JF-2026-{BASE + n:06d}" for n in numbers]


@pytest.fixture(scope="module")
async def projected(stack: Stack) -> None:
    async with stack.engine.begin() as connection:
        for told in county(BASE, QUIET_TOWN):
            await repositories.append_events(tuple(told.events), connection=connection)
            await repositories.upsert_case(told.case, connection=connection)


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_leader_reads_the_figures_against_their_targets(
    projected: None, clients: dict[str, httpx.AsyncClient]
) -> None:
    board = await _ok(await clients["county_leader"].get("/v1/indicators", params=MARCH))
    shown = {f["indicator_id"]: f for f in board["figures"]}
    assert (board["period_label"], board["as_of"]) == ("2026年3月", "2026-04-10")
    assert shown["success_rate"]["percent"] == "75.0%"
    assert (shown["success_rate"]["numerator"], shown["success_rate"]["denominator"]) == (3, 4)
    assert shown["success_rate"]["status"] == "未达标"
    assert shown["success_rate"]["target_text"] == "≥95%"
    assert shown["mediated_then_petitioned_rate"]["percent"] == "25.0%"
    assert shown["on_time_rate"]["percent"] == "80.0%"
    assert shown["civil_to_criminal_count"]["status"] == "达标"
    assert shown["civil_to_criminal_count"]["last_year"] == 2
    assert "DEADLINES F" in shown["success_rate"]["definition"]
    # The same board for a category: the petition XF2 (征地) leaves 按期办结率.
    by_kind = await _ok(
        await clients["county_leader"].get(
            "/v1/indicators", params={**MARCH, "category": "neighbourhood"}
        )
    )
    on_time = next(f for f in by_kind["figures"] if f["indicator_id"] == "on_time_rate")
    assert (on_time["numerator"], on_time["denominator"]) == (3, 4)


async def test_drill_down_names_the_exact_cases(
    projected: None, clients: dict[str, httpx.AsyncClient]
) -> None:
    leader = clients["county_leader"]
    for part, expected in (("numerator", _jf(1, 3, 5)), ("denominator", _jf(1, 2, 3, 5))):
        found = await _ok(
            await leader.get("/v1/indicators/success_rate/cases", params={**MARCH, "part": part})
        )
        assert (found["case_ids"], found["count"]) == (expected, len(expected))


async def test_the_auditor_recounts_from_the_events_and_gets_the_same_numbers(
    projected: None, stack: Stack, clients: dict[str, httpx.AsyncClient]
) -> None:
    recount = await _ok(await clients["auditor"].get("/v1/audit/indicators", params=MARCH))
    assert recount["agrees"] is True
    lines = {line["indicator_id"]: line for line in recount["lines"]}
    assert lines["success_rate"]["events"] == lines["success_rate"]["read_model"] == "75.0%"
    assert lines["handled_rate"]["numerator"] == [3, 3]
    # The read model's facts altered behind the events' back: the recount tells.
    async with stack.engine.begin() as connection:
        await connection.execute(
            update(IndicatorFactRow)
            .where(IndicatorFactRow.case_id == _jf(2)[0])
            .values(agreement_reached_on=IndicatorFactRow.mediation_ended_on)
        )
    try:
        again = await _ok(await clients["auditor"].get("/v1/audit/indicators", params=MARCH))
        line = next(x for x in again["lines"] if x["indicator_id"] == "success_rate")
        assert (again["agrees"], line["read_model"], line["events"]) == (False, "100.0%", "75.0%")
    finally:
        async with stack.engine.begin() as connection:
            await connection.execute(
                update(IndicatorFactRow)
                .where(IndicatorFactRow.case_id == _jf(2)[0])
                .values(agreement_reached_on=None)
            )


async def test_bad_period_and_reach_are_refused(
    projected: None, clients: dict[str, httpx.AsyncClient]
) -> None:
    bad = await clients["county_leader"].get("/v1/indicators", params={"period": "2026-13"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "period"
    assert "统计期间" in bad.json()["message_zh"]
    far = await clients["county_leader"].get(
        "/v1/indicators", params={"period": "2026-03", "jurisdiction": "320104"}
    )
    assert far.status_code == 403
    # A town leader's default scope is their town: none of the quiet town's cases.
    own = {"period": "2026-03", "as_of": "2026-04-10"}
    town = await _ok(await clients["town_leader"].get("/v1/indicators", params=own))
    assert town["jurisdiction"] == "320102001"


async def test_monthly_reports_are_listed_and_downloaded_within_reach(
    projected: None, stack: Stack, clients: dict[str, httpx.AsyncClient]
) -> None:
    """A report made for the quiet town (as the schedule's workflow makes it) is listed for the
    county's leader and auditor, downloads as a workbook and a PDF, and is out of a town
    leader's reach elsewhere; staff may not read or ask for 月报."""
    import io
    from datetime import datetime

    from openpyxl import load_workbook

    from activities.files.store import file_store
    from activities.policy.indicators import load_indicators
    from activities.tasks.monthly_reports import MonthlyReports
    from domain.values import CHINA_TZ
    from workflows.report_contract import MonthlyReportJob

    reports = MonthlyReports(stack.sessionmaker, file_store(stack.settings), load_indicators())
    made = await reports.make_monthly_report(
        MonthlyReportJob(
            jurisdiction=TOWN,
            month="2026-03",
            as_of=datetime(2026, 4, 10, 9, tzinfo=CHINA_TZ),
            requested_by="周军",
        )
    )
    listed = await _ok(
        await clients["county_leader"].get("/v1/reports/monthly", params={"month": "2026-03"})
    )
    [line] = [i for i in listed["items"] if i["report_id"] == made.report_id]
    success = next(f for f in line["figures"] if f["indicator_id"] == "success_rate")
    assert (success["shown"], success["status"]) == ("75.0%", "未达标")
    workbook = await clients["auditor"].get(f"/v1/reports/monthly/{made.report_id}/xlsx")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames[:3] == ["考核指标", "本月案件", "逾期情况"]
    pdf = await clients["county_leader"].get(f"/v1/reports/monthly/{made.report_id}/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
    elsewhere = await clients["town_leader"].get(f"/v1/reports/monthly/{made.report_id}/pdf")
    assert elsewhere.status_code == 404
    town = await _ok(await clients["town_leader"].get("/v1/reports/monthly"))
    assert made.report_id not in [i["report_id"] for i in town["items"]]
    assert (await clients["mediator"].get("/v1/reports/monthly")).status_code == 403
    refused = await clients["county_leader"].post("/v1/reports/monthly", json={"month": "2026-3"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "month"


async def test_accountability_of_the_month(
    projected: None, clients: dict[str, httpx.AsyncClient]
) -> None:
    """As worked out in tests/domain/test_indicators.py: JF4's 批示 ran out unanswered (one
    breach, 29 days open on 10 April); 刘强 acknowledged JF6's 直报 in 24 hours."""
    found = await _ok(
        await clients["county_leader"].get("/v1/indicators/accountability", params=MARCH)
    )
    assert [(b["breaches"], b["cases"]) for b in found["breaches"]] == [(1, _jf(4))]
    acks = {a["who"]: a for a in found["acknowledgement"]}
    assert (acks["刘强"]["acknowledged"], acks["刘强"]["median_hours"]) == (1, 24.0)
    assert [(u["case_id"], u["leader"], u["days_open"]) for u in found["unanswered"]] == [
        (_jf(4)[0], "周军", 29)
    ]
