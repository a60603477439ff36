"""排查 in Chromium, at a desk and at 390×844: a unit files the disputes it found and another
period's 零报告, a leader launches 专项排查 in their town, the system administrator pauses a
Schedule."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta

import httpx
import pytest
from playwright.async_api import Page, expect

from activities.policy.screening import load_screening_policy
from activities.tasks.schedules import ensure_schedules
from tests.api.helpers import STAY_WITH_CENTER, create_case
from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import open_menu, page_width, today
from tests.principals import bearer
from workflows.screening_contract import SCREENING_PERIOD_WORKFLOW, OpenedDuties, PeriodInput

pytestmark = pytest.mark.e2e


def _size(width: int) -> tuple[int, int]:
    return (width, 844) if width == 390 else (width, 768)


async def _open_period(console: Console, months_ahead: int) -> OpenedDuties:
    """A county period opened as its Schedule opens it (months ahead: each test a period)."""
    return await console.client.execute_workflow(
        SCREENING_PERIOD_WORKFLOW,
        PeriodInput(rule_id="county-monthly", day=today() + timedelta(days=31 * months_ahead)),
        id=f"period-{uuid.uuid4().hex[:8]}",
        task_queue=console.settings.task_queue,
        result_type=OpenedDuties,
    )


async def _goto_menu(page: Page, name: str) -> None:
    await open_menu(page)
    await page.get_by_role("link", name=name).click()


async def _fits(page: Page, width: int) -> None:
    assert await page_width(page) <= width


@pytest.mark.parametrize("width", [1366, 390])
async def test_a_unit_files_its_found_disputes_and_a_zero_report(
    console: Console, pages: Pages, shot: Shot, width: int
) -> None:
    # The current month and the next: a case registered today may be listed in either.
    found = await _open_period(console, 0 if width == 390 else 1)
    zero = await _open_period(console, 4 if width == 390 else 3)
    async with httpx.AsyncClient(
        base_url=console.url, timeout=60, headers=bearer(console.keys["mediator"])
    ) as api:
        case = await create_case(api, routing=STAY_WITH_CENTER)  # registered through intake
    page = await pages.open(*_size(width))
    await pages.sign_in(page, "wangfang")
    await _goto_menu(page, "排查报送")
    await expect(page.get_by_role("heading", name="排查报送", level=1)).to_be_visible()
    await _fits(page, width)
    await shot(page, f"duties-{width}")

    first = page.locator("article.duty", has_text=found.period_key)
    await first.get_by_label(re.compile(case["case_id"])).check()
    await first.get_by_label("说明（可不填）").fill("入户走访发现一起")
    await first.get_by_role("button", name="报送").click()
    await expect(page.get_by_role("status")).to_have_text("排查情况已报送。")

    second = page.locator("article.duty", has_text=zero.period_key)
    await second.get_by_label("零报告（本期未发现矛盾纠纷）").check()
    await second.get_by_role("button", name="报送").click()
    await expect(page.get_by_role("status")).to_have_text("零报告已报送。")
    await expect(page.locator("article.duty", has_text=zero.period_key)).to_have_count(0)
    history = page.locator("section", has=page.get_by_role("heading", name="已报送与往期"))
    for opened, report in ((zero, "零报告"), (found, "发现纠纷")):
        period = re.compile(rf"{opened.period_key} \d{{4}}-")  # the 期间 cell, not a filed time
        await expect(history.locator("tr", has_text=period)).to_contain_text(report)
    await _fits(page, width)
    await shot(page, f"filed-{width}")


@pytest.mark.parametrize("width", [1366, 390])
async def test_a_leader_launches_a_sweep_in_their_town(
    console: Console, pages: Pages, shot: Shot, width: int
) -> None:
    page = await pages.open(*_size(width))
    await pages.sign_in(page, "liuqiang")
    await _goto_menu(page, "排查与专项排查")
    theme = f"春节前专项排查{width}"
    await page.get_by_label("排查区域（行政区划代码）").fill("320102002")  # another town
    await page.get_by_label("排查主题").fill(theme)
    await page.get_by_label("截止日期").fill(str(today() + timedelta(days=10)))
    await page.get_by_role("button", name="部署专项排查").click()
    await expect(page.locator(".field-error")).to_have_text("排查范围须在您的辖区之内")
    await _fits(page, width)
    await shot(page, f"sweep-refused-{width}")
    await page.get_by_label("排查区域（行政区划代码）").fill("320102001")
    await page.get_by_role("button", name="部署专项排查").click()
    await expect(page.get_by_role("status")).to_have_text(re.compile("专项排查已部署"))
    await _fits(page, width)
    await shot(page, f"sweep-launched-{width}")


@pytest.mark.parametrize("width", [1366, 390])
async def test_the_system_administrator_pauses_and_resumes_a_schedule(
    console: Console, pages: Pages, shot: Shot, width: int
) -> None:
    await ensure_schedules(console.client, load_screening_policy(), console.settings.task_queue)
    page = await pages.open(*_size(width))
    await pages.sign_in(page, "sysadmin")
    await _goto_menu(page, "计划任务")
    row = page.locator("tr", has_text="每周排查")
    await row.get_by_label("暂停原因").fill("春节假期")
    await row.get_by_role("button", name="暂停").click()
    await expect(page.get_by_role("status")).to_have_text("计划任务已暂停。")
    await expect(page.locator("tr", has_text="每周排查")).to_contain_text("已暂停")
    await _fits(page, width)
    await shot(page, f"paused-{width}")
    await page.locator("tr", has_text="每周排查").get_by_role("button", name="恢复").click()
    await expect(page.get_by_role("status")).to_have_text("计划任务已恢复。")
    await expect(page.locator("tr", has_text="每周排查")).to_contain_text("运行中")
    await shot(page, f"resumed-{width}")


@pytest.mark.parametrize("width", [1366, 390])
async def test_a_leader_sees_units_late_with_their_screening_beside_the_alerts(
    console: Console, pages: Pages, shot: Shot, width: int
) -> None:
    # A period already over when it opens (each width its own): its duties escalate at once.
    late = await console.client.execute_workflow(
        SCREENING_PERIOD_WORKFLOW,
        PeriodInput(rule_id="county-monthly", day=date(2025, 3 if width == 390 else 4, 10)),
        id=f"period-{uuid.uuid4().hex[:8]}",
        task_queue=console.settings.task_queue,
        result_type=OpenedDuties,
    )
    async with httpx.AsyncClient(
        base_url=console.url, timeout=60, headers=bearer(console.keys["county_leader"])
    ) as api:
        deadline = asyncio.get_running_loop().time() + 30
        while True:  # each duty in the leader's county records its escalation (an activity)
            listed = (await api.get("/v1/screening/duties")).json()["items"]
            ours = [d for d in listed if d["duty_id"] in late.duty_ids]
            overdue = [d for d in ours if d["status"] == "overdue"]
            if (ours and overdue == ours) or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.2)
    assert len(overdue) == len(ours) == 2  # 玄武区's two county centers
    page = await pages.open(*_size(width))
    await pages.sign_in(page, "zhoujun")  # 周军, the county's leader
    await _goto_menu(page, "督办提醒")
    section = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("排查逾期未报"))
    )
    for duty in overdue:
        row = section.locator("tr", has_text=re.compile(rf"{late.period_key} 2025-"))
        await expect(row.filter(has_text=duty["org_name"])).to_contain_text("逾期未报")
    await expect(section.get_by_role("link", name="前往排查页面")).to_be_visible()
    await _fits(page, width)
    await shot(page, f"late-duties-{width}")
    # Another status tab lists alerts only.
    await page.goto(f"{console.url}/alerts?status=acknowledged")
    await expect(page.get_by_role("heading", name=re.compile("排查逾期未报"))).to_have_count(0)
