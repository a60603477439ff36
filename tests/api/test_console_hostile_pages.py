"""Every console page (GET), each of its query and path parameters in turn set to a hostile value
(NUL, BEL, 10,000 characters, a script tag, SQL, a path walk, a huge integer, -1, an ID number, a
phone, a BOM with a right-to-left override, nothing): never a 5xx; a refusal is a 4xx (a 403 only
where noted); the script never comes back unescaped; the clear ID number and the clear phone never
come back (masked, they may). Driven over HTTP against the real app on both stores, each page as a
user whose role may open it (checked first: each page opens for its user).

The pages and their parameters are read from the app (``route.dependant``); the case list, its
two exports and the agenda read some of theirs from ``request.query_params`` by hand, and those
are swept too (``Page.by_hand``). A page without any parameter gets the hostile value under a
stray name. Where a 403 is the answer to a value (not to the role), ``MAY_FORBID`` says why.

Skipped or not fully reached:

- ``/static/fonts/cjk.ttf`` (and the ``/static`` mount): static files, no parameter.
- ``/reports/monthly/{report_id}/{kind}``: the test stack runs no report worker, so no monthly
  report exists; swept with an unknown report number (a 404 page), never reaching a file.
- ``/welcome/{token}``: swept with a token never issued (issuing one takes two administrators);
  the page answers 410.
- ``/signin/oidc`` and ``/signin/oidc/callback``: no identity provider is configured here, so
  they answer 404 before any exchange with a provider.
- ``/metrics``: not a console page (no metrics token here: a 404), swept with a stray name.

A number typed into a field comes back only in that field's value and in the links that keep the
query (``_ATTRIBUTES``). Bugs the sweep finds go in ``KNOWN_BUGS`` as strict expected failures
(none is open).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, _IncludedRouter

from activities.identity import passwords
from activities.runtime.settings import Settings
from api.app import create_app
from tests import files as samples
from tests.api.helpers import create_case
from tests.api.test_receptions_api import reception_body
from tests.api.test_watched_api import fresh_id, person_body
from tests.conftest import Stack
from tests.ledger_files import ledger_file
from tests.principals import USERS
from tests.samples import china_today

BASE = "http://fengqiao.test"
PASSWORD = "Fengqiao-2026!"
SCRIPT = "<script>alert(1)</script>"
ID_NUMBER = "110101199003074514"
PHONE = "13912345678"
HOSTILE: dict[str, str] = {
    "nul": "\x00",
    "bel": "\x07",
    # 10,000 characters, a quarter of them CJK (10,000 CJK characters, percent-encoded, would
    # pass httpx's limit of 65,536 characters to a URL).
    "long": "长" * 2_500 + "x" * 7_500,
    "script": SCRIPT,
    "sql": "'; DROP TABLE cases; --",
    "walk": "../../etc/passwd",
    "huge": "99999999999999999999",
    "minus": "-1",
    "id_number": ID_NUMBER,
    "phone": PHONE,
    "bidi": "\ufeff\u202e",
    "empty": "",
}
STRAY = "stray"  # the name a hostile value is sent under to a page without parameters

# (route, parameter) where a 403 is the answer to a hostile value although the user may open the
# page: a place code the leader does not cover is refused as out of reach ("所选区域不在您的辖区
# 内"). Every page has a user whose role may open it.
MAY_FORBID: set[tuple[str, str]] = {
    ("/indicators", "jurisdiction"),
    ("/indicators/{indicator_id}/cases", "jurisdiction"),
}

# Bugs the sweep found, (route, parameter, hostile value's name, backends): those cases are
# expected to fail (strictly) on those backends until the app is fixed. None is open.
PG, BOTH = ("postgresql",), ("postgresql", "sqlite")
KNOWN_BUGS: set[tuple[str, str, str, tuple[str, ...]]] = set()

# A value typed (a search, a filter, a purpose) is shown back in the field it was typed into and
# kept in the links that repeat the query (export, next page): the same as the address the user
# typed. Anywhere else in the page (a message, a table) a number is masked.
_ATTRIBUTES = re.compile(rb'\b(?:value|href)="[^"]*"')

# Placeholders for what the module registers first (``targets``).
CASE, ATTACHMENT, DOCUMENT, IMPORT = "{case}", "{attachment}", "{document}", "{import}"
RECEPTION, WATCHED, INDICATOR, MONTH = "{reception}", "{watched}", "{indicator}", "{month}"

# The list's filters (``pages_case_list.chosen``), read from request.query_params by hand.
LIST_FILTERS = (
    *("q", "stage", "kind", "category", "package_leader", "holder"),
    *("town", "village", "jurisdiction", "holding", "sort", "listed", "backlog"),
)


@dataclass(frozen=True)
class Page:
    """One console GET route: who opens it, its path parameters' good values, what it needs."""

    route: str  # the route's template, as the app declares it
    user: str  # a tests.principals.USERS name whose role may open it, or "anonymous"
    path: dict[str, str] = field(default_factory=dict)  # name → value (or a placeholder)
    query: dict[str, str] = field(default_factory=dict)  # sent every time (a required one)
    by_hand: tuple[str, ...] = ()  # query parameters the handler reads without declaring them
    opens: int = 200  # the answer with nothing hostile


