"""领导接访: a leader's reception log — record a reception (the day, the place, the receiving
organisation, up to three visitors here; the API takes more), see each with the cases registered
from it, and register a case from it (the visitors who apply chosen, never typed again).

Both forms go through the services the JSON routes call (``POST /v1/receptions``,
``POST /v1/receptions/{id}/cases``), validated by the same request models.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.console.forms import Field, FormState, body_of, form_key, options_of
from api.console.refusals import field_errors, show_refusal
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.params import RECEPTION_ID
from api.register_schemas import ReceptionIntakeRequest, ReceptionRequest
from api.services import receptions
from domain.case import labels
from domain.people.access import Permission
from domain.values import RiskLevel

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Receiver = Annotated[ConsoleUser, Depends(require(Permission.RECEIVE_VISITORS))]

VISITOR_ROWS = 3


def reception_fields(organisations: list[tuple[str, str]]) -> list[Field]:
    visitors = [
        field
        for n in range(VISITOR_ROWS)
        for field in (
            Field(f"visitors.{n}.name", "姓名", required=n == 0, group=f"来访人员 {n + 1}"),
            Field(f"visitors.{n}.id_number", "身份证号码", group=f"来访人员 {n + 1}"),
            Field(f"visitors.{n}.phone", "联系电话", group=f"来访人员 {n + 1}"),
            Field(f"visitors.{n}.people", "来访人数", "number", group=f"来访人员 {n + 1}"),
            Field(f"visitors.{n}.matter", "反映事项", group=f"来访人员 {n + 1}"),
        )
    ]
    return [
        Field("received_on", "接访日期", "date", True, group="接访情况"),
        Field("place", "接访地点", required=True, group="接访情况"),
        Field(
            "organisation",
            "接访单位",
            "select",
            True,
            tuple(organisations),
            hint="由该单位按分流规则登记本次接访的案件",
            group="接访情况",
        ),
        Field("note", "接访情况", "textarea", group="接访情况"),
        *visitors,
    ]


def case_fields(visitors: list[dict[str, Any]], places: list[tuple[str, str]]) -> list[Field]:
    return [
        Field(
            "visitors",
            "申请人（来访人员）",
            "checks",
            True,
            tuple((str(n), v["name"]) for n, v in enumerate(visitors)),
            hint="所选来访人员的姓名、证件号码和电话按接访记录登记",
        ),
        Field("title", "标题", required=True, hint="如：张某与李某相邻通行纠纷"),
        Field("category", "纠纷类别", "select", True, options_of(labels.CATEGORY_LABELS)),
        Field("place", "属地", "select", True, tuple(places)),
        Field("description", "纠纷简要情况", "textarea", True),
        Field(
            "risk_level",
            "风险等级",
            "select",
            True,
            options_of(labels.RISK_LABELS),
            value=RiskLevel.LOW.value,
        ),
        Field("respondents.0.name", "被申请人姓名或名称"),
        Field("respondents.0.phone", "被申请人电话"),
    ]


def _place(code: str) -> dict[str, str]:
    """属地 from a code the form chose (the service names it from the registry)."""
    place = {"county_code": code[:6]}
    if len(code) >= 9:
        place["town_code"] = code[:9]
    if len(code) >= 12:
        place["village_code"] = code[:12]
    return place


@router.get("/receptions")
async def reception_log(
    request: Request, user: Receiver, sessionmaker: SessionmakerDep
) -> Response:
    return await _log(request, user, sessionmaker)


async def _log(
    request: Request,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    organisations, _ = await receptions.choices(user.principal, sessionmaker=sessionmaker)
    items = await receptions.list_receptions(
        limit=100, principal=user.principal, sessionmaker=sessionmaker
    )
    context = {
        "user": user,
        "items": items,
        "form": form or FormState(reception_fields(organisations)),
        # A double submit of one rendering records one reception (api/idempotency.py).
        "idempotency_key": form_key({}),
    }
    return render(request, "receptions.html", context, status=status)


@router.post("/receptions")
async def record_reception(
    request: Request, user: Receiver, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    organisations, _ = await receptions.choices(user.principal, sessionmaker=sessionmaker)
    fields = reception_fields(organisations)
    body, raw = body_of(fields, form)
    state = FormState(fields, values=raw)
    try:
        checked = ReceptionRequest.model_validate(body)
        recorded = await receptions.record(
            checked, key=form_key(form), principal=user.principal, sessionmaker=sessionmaker
        )
    except ValidationError as error:
        state.errors = field_errors(error, fields)
        return await _log(request, user, sessionmaker, state, 422)
    except ApiError as refused:
        show_refusal(state, refused)
        return await _log(request, user, sessionmaker, state, refused.status)
    return RedirectResponse(f"/receptions/{recorded['reception_id']}", status_code=303)


async def _found(
    reception_id: str, user: ConsoleUser, sessionmaker: SessionmakerDep
) -> dict[str, Any]:
    """The reception within the leader's area, or the error page (404 outside it)."""
    if not re.fullmatch(RECEPTION_ID, reception_id):
        raise PageError(404, "接访记录不存在")
    try:
        return await receptions.get_reception(
            reception_id, principal=user.principal, sessionmaker=sessionmaker
        )
    except ApiError as missing:
        raise PageError(missing.status, missing.body.message_zh) from missing


@router.get("/receptions/{reception_id}")
async def reception_page(
    request: Request, reception_id: str, user: Receiver, sessionmaker: SessionmakerDep
) -> Response:
    return await _reception(request, reception_id, user, sessionmaker)


async def _reception(
    request: Request,
    reception_id: str,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    found = await _found(reception_id, user, sessionmaker)
    mine = found["leader_user_id"] == user.principal.user_id
    _, places = await receptions.choices(user.principal, sessionmaker=sessionmaker)
    context: dict[str, Any] = {"user": user, "r": found, "mine": mine}
    if mine:
        context["form"] = form or FormState(case_fields(found["visitors"], places))
        context["idempotency_key"] = form_key({})
    return render(request, "reception.html", context, status=status)


@router.post("/receptions/{reception_id}/cases")
async def register_from_reception(
    request: Request,
    reception_id: str,
    user: Receiver,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Response:
    """从接访登记: the chosen visitors apply; the case is placed where the leader chose."""
    form = await checked_form(request, user)
    found = await _found(reception_id, user, sessionmaker)
    _, places = await receptions.choices(user.principal, sessionmaker=sessionmaker)
    fields = case_fields(found["visitors"], places)
    body, raw = body_of(fields, form)
    state = FormState(fields, values=raw)
    place = str(body.pop("place", ""))
    if place not in {code for code, _ in places}:
        state.errors["place"] = "请从列表中选择属地"
        return await _reception(request, reception_id, user, sessionmaker, state, 422)
    body["jurisdiction"] = _place(place)
    try:
        checked = ReceptionIntakeRequest.model_validate(body)
        registered = await receptions.register_case(
            reception_id,
            checked.model_dump(),
            key=form_key(form),
            principal=user.principal,
            sessionmaker=sessionmaker,
            temporal=temporal,
            settings=settings,
        )
    except ValidationError as error:
        state.errors = field_errors(error, fields)
        return await _reception(request, reception_id, user, sessionmaker, state, 422)
    except ApiError as refused:
        show_refusal(state, refused)
        return await _reception(request, reception_id, user, sessionmaker, state, refused.status)
    return RedirectResponse(f"/cases/{registered.body['case_id']}", status_code=303)
