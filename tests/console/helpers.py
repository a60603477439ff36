"""Driving the console like a person: by labels and button names, as a screen reader would."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Locator, Page, expect

from domain.values import CHINA_TZ


def today() -> date:
    from datetime import datetime

    return datetime.now(CHINA_TZ).date()


def day(offset: int = 0) -> str:
    return (today() + timedelta(days=offset)).isoformat()


async def act(
    page: Page, slug: str, fields: dict[str, str], *, selects: dict[str, str] | None = None
) -> None:
    """Open the action ``slug`` on the case page, fill it by labels, submit it."""
    form = page.locator(f"#action-{slug}")
    await form.locator("summary").click()
    await fill(form, fields, selects or {})
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()


async def fill(scope: Locator | Page, fields: dict[str, str], selects: dict[str, str]) -> None:
    for label, value in fields.items():
        await _input(scope, label).fill(value)
    for label, option in selects.items():
        await _input(scope, label).select_option(label=option)


def _input(scope: Locator | Page, label: str) -> Locator:
    """``申请人1/姓名或名称``: the input labelled so inside the fieldset with that legend."""
    if "/" in label:
        group, label = label.split("/", 1)
        scope = scope.get_by_role("group", name=group, exact=True)
    return scope.get_by_label(label, exact=True)


async def expect_stage(page: Page, text: str) -> None:
    await expect(page.locator("#case-stage")).to_have_text(text)


async def unlabelled_inputs(page: Page) -> list[str]:
    """Inputs a screen reader could not name: no <label for=…> and no aria-label."""
    found: list[str] = await page.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(e => e.type !== 'hidden')
            .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`))
                         && !e.getAttribute('aria-label') && !e.closest('label'))
            .map(e => e.name || e.id || e.outerHTML)"""
    )
    return found
