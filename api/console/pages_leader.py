"""Leaders (领导): the alert inbox with one-click 签收 and a note, the cases they lead (包案),
counts by stage and overdue within their jurisdiction, each count a link to its cases.

各单位办理情况: each organisation's cases by stage, 积案 and overdue, each a link to its cases.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.console.pages_screening import LEVEL_NAMES
from api.console.refusals import refusal_text
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.schemas import AlertAckRequest
from api.services import alerts, boards, cases, instructions, screening
from domain.case.alerts import AlertStatus
from domain.case.labels import ALERT_STATUS_LABELS, STAGE_LABELS
from domain.case.stages import Stage
from domain.people.access import Permission
from domain.screening.duties import DutyStatus

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

AlertReader = Annotated[ConsoleUser, Depends(require(Permission.READ_ALERTS))]
Leader = Annotated[ConsoleUser, Depends(require(Permission.ACK_ALERT))]


@router.get("/alerts")
async def alert_inbox(
    request: Request,
    user: AlertReader,
    sessionmaker: SessionmakerDep,
    status: str = "open",
    done: str | None = None,
) -> Response:
    return await _inbox(request, user, sessionmaker, status, "已签收" if done == "ack" else None)


async def _inbox(
    request: Request,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    status: str = "open",
    flash: str | None = None,
    errors: dict[str, str] | None = None,
    code: int = 200,
) -> Response:
    chosen = AlertStatus(status) if status in {s.value for s in AlertStatus} else None
    items = await alerts.list_alerts(
        recipient=None,
        status=chosen,
        case_id=None,
        limit=100,
        principal=user.principal,
        sessionmaker=sessionmaker,
    )
    # 排查逾期未报 escalates like a case's clock but is no case's alert: the open tab shows the
    # overdue duties within reach beside the alerts, so an escalation told to the inbox is seen.
    late = []
    duties = user.may(Permission.FILE_SCREENING) or user.may(Permission.LAUNCH_SWEEP)
    if duties and chosen in (AlertStatus.OPEN, None):
        late = await screening.list_duties(
            user.principal, sessionmaker=sessionmaker, status=(DutyStatus.OVERDUE,)
        )
    return render(
        request,
        "alerts.html",
        {
            "user": user,
            "items": items,
            "status": chosen.value if chosen else "",
            "statuses": [(s.value, ALERT_STATUS_LABELS[s]) for s in AlertStatus],
            "late_duties": late,
            "level_names": LEVEL_NAMES,
            "may_ack": user.may(Permission.ACK_ALERT),
            "may_read": user.may(Permission.READ_CASE),
            "flash": flash,
            "key": str(uuid.uuid4()),
            "errors": errors or {},
            # A refusal for an alert no longer listed (acknowledged meanwhile) goes above.
            "error": next(
                (e for a, e in (errors or {}).items() if all(i["alert_id"] != a for i in items)),
                "",
            ),
        },
        status=code,
    )


@router.post("/alerts/{alert_id}/ack")
async def acknowledge(
    request: Request,
    alert_id: str,
    user: Leader,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Response:
    form = await checked_form(request, user)
    try:  # the JSON API's own request model: the same text checks, worded beside the note
        note = AlertAckRequest(note=(form.get("note") or [""])[0]).note
    except ValidationError as error:
        refusal = f"签收意见{refusal_text(error.errors()[0])}"
        return await _inbox(request, user, sessionmaker, errors={alert_id: refusal}, code=422)
    key = (form.get("idempotency_key") or [""])[0][:100] or None
    try:
        await alerts.acknowledge(
            alert_id,
            note=note,
            key=f"ack:{alert_id}:{key}" if key else None,
            principal=user.principal,
            scopes=scopes,
            sessionmaker=sessionmaker,
            temporal=temporal,
            settings=settings,
        )
    except ApiError as refused:
        if refused.status == 409:
            raise PageError(409, refused.body.message_zh) from refused
        raise
    back = (form.get("back") or ["/alerts"])[0]
    target = back if back in ("/alerts", "/leader") else "/alerts"
    return RedirectResponse(f"{target}?done=ack", status_code=303)


@router.get("/leader")
async def leader_board(
    request: Request,
    user: Leader,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    done: str | None = None,
) -> Response:
    principal = user.principal
    # Four independent reads, each in its own short transaction: run side by side.
    listed_filter = {"text": None, "listed": "true"}
    stats, (overdue_count, overdue), inbox, led, board, instructed = await asyncio.gather(
        cases.case_stats(
            {"kind": None, "category": None, "jurisdiction": None},
            principal=principal,
            settings=settings,
            sessionmaker=sessionmaker,
        ),
        alerts.overdue(principal=principal, sessionmaker=sessionmaker),
        alerts.list_alerts(
            recipient=None,
            status=AlertStatus.OPEN,
            case_id=None,
            limit=20,
            principal=principal,
            sessionmaker=sessionmaker,
        ),
        cases.list_cases(
            {
                "stage": None,
                "kind": None,
                "category": None,
                "jurisdiction": None,
                "responsible_unit": None,
                "package_leader": principal.display_name,
                "text": None,
            },
            backlog=False,
            cursor=None,
            limit=20,
            principal=principal,
            settings=settings,
            sessionmaker=sessionmaker,
        ),
        boards.organisation_board(principal, settings=settings, sessionmaker=sessionmaker),
        instructions.list_instructions(
            open_only=False, limit=50, principal=principal, sessionmaker=sessionmaker
        ),
    )
    listed = await cases.list_cases(  # 挂牌督办 within the leader's area, nearest deadline first
        listed_filter,
        backlog=False,
        cursor=None,
        limit=50,
        principal=principal,
        settings=settings,
        sessionmaker=sessionmaker,
        by_deadline=True,
    )
    shown = [s for s in Stage if any(line.by_stage.get(s.value) for line in board.lines)]
    by_stage = [
        (stage.value, STAGE_LABELS[stage], stats.by_stage.get(stage.value, 0))
        for stage in Stage
        if stats.by_stage.get(stage.value)
    ]
    return render(
        request,
        "leader.html",
        {
            "user": user,
            "total": stats.total,
            "by_stage": by_stage,
            "overdue_count": overdue_count,
            "overdue": overdue,
            "inbox": inbox,
            "led": led.items,
            "board": board.lines,
            "board_stages": [(s.value, STAGE_LABELS[s]) for s in shown],
            "backlog": stats.backlog,
            "backlog_days": stats.backlog_days,
            "instructions": instructed,
            "listed": listed.items,
            "flash": "已签收" if done == "ack" else None,
            "key": str(uuid.uuid4()),
        },
    )
