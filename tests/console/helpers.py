"""Driving the console like a person: by labels and button names, as a screen reader would."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from playwright.async_api import Locator, Page, expect

from domain.values import CHINA_TZ


def today() -> date:
    from datetime import datetime

    return datetime.now(CHINA_TZ).date()


def day(offset: int = 0) -> str:
    return (today() + timedelta(days=offset)).isoformat()


async def act(
    page: Page,
    slug: str,
    fields: dict[str, str],
    *,
    selects: dict[str, str] | None = None,
    before_submit: Callable[[Locator], Awaitable[None]] | None = None,
) -> None:
    """Open the action ``slug`` on the case page, fill it by labels, submit it (``before_submit``
    is handed the form's button first, e.g. to check it is within reach on a phone)."""
    form = page.locator(f"#action-{slug}")
    await form.locator("summary").click()
    await fill(form, fields, selects or {})
    submit = form.locator("button[type=submit]")
    if before_submit is not None:
        await before_submit(submit)
    await submit.click()
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


PHONE = (390, 844)  # the phone every page must fit (width, height)


async def page_width(page: Page) -> int:
    """How wide the page is laid out: more than the viewport means sideways scrolling."""
    width: int = await page.evaluate("() => document.documentElement.scrollWidth")
    return width


async def menu_entries(page: Page) -> list[tuple[str, str]]:
    """The main menu's entries as (name, href), whether folded or not."""
    found: list[tuple[str, str]] = await page.eval_on_selector_all(
        "header nav a",
        # The entry's name, without the notice count beside it (its description, not its name).
        "els => els.map(e => { const c = e.cloneNode(true);"
        " c.querySelectorAll('.notice-count').forEach(b => b.remove());"
        " return [c.textContent.trim(), e.getAttribute('href')]; })",
    )
    return [(name, href) for name, href in found]


async def open_menu(page: Page) -> None:
    """Unfold the menu with its 菜单 button (a no-op where the menu is never folded)."""
    button = page.locator("label[for=menu-open]")
    if await button.is_visible() and not await page.locator("#menu-open").is_checked():
        await button.click()
    await expect(page.locator("#main-menu")).to_be_visible()


async def within_screen(target: Locator) -> bool:
    """Shown, and all of it within the viewport's width (no sideways scrolling to reach it)."""
    if not await target.is_visible():
        return False
    box = await target.bounding_box()
    size = target.page.viewport_size
    assert box is not None
    assert size is not None
    return box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
