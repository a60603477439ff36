"""重点人员名册 for leaders: the persons of their area (ID numbers masked), each with the cadre
who answers for them and their cases; a person entered by ID number. Every page that shows the
register is a recorded read (the service writes the access trail); who may open it is the
register's policy data. Through the services the JSON routes call, same request model.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from activities.policy.routing import watch_policy
from api.console.forms import Field, FormState, body_of
from api.console.refusals import field_errors, show_refusal
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import SessionmakerDep, SettingsDep
from api.errors import ApiError
from api.register_schemas import WatchedRequest
from api.services import receptions, watched
from domain.people.access import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

# The register's own policy decides (the service); the page is for leaders (写, 读).
Leader = Annotated[ConsoleUser, Depends(require(Permission.HOLD_ACCOUNTABLE))]
T = TypeVar("T")
_WATCHED_ID = re.compile(r"^ZD-[0-9a-f]{20}$")


def watched_fields(
    types: dict[str, str], grades: dict[str, str], places: list[tuple[str, str]]
) -> list[Field]:
    return [
        Field("id_number", "身份证号码", required=True, hint="仅用于查找比对，名册不保存完整号码"),
        Field("name", "姓名", required=True),
        Field("person_type", "人员类别", "select", True, tuple(types.items())),
        Field("grade", "关注等级", "select", True, tuple(grades.items())),
        Field("jurisdiction_code", "居住地", "select", True, tuple(places)),
        Field("minder_user_id", "包保责任人（用户名）", required=True),
        Field("note", "情况说明", "textarea"),
    ]


async def _fields(user: ConsoleUser, settings: SettingsDep, sm: SessionmakerDep) -> list[Field]:
    policy = watch_policy(settings.watch_policy_file)
    _, places = await receptions.choices(user.principal, sessionmaker=sm)
    return watched_fields(policy.types, policy.grades, places)


async def _page(
    request: Request,
    user: ConsoleUser,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
    form: FormState | None = None,
    status: int = 200,
    flash: str | None = None,
) -> Response:
    items = await _served(
        watched.list_persons(
            purpose=None,
            limit=100,
            principal=user.principal,
            settings=settings,
            sessionmaker=sessionmaker,
        )
    )
    fields = await _fields(user, settings, sessionmaker)
    context = {"user": user, "items": items, "form": form or FormState(fields), "flash": flash}
    return render(request, "watched.html", context, status=status)


async def _served(call: Awaitable[T]) -> T:
    """The service's answer, or its refusal as the error page."""
    try:
        return await call
    except ApiError as refused:
        raise PageError(refused.status, refused.body.message_zh) from refused


@router.get("/watched")
async def register_page(
    request: Request,
    user: Leader,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
    done: str | None = None,
) -> Response:
    return await _page(request, user, settings, sessionmaker, flash="已登记" if done else None)


@router.post("/watched")
async def enter_person(
    request: Request, user: Leader, settings: SettingsDep, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    fields = await _fields(user, settings, sessionmaker)
    body, raw = body_of(fields, form)
    raw["id_number"] = ""  # never drawn back into the page
    state = FormState(fields, values=raw)
    try:
        checked = WatchedRequest.model_validate(body)
        entered = await watched.register(
            checked, principal=user.principal, settings=settings, sessionmaker=sessionmaker
        )
    except ValidationError as error:
        state.errors = field_errors(error, fields)
        return await _page(request, user, settings, sessionmaker, state, 422)
    except ApiError as refused:
        show_refusal(state, refused)
        return await _page(request, user, settings, sessionmaker, state, refused.status)
    return RedirectResponse(f"/watched/{entered['watched_id']}?done=1", status_code=303)


@router.get("/watched/{watched_id}")
async def person_page(
    request: Request,
    watched_id: str,
    user: Leader,
    settings: SettingsDep,
    sessionmaker: SessionmakerDep,
    done: str | None = None,
) -> Response:
    if not _WATCHED_ID.match(watched_id):
        raise PageError(404, "名册中没有该人员")
    person = await _served(
        watched.read_person(
            watched_id=watched_id,
            id_number=None,
            purpose=None,
            principal=user.principal,
            settings=settings,
            sessionmaker=sessionmaker,
        )
    )
    context = {"user": user, "person": person, "flash": "已登记" if done else None}
    return render(request, "watched_person.html", context)