PAGES: list[Page] = [
    Page("/metrics", "anonymous", opens=404),  # no metrics token configured: no /metrics
    Page("/signin", "anonymous"),
    Page("/signin/oidc", "anonymous", opens=404),
    Page("/signin/oidc/callback", "anonymous", opens=404),
    Page("/welcome/{token}", "anonymous", {"token": "never-issued-token"}, opens=410),
    Page("/", "mediator", opens=303),  # to the role's own start page
    Page("/worklist", "mediator"),
    Page("/sessions", "mediator", by_hand=("from",)),
    Page("/screening", "mediator"),
    Page("/cases/new", "mediator"),
    Page("/cases", "mediator", by_hand=LIST_FILTERS),
    Page("/cases/export", "mediator", by_hand=LIST_FILTERS),
    Page("/notices.json", "mediator"),
    Page("/ledger", "mediator"),
    Page("/ledger/export", "mediator", by_hand=LIST_FILTERS),
    Page("/ledger/imports/{import_id}", "mediator", {"import_id": IMPORT}),
    Page("/ledger/imports/{import_id}/progress", "mediator", {"import_id": IMPORT}),
    Page("/ledger/imports/{import_id}/rejected", "mediator", {"import_id": IMPORT}),
    Page("/cases/{case_id}", "mediator", {"case_id": CASE}),
    Page(
        "/cases/{case_id}/attachments/{attachment_id}",
        "mediator",
        {"case_id": CASE, "attachment_id": ATTACHMENT},
    ),
    Page(
        "/cases/{case_id}/documents/{key}/{format}",
        "mediator",
        {"case_id": CASE, "key": DOCUMENT, "format": "docx"},
    ),
    Page("/account/password", "mediator"),
    Page("/account/key", "mediator"),
    Page("/reports", "grid_worker"),
    Page("/alerts", "county_leader"),
    Page("/leader", "county_leader"),
    Page("/indicators", "county_leader"),
    Page(
        "/indicators/{indicator_id}/cases",
        "county_leader",
        {"indicator_id": INDICATOR},
        query={"period": MONTH},
    ),
    Page("/reports/monthly", "county_leader"),
    Page(
        "/reports/monthly/{report_id}/{kind}",
        "county_leader",
        {"report_id": "MR-no-such-report", "kind": "xlsx"},
        opens=404,
    ),
    Page("/receptions", "town_leader"),
    Page("/receptions/{reception_id}", "town_leader", {"reception_id": RECEPTION}),
    Page("/accountability", "town_leader"),
    Page("/watched", "town_leader"),
    Page("/watched/{watched_id}", "town_leader", {"watched_id": WATCHED}),
    Page("/audit", "auditor"),
    Page("/audit/cases/{case_id}", "auditor", {"case_id": CASE}),
    Page("/audit/trail", "auditor"),
    Page("/audit/admin-trail", "auditor"),
    Page("/audit/accountability", "auditor"),
    Page("/audit/watched", "auditor"),
    Page("/audit/receptions", "auditor"),
    Page("/audit/receptions/{reception_id}", "auditor", {"reception_id": RECEPTION}),
    Page("/admin/users", "security_admin"),
    Page("/admin/requests", "security_admin"),
    Page("/admin/recipients", "system_admin"),
    Page("/admin/schedules", "system_admin"),
    Page("/admin/organisations", "system_admin"),
    Page("/admin/organisations/{org_id}", "system_admin", {"org_id": "xw-center"}),
]
SKIPPED = {"/static/fonts/cjk.ttf": "a static font file"}


def _names(dependant: Dependant, kind: str) -> list[str]:
    """The parameters of ``kind`` (``query_params``, ``path_params``) of a route, its
    dependencies' included, in order."""
    found = [param.alias for param in getattr(dependant, kind)]
    for sub in dependant.dependencies:
        found += [name for name in _names(sub, kind) if name not in found]
    return found


