"""约谈通报: a leader's register of 约谈 and 通报 against the organisations of their area (and
the people of them), about a case or a period; recording one appends it (a correction is a new
record naming the one it corrects). Through the services the JSON routes call
(``POST /v1/accountability``, ``GET /v1/accountability``), validated by the same request model.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.console.forms import Field, FormState, body_of, form_key, options_of
from api.console.refusals import field_errors, show_refusal
from api.console.session import ConsoleRoute, ConsoleUser, checked_form, require
from api.console.templating import render
from api.deps import SessionmakerDep
from api.errors import ApiError
from api.register_schemas import AccountabilityRequest
from api.services import accountability, receptions
from domain.people.access import Permission
from domain.registers.accountability import KIND_LABELS, SUBJECT_LABELS

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Summoner = Annotated[ConsoleUser, Depends(require(Permission.HOLD_ACCOUNTABLE))]


def accountability_fields(organisations: list[tuple[str, str]]) -> list[Field]:
    return [
        Field("kind", "类别", "select", True, options_of(KIND_LABELS)),
        Field("subject_kind", "对象", "select", True, options_of(SUBJECT_LABELS)),
        Field("organisation", "单位", "select", True, tuple(organisations)),
        Field("person_name", "个人姓名（对象为个人时填写）"),
        Field("held_on", "约谈（通报）日期", "date", True),
        Field("case_id", "所涉案件编号", hint="针对一个案件时填写，如 JF-2026-000123"),
        Field("period_from", "期间开始", "date", hint="针对一段期间时填写起止日期"),
        Field("period_to", "期间结束", "date"),
        Field("facts", "问题", "textarea", True),
        Field("decisions", "处理意见", "textarea", True),
        Field("corrects", "更正的记录编号", hint="更正以前的记录时填写（原记录保留）"),
    ]


async def _organisations(user: ConsoleUser, sessionmaker: SessionmakerDep) -> list[tuple[str, str]]:
    """The organisations of the leader's area (those above it are not theirs to summon)."""
    found, _ = await receptions.choices(user.principal, sessionmaker=sessionmaker)
    area = user.principal.jurisdiction or ""
    inside = await receptions.organisations_within(area, sessionmaker=sessionmaker)
    return [(org_id, name) for org_id, name in found if org_id in inside]


async def _page(
    request: Request,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    form: FormState | None = None,
    status: int = 200,
    flash: str | None = None,
) -> Response:
    items = await accountability.list_records(
        case_id=None, purpose=None, limit=100, principal=user.principal, sessionmaker=sessionmaker
    )
    fields = accountability_fields(await _organisations(user, sessionmaker))
    context = {
        "user": user,
        "items": items,
        "form": form or FormState(fields),
        "flash": flash,
        # A double submit of one rendering records once (api/idempotency.py).
        "idempotency_key": str(uuid.uuid4()),
    }
    return render(request, "accountability.html", context, status=status)


@router.get("/accountability")
async def register_page(
    request: Request, user: Summoner, sessionmaker: SessionmakerDep, done: str | None = None
) -> Response:
    return await _page(request, user, sessionmaker, flash="已记录" if done else None)


@router.post("/accountability")
async def record(request: Request, user: Summoner, sessionmaker: SessionmakerDep) -> Response:
    form = await checked_form(request, user)
    fields = accountability_fields(await _organisations(user, sessionmaker))
    body, raw = body_of(fields, form)
    state = FormState(fields, values=raw)
    try:
        checked = AccountabilityRequest.model_validate(body)
        await accountability.record(
            checked, key=form_key(form), principal=user.principal, sessionmaker=sessionmaker
        )
    except ValidationError as error:
        state.errors = field_errors(error, fields)
        return await _page(request, user, sessionmaker, state, 422)
    except ApiError as refused:
        show_refusal(state, refused)
        return await _page(request, user, sessionmaker, state, refused.status)
    return RedirectResponse("/accountability?done=1", status_code=303)
