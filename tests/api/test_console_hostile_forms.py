"""Every console form, posted with hostile input (NUL, \\x01, 10,000 characters, impossible or
out-of-range dates): never a 5xx, never plain text; a refusal is a page with the reason in Chinese
beside the field (or above the form). Driven over HTTP against the real app on both stores."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import APIRoute, _IncludedRouter

from activities.identity import passwords
from activities.runtime.settings import Settings
from api.app import create_app
from api.console import forms
from tests.api.helpers import create_case
from tests.conftest import Stack
from tests.principals import USERS

BASE = "http://fengqiao.test"
PASSWORD = "Fengqiao-2026!"
HOSTILE_TEXT = {"nul": "甲\x00乙", "soh": "甲\x01乙", "long": "长" * 10_001}
HOSTILE_DAYS = {"nul": "2026-03-0\x00", "soh": "1900-06-01", "long": "2026-13-45"}
CASE = "{case}"  # filled with a case registered for the test


@dataclass(frozen=True)
class Form:
    """One console POST route: who posts it, where, its fields (name → text or date)."""

    route: str  # the route's template, as the app declares it
    url: str
    user: str
    fields: dict[str, str]
    refuses: bool = True  # every field hostile: a refusal is expected (not a sign-out)


def _kinds(specs: list[forms.Field]) -> dict[str, str]:
    return {f.name: "date" if f.kind == "date" else "text" for f in specs if f.kind != "checkbox"}


_ACT = "/cases/{case_id}/act/{path:path}"
FORMS: list[Form] = [
    Form("/signin", "/signin", "anonymous", {"user_id": "text", "password": "text"}),
    Form("/signout", "/signout", "mediator", {}, refuses=False),
    Form("/cases/new/check", "/cases/new/check", "mediator", _kinds(forms.INTAKE_FIELDS)),
    Form("/cases/new", "/cases/new", "mediator", _kinds(forms.INTAKE_FIELDS)),
    Form("/cases/{case_id}/reveal", f"/cases/{CASE}/reveal", "mediator", {"reason": "text"}),
    *[
        Form(_ACT, f"/cases/{CASE}/act/{path}", "mediator", _kinds(specs))
        for path, specs in forms.ACTION_FIELDS.items()
    ],
    Form("/reports", "/reports", "grid_worker", _kinds(forms.GRID_REPORT_FIELDS)),
    Form("/alerts/{alert_id}/ack", f"/alerts/{CASE}-A1/ack", "county_leader", {"note": "text"}),
    Form(
        "/audit/cases/{case_id}",
        f"/audit/cases/{CASE}",
        "auditor",
        {"purpose": "text", "as_of": "date"},
    ),
    Form(
        "/admin/users",
        "/admin/users",
        "system_admin",
        {"user_id": "text", "display_name": "text", "jurisdiction": "text", "center_id": "text"},
    ),
    Form(
        "/admin/users/{user_id}/{what}",
        "/admin/users/zhaolei/password",
        "system_admin",
        {"password": "text"},
    ),
    Form(
        "/admin/recipients",
        "/admin/recipients",
        "system_admin",
        {"recipient_id": "text", "display_name": "text", "url": "text", "secret": "text"},
    ),
    Form(
        "/admin/organisations",
        "/admin/organisations",
        "system_admin",
        {"org_id": "text", "name": "text", "jurisdiction_code": "text", "parent_id": "text"},
    ),
    Form(
        "/admin/organisations/{org_id}",
        "/admin/organisations/xw-center",
        "system_admin",
        {"name": "text", "jurisdiction_code": "text", "parent_id": "text"},
    ),
    # Switches on ids that do not exist: a hostile value must not switch a real one off.
    Form(
        "/admin/organisations/{org_id}/active",
        "/admin/organisations/no-such-org/active",
        "system_admin",
        {"active": "text"},
        refuses=False,
    ),
    Form(
        "/admin/organisations/{org_id}/mediators",
        "/admin/organisations/xw-center/mediators",
        "center_admin",
        {"mediator_id": "text", "name": "text"},
    ),
    Form(
        "/admin/mediators/{mediator_id}/active",
        "/admin/mediators/no-such-mediator/active",
        "system_admin",
        {"active": "text"},
        refuses=False,
    ),
]


def _console_posts() -> set[str]:
    app = create_app(Settings())
    found: set[str] = set()

    def walk(routes: list[object], prefix: str) -> None:
        for route in routes:
            if isinstance(route, _IncludedRouter):
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute) and not route.include_in_schema:
                if "POST" in route.methods:
                    found.add(prefix + route.path)

    walk(app.router.routes, "")
    return found


def test_every_console_form_is_driven() -> None:
    assert _console_posts() == {form.route for form in FORMS}


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


@pytest.fixture(scope="module")
async def sessions(
    stack: Stack, app_transport: httpx.ASGITransport
) -> AsyncIterator[dict[str, tuple[httpx.AsyncClient, str]]]:
    """A signed-in console session per user (name → client, form token)."""
    names = sorted({form.user for form in FORMS} - {"anonymous"})
    async with stack.sessionmaker.begin() as session:
        for name in names:
            await passwords.set_password(USERS[name].user_id, PASSWORD, session=session)
    opened: dict[str, tuple[httpx.AsyncClient, str]] = {}
    for name in [*names, "anonymous"]:
        client = httpx.AsyncClient(transport=app_transport, base_url=BASE)
        token = _token((await client.get("/signin")).text)
        if name != "anonymous":
            signed = await client.post(
                "/signin",
                data={"csrf_token": token, "user_id": USERS[name].user_id, "password": PASSWORD},
                headers={"Origin": BASE},
            )
            assert signed.status_code == 303, signed.text
            token = _token((await client.get("/signin?next=/")).text) if False else token
        opened[name] = (client, token)
    yield opened
    for client, _ in opened.values():
        await client.aclose()


@pytest.fixture(scope="module")
async def case_id(api: httpx.AsyncClient) -> str:
    found: str = (await create_case(api))["case_id"]
    return found


async def _form_token(client: httpx.AsyncClient, fallback: str) -> str:
    page = await client.get("/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    return found.group(1) if found else fallback


_REFUSAL = re.compile(r'class="(?:field-error|error-text)"[^>]*>([^<]*[\u4e00-\u9fff][^<]*)<')


@pytest.mark.parametrize("hostile", list(HOSTILE_TEXT), ids=list(HOSTILE_TEXT))
@pytest.mark.parametrize("form", FORMS, ids=[f.url.replace(CASE, "CASE") for f in FORMS])
async def test_hostile_input_is_refused_in_chinese_never_with_a_500(
    sessions: dict[str, tuple[httpx.AsyncClient, str]], case_id: str, form: Form, hostile: str
) -> None:
    client, token = sessions[form.user]
    if form.user != "anonymous":
        token = await _form_token(client, token)
    data = {
        name: HOSTILE_DAYS[hostile] if kind == "date" else HOSTILE_TEXT[hostile]
        for name, kind in form.fields.items()
    }
    if form.route == "/signout":
        # Signing out ends the session the other forms use: sign out another session.
        client = httpx.AsyncClient(transport=client._transport, base_url=BASE)  # noqa: SLF001
        token = _token((await client.get("/signin")).text)
    response = await client.post(
        form.url.replace(CASE, case_id),
        data={"csrf_token": token, **data},
        headers={"Origin": BASE},
    )
    assert response.status_code < 500, response.text[:500]
    if response.status_code in (301, 302, 303):
        assert not form.refuses, f"{form.url} accepted {hostile!r} input"
        return
    assert response.headers["content-type"].startswith("text/html"), response.text[:200]
    if form.refuses:
        assert _REFUSAL.search(response.text), response.text[-3000:]
