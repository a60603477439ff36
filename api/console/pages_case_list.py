"""案件列表 and 我的在办: filters chosen by name (places and organisations from the registry,
plain selects; a town narrows the villages on the next GET), the next deadline and whose it is,
the holder, the parties, sorting by deadline, the export of the list shown (CSV or Excel), and
the notice counts the menu shows (``/notices.json``, polled by the static script).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from api.console.pages_cases import case_link
from api.console.session import ConsoleRoute, ConsoleUser, PageError, SignedIn, require
from api.console.templating import render
from api.deps import SessionmakerDep, SettingsDep
from api.errors import ApiError
from api.services import case_export, cases, notices, registry
from api.services.behind import BehindCase, behind_in_area
from api.services.cases import Holding
from api.services.worklist import WORKLIST_ROLES
from domain.case.labels import CASE_KIND_LABELS, CATEGORY_LABELS, STAGE_LABELS
from domain.people.access import Permission
from domain.text import CONTROL_CHARS_ZH, ONE_LINE

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Lister = Annotated[ConsoleUser, Depends(require(Permission.LIST_CASES))]

_TEXT = ("q", "stage", "kind", "category", "package_leader", "holder")
_PLACES = ("town", "village", "jurisdiction")
_ORG_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# The selects' values: anything else was not chosen from the page.
_CHOICES = {
    "stage": ({stage.value for stage in STAGE_LABELS}, "阶段"),
    "kind": ({kind.value for kind in CASE_KIND_LABELS}, "类型"),
    "category": ({category.value for category in CATEGORY_LABELS}, "纠纷类别"),
}
_SORTS = {"registered": "登记时间", "deadline": "下一期限"}
HOLDING_TITLES = {Holding.MINE: "我承办的", Holding.ORGANISATION: "本单位在办"}


def _options(table: dict[Any, str]) -> list[tuple[str, str]]:
    return [(key.value, text) for key, text in table.items()]


@dataclass(frozen=True)
class Chosen:
    """What the list's form asked for, checked: the raw values to show again, the filter the
    service takes, and a refusal worded for the page."""

    raw: dict[str, str | None]
    filters: dict[str, str | None]
    holding: Holding | None
    by_deadline: bool
    backlog: bool
    error: str


def chosen(request: Request) -> Chosen:
    params = request.query_params
    raw = {name: (params.get(name) or "").strip() or None for name in (*_TEXT, *_PLACES)}
    holding = {h.value: h for h in Holding}.get(params.get("holding") or "")
    by_deadline = params.get("sort") == "deadline" or holding is not None
    error = ""
    town, village = raw["town"], raw["village"]
    if town is not None and not re.fullmatch(r"\d{6}|\d{9}", town):
        error, town = "请从列表中选择乡镇（街道）", None
    if village is not None and not (re.fullmatch(r"\d{12}", village) and village[:9] == town):
        village = None  # a village of another town (the town was changed): the town alone
    place = village or town or raw["jurisdiction"]
    if place is not None and not re.fullmatch(r"\d{6}(\d{3}(\d{3})?)?", place):
        error, place = "属地应从列表中选择", None
    holder = raw["holder"]
    if holder is not None and not _ORG_ID.fullmatch(holder):
        error, holder = "承办单位应从列表中选择", None
    for name, (allowed, label) in _CHOICES.items():
        if raw[name] is not None and raw[name] not in allowed:
            error, raw[name] = f"{label}应从列表中选择", None
    for name in ("q", "package_leader"):
        if raw[name] is not None and not re.fullmatch(ONE_LINE, raw[name] or ""):
            error, raw[name] = f"查询条件{CONTROL_CHARS_ZH}，请删除后重试", None
    if len(raw["q"] or "") > 100 or len(raw["package_leader"] or "") > 200:
        error = "查询条件过长"
    filters = {
        "stage": raw["stage"],
        "kind": raw["kind"],
        "category": raw["category"],
        "jurisdiction": place,
        "responsible_unit": None,
        "package_leader": raw["package_leader"],
        "text": None if error == "查询条件过长" else raw["q"],
        "holder": holder,
        "listed": "true" if params.get("listed") == "true" else None,  # 只看挂牌督办
    }
    backlog = params.get("backlog") == "true"
    return Chosen({**raw, "village": village}, filters, holding, by_deadline, backlog, error)


async def _pickers(
    user: ConsoleUser, town: str | None, *, sessionmaker: SessionmakerDep
) -> dict[str, Any]:
    """乡镇（街道）and the chosen town's 村（社区）in the caller's area; organisations there."""
    principal = user.principal
    area = principal.jurisdiction
    try:
        places = await registry.intake_places(principal, sessionmaker=sessionmaker)
        orgs = await registry.list_organisations(
            principal, within=area, covering=None, active=None, sessionmaker=sessionmaker
        )
    except ApiError as refused:
        if refused.status >= 500:
            raise
        places, orgs = [], []
    return {
        "towns": [(p.code, p.name) for p in places if p.level.value == "town"],
        "villages": [
            (p.code, p.name)
            for p in places
            if p.level.value == "village" and town is not None and p.code.startswith(town)
        ],
        "organisations": [(o.org_id, o.name) for o in orgs],
    }


@router.get("/cases")
async def case_list(
    request: Request,
    user: Lister,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    cursor: str | None = None,
) -> Response:
    asked = chosen(request)
    items: list[Any] = []
    next_cursor = None
    lagging: list[BehindCase] = []
    error = asked.error
    if asked.holding is Holding.ORGANISATION and user.principal.center_id is None:
        raise PageError(404, "本账号不属于任何单位，没有单位在办")
    try:
        found = await cases.list_cases(
            asked.filters,
            backlog=asked.backlog,
            holding=asked.holding,
            by_deadline=asked.by_deadline,
            cursor=cursor,
            limit=50,
            principal=user.principal,
            settings=settings,
            sessionmaker=sessionmaker,
        )
        items, next_cursor = found.items, found.next_cursor
        lagging = await behind_in_area(user.principal, sessionmaker=sessionmaker)
    except ApiError as refused:
        if refused.status >= 500:
            raise
        error = refused.body.message_zh
    kept = _kept(asked)
    return render(
        request,
        "cases.html",
        {
            "user": user,
            "items": items,
            "behind": lagging,
            "behind_ids": {case.case_id for case in lagging},
            "filters": asked.raw,
            "backlog": asked.backlog,
            "listed": bool(asked.filters.get("listed")),
            "holding": asked.holding.value if asked.holding else None,
            "holding_titles": {h.value: t for h, t in HOLDING_TITLES.items()},
            "has_organisation": user.principal.center_id is not None,
            "sort": "deadline" if asked.by_deadline else "registered",
            "sorts": list(_SORTS.items()),
            "error": error,
            "stages": _options(STAGE_LABELS),
            "kinds": _options(CASE_KIND_LABELS),
            "categories": _options(CATEGORY_LABELS),
            **await _pickers(user, asked.raw["town"], sessionmaker=sessionmaker),
            "case_link": case_link if user.may(Permission.READ_CASE) else _audit_link,
            "sort_link": f"/cases?{urlencode({**kept, 'sort': 'deadline'})}",
            "export_links": {
                **{
                    fmt: f"/cases/export?{urlencode({**kept, 'format': fmt})}"
                    for fmt in ("csv", "xlsx")
                },
                "ledger": f"/ledger/export?{urlencode(kept)}",
            },
            "next_link": f"/cases?{urlencode({**kept, 'cursor': next_cursor})}"
            if next_cursor
            else None,
            "first_link": f"/cases?{urlencode(kept)}" if cursor else None,
        },
    )


def _kept(asked: Chosen) -> dict[str, str]:
    """The query a link keeps: the filters, 积案, 我的在办 and the order."""
    kept = {k: v for k, v in asked.raw.items() if v}
    if asked.backlog:
        kept["backlog"] = "true"
    if asked.filters.get("listed"):
        kept["listed"] = "true"
    if asked.holding is not None:
        kept["holding"] = asked.holding.value
    if asked.by_deadline:
        kept["sort"] = "deadline"
    return kept


def _audit_link(case_id: str) -> str:
    return f"/audit/cases/{case_id}"


@router.get("/cases/export")
async def export_list(
    request: Request,
    user: Lister,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    format: str = "csv",
) -> Response:
    """The list shown, as a file (the same filters and reach); a refusal as a page."""
    asked = chosen(request)
    fmt = {f.value: f for f in case_export.ExportFormat}.get(format)
    if fmt is None or asked.error:
        raise PageError(400, asked.error or "导出格式应为 CSV 或 Excel（xlsx）")
    try:
        where = cases.list_filter(
            asked.filters,
            backlog=asked.backlog,
            holding=asked.holding,
            principal=user.principal,
            settings=settings,
        )
        return await case_export.export(
            where,
            by_deadline=asked.by_deadline,
            format=fmt,
            principal=user.principal,
            sessionmaker=sessionmaker,
            search_key=cases.search_key_of(user.principal, settings),
        )
    except ApiError as refused:
        if refused.status >= 500:
            raise
        raise PageError(400, refused.body.message_zh) from refused


@router.get("/notices.json")
async def notice_counts(
    request: Request, user: SignedIn, sessionmaker: SessionmakerDep
) -> Response:
    """The menu's counts (the static script polls this every minute)."""
    counts = getattr(request.state, "notices", None)
    if counts is None:
        counts = await notices.notices(user.principal, sessionmaker=sessionmaker)
    return JSONResponse(
        counts.model_dump() if user.principal.role in WORKLIST_ROLES else {},
        headers={"Cache-Control": "no-store"},
    )