def _console_gets() -> dict[str, tuple[list[str], list[str]]]:
    """Every GET route left out of the schema: template → (path parameters, query parameters)."""
    app = create_app(Settings())
    found: dict[str, tuple[list[str], list[str]]] = {}

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, _IncludedRouter):
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute) and not route.include_in_schema:
                if "GET" in (route.methods or set()):
                    found[prefix + route.path] = (
                        _names(route.dependant, "path_params"),
                        _names(route.dependant, "query_params"),
                    )

    walk(app.router.routes, "")
    return found


GETS = _console_gets()


@dataclass(frozen=True)
class Probe:
    """One request: a page, the parameter made hostile (``path`` or ``query``), the value."""

    page: Page
    where: str
    name: str
    value: str  # a key of HOSTILE

    @property
    def id(self) -> str:
        mark = "@" if self.where == "path" else "?"
        return f"{self.page.route}{mark}{self.name}={self.value}"


def _probes() -> list[Probe]:
    probes: list[Probe] = []
    for page in PAGES:
        if page.route not in GETS:
            continue  # test_every_console_page_is_swept names it
        path_names, query_names = GETS[page.route]
        query = [*query_names, *(n for n in page.by_hand if n not in query_names)]
        params = [("path", n) for n in path_names] + [("query", n) for n in query]
        for where, name in params or [("query", STRAY)]:
            probes += [Probe(page, where, name, value) for value in HOSTILE]
    return probes


PROBES = _probes()


def test_every_console_page_is_swept() -> None:
    assert set(GETS) == {page.route for page in PAGES} | set(SKIPPED)
    for page in PAGES:
        assert set(page.path) == set(GETS[page.route][0]), page.route


