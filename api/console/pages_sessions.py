"""调解日程 (agenda): the sessions booked ahead, day by day, for the mediator or her organisation.

The page calls the service ``GET /v1/sessions`` calls; a list by day (no table), so it reads on
a phone as on a desk.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from api.console.forms import iso_day
from api.console.session import ConsoleRoute, ConsoleUser, PageError, require
from api.console.templating import render
from api.deps import SessionmakerDep
from api.errors import ApiError
from api.services import agenda
from api.services.worklist import WORKLIST_ROLES
from domain.people.access import Permission, Role
from domain.values import china_date

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reader = Annotated[ConsoleUser, Depends(require(Permission.READ_CASE))]
WEEKDAYS = "一二三四五六日"


def day_heading(day: date, today: date) -> str:
    """``12月14日 星期一（今天）``."""
    near = {0: "（今天）", 1: "（明天）"}.get((day - today).days, "")
    return f"{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}{near}"


def _day(text: str | None) -> tuple[date | None, str]:
    """A day the user typed (年-月-日), or None and the message when it is not one."""
    if not text:
        return None, ""
    try:
        return date.fromisoformat(iso_day(text)), ""
    except ValueError:
        return None, "请按“年-月-日”填写有效日期，如 2026-03-02"


@router.get("/sessions")
async def agenda_page(
    request: Request,
    user: Reader,
    sessionmaker: SessionmakerDep,
    mine: str | None = None,
    to: str | None = None,
) -> Response:
    principal = user.principal
    if principal.role not in WORKLIST_ROLES:
        raise PageError(403, "当前角色没有调解日程")
    leader = principal.role is Role.LEADER
    # A mediator opens her own sessions; her center's other staff and leaders, everyone's.
    own = not leader and (mine == "true" if mine else principal.role is Role.MEDIATOR)
    first_text = request.query_params.get("from")  # ``from`` is a keyword: read it by hand
    first, first_error = _day(first_text)
    last, last_error = _day(to)
    errors = {"from": first_error, "to": last_error}
    now = datetime.now(UTC)
    try:
        found = await agenda.list_agenda(
            mine=own,
            start=first,
            end=last,
            principal=principal,
            sessionmaker=sessionmaker,
            now=now,
        )
    except ApiError as refused:
        if refused.status != 422:
            raise
        errors[refused.body.field or "to"] = refused.body.message_zh
        found = await agenda.list_agenda(
            mine=own, start=None, end=None, principal=principal, sessionmaker=sessionmaker, now=now
        )
    today = china_date(now)
    days = [
        (day_heading(day, today), list(items))
        for day, items in groupby(found.items, key=lambda item: item.day)
    ]
    span = (found.end - found.start).days + 1

    def link(**change: object) -> str:
        query: dict[str, object] = {"mine": "true" if own else "false"}
        query.update(change)
        kept = {k: str(v) for k, v in query.items() if v is not None}
        return "/sessions?" + urlencode(kept)

    return render(
        request,
        "sessions.html",
        {
            "user": user,
            "agenda": found,
            "days": days,
            "own": own,
            "leader": leader,
            "errors": errors,
            "from_text": first_text or found.start.isoformat(),
            "to_text": to or found.end.isoformat(),
            "link": link,
            "earlier": link(
                **{
                    "from": found.start - timedelta(days=span),
                    "to": found.start - timedelta(days=1),
                }
            ),
            "later": link(
                **{"from": found.end + timedelta(days=1), "to": found.end + timedelta(days=span)}
            ),
        },
    )
