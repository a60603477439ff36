"""A leader opens the 指标看板, sees each indicator against its target (bars and trend drawn on the
server, nothing fetched), the ranking of units with those without cases, and drills from a
missed indicator to the cases behind it — at a desk and at 390×844.

The figures are those of the hand-built county (``tests/domain/indicator_cases.py``, worked out
by hand in ``tests/domain/test_indicators.py``), projected into the console's store as the
projection does, in a town no other console test uses; the units of that town are added to the
registry (one of them holds no case)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from activities.store import repositories
from activities.store.tables import JurisdictionRow, OrganisationRow
from tests.console.conftest import Console, Pages, Shot
from tests.domain.indicator_cases import QUIET_TOWN, county

pytestmark = pytest.mark.e2e

BASE = 800_000
UNITS = {
    "q-town-center": ("清凉街道综治中心", "center", "town", "320102009", None),
    "q-committee-a": (
        "清凉一村人民调解委员会",
        "mediation_committee",
        "village",
        "320102009009",
        "q-town-center",
    ),
    "q-committee-b": (
        "清凉二村人民调解委员会",
        "mediation_committee",
        "village",
        "320102009008",
        "q-town-center",
    ),
    "q-committee-c": (
        "清凉三村人民调解委员会",
        "mediation_committee",
        "village",
        "320102009007",
        "q-town-center",
    ),
}
BOARD = "/indicators?period=2026-03&jurisdiction=320102009&as_of=2026-04-10"


@pytest.fixture(scope="module")
async def quiet_town(console: Console) -> None:
    async with console.sessionmaker.begin() as session:
        places = [
            ("320102", "玄武区", "county", None),
            ("320102009", "清凉街道", "town", "320102"),
            ("320102009009", "清凉一村", "village", "320102009"),
            ("320102009008", "清凉二村", "village", "320102009"),
            ("320102009007", "清凉三村", "village", "320102009"),
        ]
        for code, name, level, parent in places:
            if await session.get(JurisdictionRow, code) is None:
                session.add(JurisdictionRow(code=code, name=name, level=level, parent_code=parent))
                await session.flush()
        for org_id, (name, kind, level, code, parent) in UNITS.items():
            if await session.get(OrganisationRow, org_id) is None:
                session.add(
                    OrganisationRow(
                        org_id=org_id,
                        name=name,
                        type=kind,
                        level=level,
                        jurisdiction_code=code,
                        parent_id=parent,
                        categories=[],
                        active=True,
                    )
                )
                await session.flush()
        connection = await session.connection()
        for told in county(BASE, QUIET_TOWN, ("q-committee-a", "q-committee-b")):
            await repositories.append_events(tuple(told.events), connection=connection)
            await repositories.upsert_case(told.case, connection=connection)


async def _no_wider_than_the_screen(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide"


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
async def test_a_leader_drills_from_a_missed_indicator_to_its_cases(
    quiet_town: None, console: Console, pages: Pages, shot: Shot, width: int, height: int
) -> None:
    page = await pages.open(width, height)
    await pages.sign_in(page, "zhoujun")  # 周军, the county's leader
    await page.goto(console.url + BOARD)
    await expect(page.get_by_role("heading", name="指标看板")).to_be_visible()
    success = page.locator("section[data-indicator=success_rate]")
    await expect(success.locator(".num")).to_have_text("75.0%")
    await expect(success.locator(".status")).to_have_text("未达标")
    await expect(success).to_contain_text("目标 ≥95%（3/4）")
    criminal = page.locator("section[data-indicator=civil_to_criminal_count]")
    await expect(criminal.locator(".status")).to_have_text("达标")
    await expect(criminal).to_contain_text("上年同期 2 件")
    # Charts are inline SVG: a bar against the target and the six months to March.
    await expect(success.locator("svg.bar rect.value")).to_have_attribute("width", "75")
    await expect(success.locator("svg.trend text")).to_have_count(6)
    # Units ranked on 调解成功率, best first; the committee without cases is listed too.
    rows = page.locator("#ranking tbody tr")
    await expect(rows.nth(0)).to_contain_text("清凉二村人民调解委员会")
    await expect(rows.nth(0)).to_contain_text("100.0%")
    await expect(rows.nth(1)).to_contain_text("清凉一村人民调解委员会")
    await expect(rows.nth(1)).to_contain_text("66.7%")
    await expect(page.locator("#ranking")).to_contain_text("清凉三村人民调解委员会")
    await expect(page.locator("#ranking")).to_contain_text("无案件")
    # 问责: JF4's 批示 ran out unanswered; 刘强 acknowledged JF6's 直报 in 24 hours.
    await expect(page.locator("#unanswered")).to_contain_text("请尽快化解")
    await expect(page.locator("#acknowledgement tr", has_text="刘强")).to_contain_text("24.0小时")
    await expect(page.locator("#breaches")).to_contain_text(f"JF-2026-{BASE + 4:06d}")
    await expect(page.locator("#acknowledgement")).to_contain_text("清凉街道领导")
    if width < 400:
        await _no_wider_than_the_screen(page)
    await shot(page, f"board-{width}")

    await success.get_by_role("link", name="查看调解成功率的案件").click()
    await expect(page.get_by_role("heading", name="调解成功率的案件")).to_be_visible()
    lines = page.locator("#indicator-cases tbody tr")
    await expect(lines).to_have_count(4)
    numbers = [f"JF-2026-{BASE + n:06d}" for n in (1, 2, 3, 5)]
    for number in numbers:
        await expect(page.locator("#indicator-cases")).to_contain_text(number)
    failed = page.locator("#indicator-cases tr", has_text=numbers[1])
    await expect(failed).to_contain_text("否")  # 调解不成: in the denominator only
    if width < 400:
        await _no_wider_than_the_screen(page)
    await shot(page, f"cases-{width}")
    await page.get_by_role("link", name=numbers[1]).click()
    await expect(page).to_have_url(f"{console.url}/cases/{numbers[1]}")
    await expect(page.locator("main")).to_contain_text("调解不成")


async def test_a_bad_period_is_refused_beside_its_field(
    quiet_town: None, console: Console, pages: Pages
) -> None:
    page = await pages.open()
    await pages.sign_in(page, "zhoujun")
    await page.goto(console.url + "/indicators?period=2026-13")
    await expect(page.get_by_role("alert")).to_contain_text("统计期间格式不正确")