@pytest.fixture(scope="module")
async def sessions(
    stack: Stack, app_transport: httpx.ASGITransport
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A signed-in console session per user the pages name, and an anonymous browser."""
    names = sorted({page.user for page in PAGES} - {"anonymous"})
    async with stack.sessionmaker.begin() as session:
        for name in names:
            await passwords.set_password(USERS[name].user_id, PASSWORD, session=session)
    opened: dict[str, httpx.AsyncClient] = {}
    for name in [*names, "anonymous"]:
        client = httpx.AsyncClient(transport=app_transport, base_url=BASE)
        opened[name] = client
        if name == "anonymous":
            continue
        form = (await client.get("/signin")).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        signed = await client.post(
            "/signin",
            data={
                "csrf_token": token.group(1),
                "user_id": USERS[name].user_id,
                "password": PASSWORD,
            },
            headers={"Origin": BASE},
        )
        assert signed.status_code == 303, signed.text
        home = await client.get("/", follow_redirects=True)  # to the role's own start page
        assert home.status_code == 200, f"{name}: {home.status_code} {home.url}"
        assert home.url.path not in ("/signin", "/account/password"), f"{name}: {home.url}"
    yield opened
    for client in opened.values():
        await client.aclose()


async def _finished_import(api: httpx.AsyncClient) -> str:
    """A small ledger of the mediator's center, imported and finished (its rejected rows too)."""
    ledger = ledger_file(3, 1, seed=uuid.uuid4().int % 1_000_000)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    started = await api.post("/v1/ledger/imports", files={"file": ("台账.xlsx", ledger.data, xlsx)})
    assert started.status_code in (200, 202), started.text
    import_id: str = started.json()["import_id"]
    async with asyncio.timeout(60):
        while (await api.get(f"/v1/ledger/imports/{import_id}")).json()["status"] != "finished":
            await asyncio.sleep(0.2)
    return import_id


@pytest.fixture(scope="module")
async def targets(api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient]) -> dict[str, str]:
    """What the pages' path parameters name: a case of 王芳's with a file and a document, a ledger
    import of her center, a reception and a watched person of 刘强's town, an indicator."""
    case_id: str = (await create_case(api))["case_id"]
    attached = await api.post(
        f"/v1/cases/{case_id}/attachments",
        files={"file": ("现场.png", samples.png(), "image/png")},
        data={"step": "agreement"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert attached.status_code == 201, attached.text
    issued = await api.post(
        f"/v1/cases/{case_id}/documents",
        json={"kind": "application"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert issued.status_code == 201, issued.text
    leader = clients["town_leader"]
    reception = await leader.post(
        "/v1/receptions", json=reception_body(visitors=[{"name": "张伟"}])
    )
    assert reception.status_code == 201, reception.text
    person = await leader.post("/v1/watched", json=person_body(fresh_id(), note="多次越级上访"))
    assert person.status_code == 201, person.text
    month = f"{china_today():%Y-%m}"
    board = await clients["county_leader"].get("/v1/indicators", params={"period": month})
    indicator = re.search(r'"indicator_id":\s*"([a-z_]+)"', board.text)
    assert indicator is not None, board.text[:500]
    return {
        CASE: case_id,
        ATTACHMENT: attached.json()["attachment_id"],
        DOCUMENT: issued.json()["key"],
        IMPORT: await _finished_import(api),
        RECEPTION: reception.json()["reception_id"],
        WATCHED: person.json()["watched_id"],
        INDICATOR: indicator.group(1),
        MONTH: month,
    }


def _filled(value: str, targets: dict[str, str]) -> str:
    return targets.get(value, value)


def _request(
    page: Page, targets: dict[str, str], hostile: tuple[str, str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """The URL and query of ``page`` with its good values, one of them hostile if asked."""
    path_values = {name: _filled(value, targets) for name, value in page.path.items()}
    query = {name: _filled(value, targets) for name, value in page.query.items()}
    if hostile is not None:
        where, name, value = hostile
        (path_values if where == "path" else query)[name] = value
    url = page.route
    for name, value in path_values.items():
        url = url.replace(f"{{{name}}}", quote(value, safe=""))
    return url, query


@pytest.mark.parametrize("page", PAGES, ids=[page.route for page in PAGES])
async def test_each_page_opens_for_its_user(
    sessions: dict[str, httpx.AsyncClient], targets: dict[str, str], page: Page
) -> None:
    """The sweep below reaches the pages themselves: each opens for its user."""
    url, query = _request(page, targets)
    response = await sessions[page.user].get(url, params=query)
    assert response.status_code == page.opens, response.text[-1500:]


def _known_bug(probe: Probe, backend: str) -> bool:
    return any(
        (route, name, value) == (probe.page.route, probe.name, probe.value) and backend in on
        for route, name, value, on in KNOWN_BUGS
    )


@pytest.mark.parametrize("probe", PROBES, ids=[probe.id for probe in PROBES])
async def test_a_hostile_parameter_is_answered_safely(
    request: pytest.FixtureRequest,
    stack: Stack,
    sessions: dict[str, httpx.AsyncClient],
    targets: dict[str, str],
    probe: Probe,
) -> None:
    if _known_bug(probe, stack.backend):
        request.applymarker(pytest.mark.xfail(strict=True, reason="a known bug: KNOWN_BUGS"))
    url, query = _request(probe.page, targets, (probe.where, probe.name, HOSTILE[probe.value]))
    response = await sessions[probe.page.user].get(url, params=query)
    status = response.status_code
    said = _said(response)
    assert status < 500, f"{status}: {said}"
    if status == 403:
        assert (probe.page.route, probe.name) in MAY_FORBID, f"403: {said}"
    body = response.content
    assert SCRIPT.encode() not in body, f"{status}: the script unescaped: {_around(body, SCRIPT)}"
    text = _ATTRIBUTES.sub(b"", body)
    for clear, what in ((ID_NUMBER, "the ID number"), (PHONE, "the phone")):
        assert clear.encode() not in text, f"{status}: {what} in clear: {_around(text, clear)}"
    location = response.headers.get("location", "")
    for clear in (SCRIPT, ID_NUMBER, PHONE):
        assert clear not in location, f"a redirect carries {clear!r}: {location[:300]}"


def _said(response: httpx.Response) -> str:
    """What a page answered, shortly: its error message if it is an error page."""
    found = re.search(r'<p class="error-text">(.*?)</p>', response.text, re.S)
    return " ".join((found.group(1) if found else response.text[-600:]).split())


def _around(body: bytes, clear: str) -> str:
    """The text around the first place ``clear`` occurs in ``body``."""
    at = body.find(clear.encode())
    shown = body[max(0, at - 200) : at + len(clear.encode()) + 80].decode("utf-8", "replace")
    return " ".join(shown.split())


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"stage": "\x00"}, "阶段应从列表中选择"),
        ({"kind": "petition'--"}, "类型应从列表中选择"),
        ({"category": "家庭"}, "纠纷类别应从列表中选择"),
        ({"q": "宅基地\x00"}, "查询条件含有控制字符"),
        ({"package_leader": "周\x07军"}, "查询条件含有控制字符"),
    ],
)
async def test_a_filter_not_chosen_from_the_list_is_named_and_the_list_still_shows(
    sessions: dict[str, httpx.AsyncClient], query: dict[str, str], said: str
) -> None:
    """A case list asked for with a value the page never offers says which filter was wrong and
    lists the cases without it (the export refuses with the same words)."""
    listed = await sessions["mediator"].get("/cases", params=query)
    assert listed.status_code == 200
    assert said in listed.text
    assert '<table class="list cases">' in listed.text
    exported = await sessions["mediator"].get("/cases/export", params={**query, "format": "csv"})
    assert exported.status_code == 400
    assert said in exported.text
