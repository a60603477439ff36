"""A leader sees an overdue alert and acknowledges it; an auditor verifies the chain, reads the
case as of a moment and downloads the dossier — each read asking for its purpose first."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from sqlalchemy import text
from temporalio.testing import ActivityEnvironment

from activities.store.engine import create_engine
from activities.tasks.projection import CaseStore
from api.console.templating import due_time
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.evolve import fold
from domain.values import CHINA_TZ
from tests.activities.audit.chain_support import history_of
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import page_width, today
from tests.principals import bearer
from tests.samples import command, intake_body
from workflows.contract import ProjectionBatch

pytestmark = pytest.mark.e2e


async def _late_case(console: Console) -> dict[str, Any]:
    """A labour dispute recorded 60 days after it was received (补录): its 15-day mediation period
    (E1, counted from receipt) has run, so it is overdue the moment it is registered and the
    breach alerts at once (this deployment sets no 补录宽限: see the console fixture)."""
    received = (today() - timedelta(days=60)).isoformat()
    async with httpx.AsyncClient(base_url=console.url, timeout=60) as api:
        response = await api.post(
            "/v1/cases",
            json=intake_body(
                title=f"逾期未受理的劳动争议 {uuid.uuid4().hex[:4]}",
                category="labour",
                received_on=received,
            ),
            headers={**bearer(console.keys["mediator"]), "Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    assert any(a["kind"] == "breach" for a in case["alerts"]), case["alerts"]
    return case


async def test_a_leader_sees_the_overdue_alert_and_acknowledges_it(
    console: Console, pages: Pages, shot: Shot
) -> None:
    case = await _late_case(console)
    page = await pages.open()
    await pages.sign_in(page, "liuqiang")  # 刘强, leader of the case's town
    await expect(page.get_by_role("heading", name="领导看板")).to_be_visible()
    row = page.locator("tr", has_text=case["case_id"]).filter(has_text="逾期督办").first
    await expect(row).to_be_visible()
    assert int(await page.locator("#overdue-count").inner_text()) >= 1
    # 逾期案件 says which deadline was missed (not when the case was entered), the case's title,
    # its 承办单位 and how many days it is overdue.
    listed = page.locator("li.overdue-case", has_text=case["case_id"])
    due = next(c["schedule"]["due"]["due_at"] for c in case["clocks"] if c["status"] == "breached")
    await expect(listed).to_contain_text(f"期限 {due_time(due)}")
    await expect(listed).to_contain_text(case["title"])
    await expect(listed).to_contain_text("承办单位：")
    await expect(listed).to_contain_text(re.compile(r"已逾期 \d+ 天"))
    await expect(listed).not_to_contain_text("起逾期")
    await shot(page, "01-leader-board")
    # The organisation's 逾期 count drills down to its overdue items: the page says which
    # organisation it is narrowed to, shows each item's 承办单位, and the filter can be cleared.
    holder = (await listed.inner_text()).split("承办单位：")[1].split("；")[0]
    await page.locator("#org-board").get_by_role("link", name=f"{holder}逾期").click()
    await expect(page.locator("#filtered-to")).to_contain_text(f"只看承办单位：{holder}")
    item = page.locator("tr", has_text=case["case_id"]).first
    await expect(item.locator("td.org")).to_have_text(holder)
    await expect(page.get_by_role("columnheader", name="承办单位")).to_be_visible()
    await shot(page, "01b-overdue-drill-down")
    await page.get_by_role("link", name="显示全部单位").click()
    await expect(page.locator("#filtered-to")).to_have_count(0)
    await expect(page).to_have_url(re.compile(r"/worklist\?group=clock_overdue$"))
    await page.goto(f"{console.url}/leader")

    await row.get_by_placeholder("签收意见（可选）").fill("已责成街道三日内受理")
    await row.get_by_role("button", name="签收").click()
    await expect(page.get_by_role("status")).to_have_text("已签收")
    await expect(
        page.locator("tr", has_text=case["case_id"]).filter(has_text="逾期督办")
    ).to_have_count(0)
    await shot(page, "02-acknowledged")

    # The 签收意见 is kept: on the 已签收 tab, and on the case page (who, when, what).
    await page.goto(f"{console.url}/alerts?status=acknowledged")
    done = page.locator("tr", has_text=case["case_id"]).filter(has_text="逾期督办").first
    await expect(done).to_contain_text("签收意见：已责成街道三日内受理")
    await shot(page, "02b-acknowledged-tab")
    await page.goto(f"{console.url}/cases/{case['case_id']}")
    acknowledged = page.locator("#h-alerts + ul li", has_text="刘强")
    await expect(acknowledged).to_contain_text(re.compile(r"于 \d{4}-\d\d-\d\d \d\d:\d\d 签收"))
    await expect(acknowledged).to_contain_text("签收意见：已责成街道三日内受理")
    # The handling unit sees it too: on its case page and on the overdue item of its worklist.
    unit = await pages.open()
    await pages.sign_in(unit, "wangfang")
    await unit.goto(f"{console.url}/cases/{case['case_id']}")
    await expect(unit.locator("#h-alerts + ul")).to_contain_text("签收意见：已责成街道三日内受理")
    await expect(unit.locator("ol#timeline")).to_contain_text("签收意见：已责成街道三日内受理")
    await unit.goto(f"{console.url}/worklist?group=clock_overdue")
    item = unit.locator("tr", has_text=case["case_id"]).first
    await expect(item).to_contain_text("签收意见：已责成街道三日内受理")
    await shot(unit, "02c-handling-unit-worklist")
    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "liuqiang")
    await shot(phone, "03b-leader-board-390")
    await phone.goto(f"{console.url}/cases/{case['case_id']}")
    await shot(phone, "03c-case-acknowledged-390")
    # Counts by stage drill down to the cases.
    await page.goto(f"{console.url}/leader")
    await page.get_by_role("link", name="已登记", exact=True).click()
    await expect(page.get_by_role("link", name=case["case_id"])).to_be_visible()
    wide = await pages.open(1920, 1080)
    await pages.sign_in(wide, "liuqiang")
    await shot(wide, "03-leader-board-1920")


async def test_an_auditor_verifies_views_as_of_and_downloads_the_dossier(
    console: Console, pages: Pages, shot: Shot
) -> None:
    case = await _late_case(console)
    case_id = case["case_id"]
    page = await pages.open()
    await pages.sign_in(page, "wuming")  # 吴明, auditor of the district
    await page.get_by_label("检索", exact=True).fill("逾期未受理")
    await page.get_by_role("button", name="检索").click()
    await page.get_by_role("link", name=case_id).click()

    # Nothing is shown before a purpose is stated.
    await page.get_by_role("button", name="核验哈希链").click()
    await expect(page.locator("#purpose-error")).to_contain_text("请先说明查阅用途")
    await shot(page, "01-purpose-first")

    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill("年度案卷质量抽查")
    await page.get_by_role("button", name="核验哈希链").click()
    await expect(page.locator("#verify-result")).to_contain_text("核验通过")
    # In plain words; the chain's head hash only behind 详情.
    result = page.locator("#h-result").locator("..")
    await expect(page.locator("#verify-result")).to_contain_text("链条完整")
    await expect(page.locator("#verify-result")).to_contain_text("与事件记录一致")
    shown = await result.inner_text()
    assert "读模型" not in shown, shown
    assert "链头哈希" not in shown, shown
    await result.get_by_text("详情").click()
    await expect(result).to_contain_text("链头哈希")
    await shot(page, "02-verified")

    # A time that is no time: the form comes back with the message beside the field, the purpose
    # and the time kept, and nothing else on the page goes.
    await page.get_by_label("时刻（北京时间）").fill("昨天下午")
    await page.get_by_role("button", name="某一时刻的状态").click()
    await expect(page.locator("#as-of-error")).to_contain_text("时刻格式不正确")
    await expect(page.get_by_label("查阅用途（必填，记入访问留痕）")).to_have_value(
        "年度案卷质量抽查"
    )
    await expect(page.get_by_label("时刻（北京时间）")).to_have_value("昨天下午")
    await expect(page.get_by_label("时刻（北京时间）")).to_have_attribute("aria-invalid", "true")
    await shot(page, "02b-as-of-bad-time")

    moment = datetime.now(CHINA_TZ)  # after the registration, to the second
    asked = moment.strftime("%Y-%m-%dT%H:%M:%S")
    await page.get_by_label("时刻（北京时间）").fill(asked)
    await page.get_by_role("button", name="某一时刻的状态").click()
    await expect(page.locator("#state-result")).to_contain_text("已登记")
    # The moment asked for, to the second.
    await expect(page.locator("#state-result")).to_contain_text(asked.replace("T", " "))
    await shot(page, "03-as-of")

    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="下载卷宗（PDF）").click()
    download = await waiting.value
    assert download.suggested_filename == f"{case_id}-dossier.pdf"
    path = await download.path()
    assert path.read_bytes().startswith(b"%PDF")
    # The download never left the page: every button still works without a reload.
    for name in ("时间线", "某一时刻的状态", "核验哈希链", "下载卷宗（PDF）", "重放验证"):
        await expect(page.get_by_role("button", name=name)).to_be_enabled()
    await page.get_by_role("button", name="时间线").click()
    await expect(page.get_by_role("heading", name="时间线", level=2)).to_be_visible()
    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "wuming")
    await phone.goto(f"{console.url}/audit/cases/{case_id}")
    await phone.get_by_label("查阅用途（必填，记入访问留痕）").fill("年度案卷质量抽查")
    await phone.get_by_label("时刻（北京时间）").fill("2026-13-45 99:00")
    await phone.get_by_role("button", name="某一时刻的状态").click()
    await expect(phone.locator("#as-of-error")).to_be_visible()
    await shot(phone, "03b-as-of-bad-time-390")

    await page.goto(f"{console.url}/audit/trail")
    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill("核对本人查阅记录")
    await page.get_by_label("案件编号（可选）").fill(case_id)
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("td", has_text="年度案卷质量抽查").first).to_be_visible()
    # What was read, in words; the routes only behind 详情.
    reads = await page.locator("td.trail-read").all_inner_texts()
    assert {"案件卷宗（PDF）", "某一时刻的案件状态", "记录链条核验"} <= {
        r.replace("详情", "").strip() for r in reads
    }, reads
    assert not any("/v1/" in r for r in reads), reads
    await page.locator("td.trail-read").first.get_by_text("详情").click()
    await expect(page.locator("td.trail-read").first).to_contain_text("GET /v1/")
    await shot(page, "04-access-trail")
    await phone.goto(f"{console.url}/audit/trail")
    await phone.get_by_label("查阅用途（必填，记入访问留痕）").fill("核对本人查阅记录")
    await phone.get_by_label("案件编号（可选）").fill(case_id)
    await phone.get_by_role("button", name="查询").click()
    await shot(phone, "04b-access-trail-390")
    async with console.sessionmaker() as session:
        purposes = (
            await session.execute(
                text("SELECT endpoint, purpose FROM access_trail WHERE case_id = :c"),
                {"c": case_id},
            )
        ).all()
    endpoints = {endpoint for endpoint, purpose in purposes if purpose == "年度案卷质量抽查"}
    assert {"GET /v1/cases/{id}/verify", "GET /v1/cases/{id}/state"} <= endpoints
    assert "GET /v1/cases/{id}/dossier?format=pdf" in endpoints


@pytest.mark.parametrize("width", [1366, 390])
async def test_an_auditor_sees_the_events_a_lost_attempt_left_aside(
    console: Console, pages: Pages, shot: Shot, width: int
) -> None:
    """A case whose 受理 was decided in a workflow-task attempt that was lost, then decided
    again: 核验 passes and lists the set-aside events, kept as they were and still sealed."""
    case_id = f"JF-2026-{uuid.uuid4().int % 10**6:06d}"
    truth = history_of(case_id, "accept")
    registered = [event for event in truth if event.command_id == f"{case_id}-r"]
    envelope = c.CommandEnvelope(command_id=f"{case_id}-1", actor="王芳", command=command("accept"))
    lost = decide(fold(registered), envelope, now=truth[-1].at + timedelta(seconds=9))
    engine = create_engine(console.settings.database_url)
    try:
        store = CaseStore(engine)
        for events, length in ((registered, 5), (lost, 12), (truth[len(registered) :], 12)):
            batch = ProjectionBatch(case_id=case_id, events=tuple(events), history_length=length)
            await ActivityEnvironment().run(store.project_case_events, batch)
    finally:
        await engine.dispose()
    page = await pages.open(width, 844 if width == 390 else 768)
    await pages.sign_in(page, "wuming")  # 吴明, auditor of the district
    await page.goto(f"{console.url}/audit/cases/{case_id}")
    await page.get_by_label("查阅用途（必填，记入访问留痕）").fill("核查流程重试留下的记录")
    await page.get_by_role("button", name="核验哈希链").click()
    await expect(page.locator("#verify-result")).to_contain_text("核验通过")
    heading = page.get_by_role("heading", name=f"已被取代的记录（{len(lost)} 条）")
    await expect(heading).to_be_visible()
    rows = page.locator("table[aria-labelledby='h-superseded'] tbody tr")
    await expect(rows).to_have_count(len(lost))
    for row, event in zip(await rows.all(), lost, strict=True):
        await expect(row.locator("td").first).to_have_text(str(event.seq))
        await expect(row).to_contain_text("完好")
    assert await page_width(page) <= width
    await shot(page, f"05-superseded-{width}")
