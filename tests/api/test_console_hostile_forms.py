"""Every console form, posted with hostile input (NUL, \\x01, 10,000 characters, impossible or
out-of-range dates): never a 5xx, never plain text; a refusal is a page with the reason in Chinese
beside the field (or above the form). Driven over HTTP against the real app on both stores."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi.routing import APIRoute, _IncludedRouter

from activities.identity import passwords
from activities.runtime.settings import Settings
from api.app import create_app
from api.console import forms
from api.console.pages_accountability import accountability_fields
from api.console.pages_receptions import case_fields, reception_fields
from api.console.pages_watched import watched_fields
from tests.api.helpers import create_case
from tests.api.test_accountability_api import summon_body
from tests.conftest import Stack
from tests.principals import USERS
from tests.samples import china_today

BASE = "http://fengqiao.test"
PASSWORD = "Fengqiao-2026!"
HOSTILE_TEXT = {"nul": "甲\x00乙", "soh": "甲\x01乙", "long": "长" * 10_001}
HOSTILE_DAYS = {"nul": "2026-03-0\x00", "soh": "1900-06-01", "long": "2026-13-45"}
CASE = "{case}"  # filled with a case registered for the test
RECEPTION = "{reception}"  # filled with a reception the town leader recorded (领导接访)


@dataclass(frozen=True)
class Form:
    """One console POST route: who posts it, where, its fields (name → text or date)."""

    route: str  # the route's template, as the app declares it
    url: str
    user: str
    fields: dict[str, str]
    refuses: bool = True  # every field hostile: a refusal is expected (not a sign-out)
    fixed: tuple[tuple[str, str], ...] = ()  # fields sent as a browser would (a chosen view)


def _kinds(specs: list[forms.Field]) -> dict[str, str]:
    return {f.name: "date" if f.kind == "date" else "text" for f in specs if f.kind != "checkbox"}


_ACT = "/cases/{case_id}/act/{path:path}"
_ACCOUNT = {"current": "text", "password": "text", "again": "text"}
FORMS: list[Form] = [
    Form("/signin", "/signin", "anonymous", {"user_id": "text", "password": "text"}),
    Form("/signout", "/signout", "mediator", {}, refuses=False),
    # The routing check answers a fragment for the place and category chosen; the form's text
    # is checked when it is submitted (the next entry).
    Form(
        "/cases/new/check",
        "/cases/new/check",
        "mediator",
        _kinds(forms.INTAKE_FIELDS),
        refuses=False,
    ),
    Form("/cases/new", "/cases/new", "mediator", _kinds(forms.INTAKE_FIELDS)),
    Form("/cases/{case_id}/reveal", f"/cases/{CASE}/reveal", "mediator", {"reason": "text"}),
    *[
        Form(_ACT, f"/cases/{CASE}/act/{path}", "mediator", _kinds(specs))
        for path, specs in forms.ACTION_FIELDS.items()
    ],
    # 文书 and 证据材料: hostile values must not give a 5xx (a kind or step that does not exist is
    # refused on the case page; an upload that is not multipart is refused before anything).
    Form(
        "/cases/{case_id}/documents",
        f"/cases/{CASE}/documents",
        "mediator",
        {"kind": "text", "subject": "text"},
        refuses=False,
    ),
    Form(
        "/cases/{case_id}/attachments",
        f"/cases/{CASE}/attachments",
        "mediator",
        {"step": "text", "name": "text", "signer": "text"},
        refuses=False,
    ),
    Form("/reports", "/reports", "grid_worker", _kinds(forms.GRID_REPORT_FIELDS)),
    Form("/receptions", "/receptions", "town_leader", _kinds(reception_fields([]))),
    Form("/accountability", "/accountability", "town_leader", _kinds(accountability_fields([]))),
    Form("/watched", "/watched", "town_leader", _kinds(watched_fields({}, {}, []))),
    Form(
        "/receptions/{reception_id}/cases",
        f"/receptions/{RECEPTION}/cases",
        "town_leader",
        _kinds(case_fields([], [])),
    ),
    # 排查: a report to a duty that does not exist is a 404 page, never a 5xx.
    Form(
        "/screening/{duty_id}/report",
        "/screening/SD-probe/report",
        "mediator",
        {"kind": "text", "note": "text", "case_ids": "text"},
        refuses=False,
    ),
    Form(
        "/screening/sweeps",
        "/screening/sweeps",
        "county_leader",
        {"area": "text", "theme": "text", "starts_on": "date", "ends_on": "date"},
    ),
    Form("/reports/monthly", "/reports/monthly", "town_leader", {"month": "text"}),
    # 台账导入 is a file upload: a form that is not multipart is refused before anything.
    Form("/ledger/imports", "/ledger/imports", "mediator", {"file": "text"}, refuses=False),
    Form("/alerts/{alert_id}/ack", f"/alerts/{CASE}-A1/ack", "county_leader", {"note": "text"}),
    Form(
        "/audit/cases/{case_id}",
        f"/audit/cases/{CASE}",
        "auditor",
        {"purpose": "text", "as_of": "date"},
        fixed=(("view", "verify"),),
    ),
    Form(
        "/admin/users",
        "/admin/users",
        "security_admin",
        {"user_id": "text", "display_name": "text", "jurisdiction": "text", "center_id": "text"},
    ),
    Form(
        "/admin/users/{user_id}/{what}",
        "/admin/users/zhaolei/unlock",
        "security_admin",
        {"password": "text"},
        refuses=False,  # no field is read: an unlock is done
    ),
    Form(
        "/admin/requests/{request_id}/{what}",
        "/admin/requests/R0000000000000000/refuse",
        "security_admin",
        {"reason": "text"},
    ),
    Form(
        "/admin/schedules/{schedule_id}/{what}",
        "/admin/schedules/probe/pause",
        "system_admin",
        {"note": "text"},
        refuses=False,  # no such schedule: a page says so
    ),
    Form("/account/password", "/account/password", "other_auditor", _ACCOUNT),
    # Issues the signed-in user's own key: no field is read.
    Form("/account/key", "/account/key", "other_security_admin", {}, refuses=False),
    # A link token as no link was ever issued (a NUL in it reached the store: a 503).
    Form("/welcome/{token}", "/welcome/%00probe", "anonymous", _ACCOUNT, refuses=False),
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
            token = await _form_token(client, "")
            assert token, f"no form token on {name}'s home page"
        opened[name] = (client, token)
    yield opened
    for client, _ in opened.values():
        await client.aclose()


@pytest.fixture(scope="module")
async def case_id(api: httpx.AsyncClient) -> str:
    found: str = (await create_case(api))["case_id"]
    return found


@pytest.fixture(scope="module")
async def reception_id(clients: dict[str, httpx.AsyncClient]) -> str:
    body = {
        "received_on": "2026-03-02",
        "place": "接待室",
        "organisation": "xw-center",
        "visitors": [{"name": "张伟"}],
    }
    response = await clients["town_leader"].post("/v1/receptions", json=body)
    assert response.status_code == 201, response.text
    found: str = response.json()["reception_id"]
    return found


async def _form_token(client: httpx.AsyncClient, fallback: str) -> str:
    page = await client.get("/", follow_redirects=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    return found.group(1) if found else fallback


_REFUSAL = re.compile(r'class="(?:field-error|error-text)"[^>]*>([^<]*[\u4e00-\u9fff][^<]*)<')


@pytest.mark.parametrize("hostile", list(HOSTILE_TEXT), ids=list(HOSTILE_TEXT))
@pytest.mark.parametrize("form", FORMS, ids=[f.url.replace(CASE, "CASE") for f in FORMS])
async def test_hostile_input_is_refused_in_chinese_never_with_a_500(
    sessions: dict[str, tuple[httpx.AsyncClient, str]],
    case_id: str,
    reception_id: str,
    form: Form,
    hostile: str,
) -> None:
    client, token = sessions[form.user]
    if form.user == "anonymous":  # the sign-in form's own token, fresh for each attempt
        token = _token((await client.get("/signin")).text)
    else:
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
        form.url.replace(CASE, case_id).replace(RECEPTION, reception_id),
        data={"csrf_token": token, **dict(form.fixed), **data},
        headers={"Origin": BASE},
    )
    assert response.status_code < 500, response.text[:500]
    assert response.status_code != 403, response.text[-1500:]  # the form reached its handler
    if response.status_code in (301, 302, 303):
        assert not form.refuses, f"{form.url} accepted {hostile!r} input"
        return
    assert response.headers["content-type"].startswith("text/html"), response.text[:200]
    if form.refuses:
        assert _REFUSAL.search(response.text), response.text[-3000:]


async def _post(
    sessions: dict[str, tuple[httpx.AsyncClient, str]], user: str, url: str, data: dict[str, str]
) -> httpx.Response:
    client, token = sessions[user]
    token = await _form_token(client, token)
    return await client.post(url, data={"csrf_token": token, **data}, headers={"Origin": BASE})


async def test_a_control_character_in_an_alert_note_is_refused_beside_the_note(
    sessions: dict[str, tuple[httpx.AsyncClient, str]],
    api: httpx.AsyncClient,
    clients: dict[str, httpx.AsyncClient],
) -> None:
    case = await create_case(api, risk_level="major")  # 重大矛盾纠纷直报: an alert at once
    listed = await clients["county_leader"].get("/v1/alerts", params={"case_id": case["case_id"]})
    alert_id = listed.json()["items"][0]["alert_id"]
    response = await _post(
        sessions, "county_leader", f"/alerts/{alert_id}/ack", {"note": "已阅\x01"}
    )
    assert response.status_code == 422, response.text[:300]
    assert f'id="note-error-{alert_id}"' in response.text
    assert "签收意见含有控制字符" in response.text
    still = await clients["county_leader"].get(f"/v1/alerts/{alert_id}")
    assert still.json()["status"] == "open"


async def test_a_display_name_longer_than_the_column_is_refused_beside_the_field(
    sessions: dict[str, tuple[httpx.AsyncClient, str]],
) -> None:
    user_id = f"long-{uuid.uuid4().hex[:8]}"
    response = await _post(
        sessions,
        "security_admin",
        "/admin/users",
        {
            "user_id": user_id,
            "display_name": "名" * 101,
            "role": "mediator",
            "jurisdiction": "320102",
            "center_id": "xw-center",
        },
    )
    assert response.status_code == 422, response.text[:300]
    assert "过长：最多 100 字" in response.text
    listed = await _post(sessions, "security_admin", "/admin/users", {})
    assert user_id not in listed.text


async def _form_page(client: httpx.AsyncClient, path: str) -> tuple[str, str, str]:
    """The page, its form token and the idempotency key its form carries (one per rendering)."""
    page = (await client.get(path)).text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key is not None, f"the form on {path} carries its idempotency key"
    return page, _token(page), key.group(1)


async def _sent_twice(client: httpx.AsyncClient, path: str, form: dict[str, str]) -> None:
    """A double click, or the browser sending the form again: both answered with the redirect."""
    for _ in range(2):
        sent = await client.post(path, data=form, headers={"Origin": BASE})
        assert sent.status_code == 303, sent.text[-1500:]


async def test_a_sweep_form_sent_twice_launches_one_sweep(
    sessions: dict[str, tuple[httpx.AsyncClient, str]], clients: dict[str, httpx.AsyncClient]
) -> None:
    client, _ = sessions["county_leader"]
    _, token, key = await _form_page(client, "/screening")
    theme = f"双击部署的专项排查{key[:8]}"
    today = china_today()
    form = {
        "csrf_token": token,
        "idempotency_key": key,
        "area": "320102001",
        "theme": theme,
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=4)),
    }
    await _sent_twice(client, "/screening/sweeps", form)
    listing = await clients["county_leader"].get("/v1/screening/duties")
    swept = [d for d in listing.json()["items"] if d["theme"] == theme]
    assert swept
    assert len({d["source"] for d in swept}) == 1  # one sweep
    assert len({d["org_id"] for d in swept}) == len(swept)  # one duty per unit
    # The old page sent again with another theme (the back button): refused, nothing launched.
    changed = {**form, "theme": f"{theme}改"}
    refused = await client.post("/screening/sweeps", data=changed, headers={"Origin": BASE})
    assert refused.status_code == 422
    assert "Idempotency-Key 已用于另一请求" in (_REFUSAL.search(refused.text) or [""])[0]
    listing = await clients["county_leader"].get("/v1/screening/duties")
    assert not [d for d in listing.json()["items"] if d["theme"] == f"{theme}改"]
    # The next rendering carries a key of its own: a new launch is a new sweep.
    again = (await client.get("/screening")).text
    assert f'value="{key}"' not in again


async def test_an_accountability_form_sent_twice_records_once(
    sessions: dict[str, tuple[httpx.AsyncClient, str]], clients: dict[str, httpx.AsyncClient]
) -> None:
    client, _ = sessions["town_leader"]
    _, token, key = await _form_page(client, "/accountability")
    facts = f"双击提交的约谈{key[:8]}"
    form = {
        "csrf_token": token,
        "idempotency_key": key,
        **summon_body(period_from="2026-01-01", period_to="2026-02-28", facts=facts),
    }
    await _sent_twice(client, "/accountability", form)
    listed = await clients["town_leader"].get("/v1/accountability", params={"limit": "200"})
    assert [i["facts"] for i in listed.json()["items"]].count(facts) == 1


async def test_a_reception_form_sent_twice_records_once(
    sessions: dict[str, tuple[httpx.AsyncClient, str]], clients: dict[str, httpx.AsyncClient]
) -> None:
    client, _ = sessions["town_leader"]
    _, token, key = await _form_page(client, "/receptions")
    place = f"双击提交的接访{key[:8]}"
    form = {
        "csrf_token": token,
        "idempotency_key": key,
        "received_on": "2026-03-02",
        "place": place,
        "organisation": "xw-center",
        "visitors.0.name": "张伟",
    }
    await _sent_twice(client, "/receptions", form)
    log = await clients["town_leader"].get("/v1/receptions", params={"limit": "200"})
    assert [r["place"] for r in log.json()["items"]].count(place) == 1
