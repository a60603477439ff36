"""Case pages (案件): the list with filters and cursor paging, intake (登记), the case page with
the actions its stage allows, and "显示" with a reason (访问留痕).

Every page calls the services the JSON routes call; which actions are offered comes from the
stage table (``domain.case.stages.allowed``) and the role's permissions, nothing else.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from api.access import reach_of
from api.console import handoff_pickers
from api.console.case_actions import (
    ORG_PICKERS,
    ROUTES,
    OfferedAction,
    action_of,
    command_type,
    fields_for,
    form_prefix,
    load_choices,
    missing_fields,
    needs_choices,
    offered_actions,
)
from api.console.case_view import FOLDED_EVENTS, fold_timeline, handoff_view, papers_view
from api.console.forms import FormState, body_of, form_key
from api.console.place_walk import WalkQuery, walk_query
from api.console.refusals import field_errors, refusal_text, show_refusal
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.params import CASE_ID
from api.services import (
    accountability,
    attachments,
    cases,
    clocks,
    commands,
    handoffs,
    listing,
    parties,
    registry,
)
from api.services.behind import case_behind
from api.services.worklist import WORKLIST_ROLES
from domain.case.attachments import STEP_LABELS
from domain.case.labels import ACTION_LABELS
from domain.people.access import Permission
from domain.text import Remark

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Lister = Annotated[ConsoleUser, Depends(require(Permission.LIST_CASES))]
Reader = Annotated[ConsoleUser, Depends(require(Permission.READ_CASE))]
# Those who act on cases, and leaders (风险研判, 领导批示: the API checks which command).
Actor = Annotated[ConsoleUser, Depends(require(Permission.ACT, Permission.INSTRUCT))]

_CASE_ID = re.compile(CASE_ID)


def case_link(case_id: str) -> str:
    return f"/cases/{case_id}"


def _checked_case_id(case_id: str) -> str:
    if not _CASE_ID.match(case_id):
        raise PageError(404, f"案件 {case_id} 不存在")
    return case_id


_key = form_key


# ---- the case page ----


async def _case_page(
    request: Request,
    user: ConsoleUser,
    case_id: str,
    *,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    scopes: ScopesDep,
    reveal_reason: str | None = None,
    failed: OfferedAction | None = None,
    status: int = 200,
    flash: str | None = None,
    reveal_error: str = "",
    instruct: str | None = None,
    doc_error: str = "",
    doc_kind: str = "",
    pick: str | None = None,
    walked: WalkQuery | None = None,
) -> Response:
    principal = user.principal
    lag = await case_behind(case_id, sessionmaker=sessionmaker)
    try:
        document = await _read(case_id, user, sessionmaker, temporal, reveal_reason)
    except ApiError as refused:
        # Refused at its registration, the case is not in the store yet: say so to those whose
        # area it lies in.
        if refused.status == 404 and lag is not None and lag.shown_to(principal):
            raise PageError(503, f"案件 {case_id}：{lag.notice}") from refused
        raise
    timeline = await cases.timeline(
        case_id,
        reveal=reveal_reason is not None,
        event_types=None,
        since=None,
        until=None,
        purpose=reveal_reason,
        principal=principal,
        sessionmaker=sessionmaker,
        scopes=scopes,
    )
    report = await clocks.clocks(case_id, principal=principal, sessionmaker=sessionmaker)
    choices = await load_choices(user, document, sessionmaker=sessionmaker)
    actions = offered_actions(user, document, choices)
    if failed is not None:
        offered = any(a.path == failed.path for a in actions)
        # A form posted for an action the page no longer offers still shows why it was refused.
        actions = [failed if a.path == failed.path else a for a in actions]
        actions += [] if offered else [failed]
    await handoff_pickers.attach(
        actions,
        document,
        user,
        pick=pick,
        query=walked or WalkQuery(),
        sessionmaker=sessionmaker,
    )
    if instruct is not None and any(a["alert_id"] == instruct for a in document["alerts"]):
        for offered_action in actions:  # 批示 straight from an alert (督办提醒 → 批示)
            if offered_action.path == "instructions":
                offered_action.form.values["alert_id"] = instruct
                offered_action.open = True
    related = None
    if principal.role in WORKLIST_ROLES:  # the same parties' other cases (同一当事人)
        found = await parties.related_cases(
            case_id, limit=20, principal=principal, sessionmaker=sessionmaker, scopes=scopes
        )
        related = found.model_dump(mode="json")
    where = document["jurisdiction"]
    place = " ".join(
        str(where.get(k) or "") for k in ("county_name", "town_name", "village_name")
    ).strip() or str(where.get("village_code") or where.get("town_code") or where["county_code"])
    return render(
        request,
        "case.html",
        {
            "user": user,
            "case": document,
            "timeline": timeline,
            "fold": fold_timeline(timeline["entries"]),
            "folded_events": FOLDED_EVENTS,
            "clocks": report.model_dump(mode="json"),
            "actions": actions,
            "handoffs": handoff_view(document, await _registrar(document, sessionmaker)),
            "papers": papers_view(
                case_id,
                document,
                may_issue=needs_choices(user, document)
                and document["stage"] not in ("closed", "withdrawn"),
                may_reveal=principal.may(Permission.REVEAL_PII),
            ),
            "doc_error": doc_error,
            "doc_kind": doc_kind,  # the kind a refused issue asked for, kept selected
            "holds": needs_choices(user, document),  # the caller's organisation holds it
            "related": related,
            "place": place,
            "may_reveal": principal.may(Permission.REVEAL_PII),
            "revealed": reveal_reason is not None,
            "reveal_error": reveal_error,
            "flash": flash,
            "behind": lag.notice if lag is not None else None,
            # 约谈/通报 about the case: leaders over the organisation's area only.
            "accountability": await accountability.about_case(
                case_id, principal=principal, sessionmaker=sessionmaker
            ),
            "files": attachments.listed(document),
            "file_steps": list(STEP_LABELS.items()),
            "may_attach": principal.may(Permission.ACT),
        },
        status=status,
    )


async def _registrar(document: dict[str, Any], sessionmaker: SessionmakerDep) -> str | None:
    """The name of the organisation that registered the case (its id is on the case)."""
    center_id = document.get("center_id")
    if not center_id:
        return None
    names = await registry.organisation_names([center_id], sessionmaker=sessionmaker)
    return names.get(center_id)


async def _read(
    case_id: str,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    reveal_reason: str | None,
) -> dict[str, Any]:
    return await cases.read_case(
        case_id,
        consistent=False,
        reveal=reveal_reason is not None,
        principal=user.principal,
        sessionmaker=sessionmaker,
        temporal=temporal,
        purpose=reveal_reason,
    )


_DONE = {
    "registered": "已登记",
    "document": "已出具文书",
    "attached": "已添加材料",
    "signed": "已保存签名",
}


@router.get("/cases/{case_id}")
async def case_page(
    request: Request,
    case_id: str,
    user: Reader,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    scopes: ScopesDep,
    done: str | None = None,
    instruct: str | None = None,
    pick: str | None = None,
    place: str | None = None,
    q: str | None = None,
    page: str | None = None,
) -> Response:
    """The case; ``pick`` (a hand-off form) with ``place``, ``q`` and ``page``: that form's
    picker lists one place's organisations, or those found by name (any county's)."""
    flash = None
    walked = walk_query(place, q, page) if pick in ORG_PICKERS else None
    if done:
        flash = _DONE.get(done) or next(
            (f"已{ACTION_LABELS[action_of(r)]}" for p, r in ROUTES.items() if p == done), None
        )
    return await _case_page(
        request,
        user,
        _checked_case_id(case_id),
        sessionmaker=sessionmaker,
        temporal=temporal,
        scopes=scopes,
        flash=flash,
        instruct=instruct,
        pick=pick if walked is not None else None,
        walked=walked,
    )


@router.post("/cases/{case_id}/reveal")
async def reveal(
    request: Request,
    case_id: str,
    user: Reader,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    scopes: ScopesDep,
) -> Response:
    form = await checked_form(request, user)
    reason = (form.get("reason") or [""])[0].strip()
    if not user.may(Permission.REVEAL_PII):
        raise PageError(403, "当前角色无权查看完整个人信息")
    refusal = _reason_refusal(reason)
    if refusal:
        return await _case_page(
            request,
            user,
            _checked_case_id(case_id),
            sessionmaker=sessionmaker,
            temporal=temporal,
            scopes=scopes,
            status=422,
            reveal_error=refusal,
        )
    return await _case_page(
        request,
        user,
        _checked_case_id(case_id),
        sessionmaker=sessionmaker,
        temporal=temporal,
        scopes=scopes,
        reveal_reason=reason,
    )


_REASON: TypeAdapter[str] = TypeAdapter(Remark)


def _reason_refusal(reason: str) -> str:
    """Why a reveal's reason (recorded in the access trail) is refused; empty when it is not."""
    if len(reason) < 2:
        return "请说明查看原因（至少2个字）"
    try:
        _REASON.validate_python(reason)
    except ValidationError as error:
        return f"查看原因{refusal_text(error.errors()[0])}"
    return ""


@router.post("/cases/{case_id}/act/{path:path}")
async def act(
    request: Request,
    case_id: str,
    path: str,
    user: Actor,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    scopes: ScopesDep,
    settings: SettingsDep,
) -> Response:
    case_id = _checked_case_id(case_id)
    route = ROUTES.get(path)
    if route is None:
        raise PageError(404, "没有这项操作")
    form = await checked_form(request, user)
    document = await cases.read_case(
        case_id,
        consistent=False,
        reveal=False,
        principal=user.principal,
        sessionmaker=sessionmaker,
        temporal=temporal,
    )
    choices = await load_choices(user, document, sessionmaker=sessionmaker)
    fields = fields_for(path, document, choices, user, reach_of(document))
    body, raw = body_of(fields, form)
    fields = await handoff_pickers.keep_chosen(fields, path, raw, user, sessionmaker=sessionmaker)
    state = FormState(fields, values=raw, prefix=form_prefix(path))
    label = ACTION_LABELS[action_of(route)]
    failed = OfferedAction(path, label, state, _key(form), open=True)

    async def again(status: int) -> Response:
        """The case page with this form open, its values kept and the refusal beside them."""
        return await _case_page(
            request,
            user,
            case_id,
            sessionmaker=sessionmaker,
            temporal=temporal,
            scopes=scopes,
            failed=failed,
            status=status,
        )

    missing = missing_fields(fields, raw)  # every empty required field, at once
    try:
        checked = route.request.model_validate(body)
    except ValidationError as error:
        state.errors = {**missing, **field_errors(error, fields)}
        return await again(422)
    if missing:
        state.errors = missing
        return await again(422)
    try:
        await commands.act(
            case_id,
            command_type(route),
            # as the JSON route builds it (挂牌/摘牌: with the leader who sends it)
            listing.console_maker(route, checked, user.principal, sessionmaker)
            or handoffs.command_maker(route, checked, sessionmaker),
            body=checked,
            assignment_no=handoffs.assignment_no(checked),
            key=_key(form),
            principal=user.principal,
            scopes=scopes,
            sessionmaker=sessionmaker,
            temporal=temporal,
            settings=settings,
        )
    except ApiError as refused:
        show_refusal(state, refused)
        failed.key = str(uuid.uuid4())  # the refused command was not applied: a new attempt
        if all(a.path != path for a in offered_actions(user, document, choices)):
            raise
        return await again(refused.status)
    return RedirectResponse(f"/cases/{case_id}?done={path}", status_code=303)
