"""单位名录 for administrators: places (行政区划与网格) as a tree, organisations (add, change,
stop and restart), and each organisation's mediator roster (调解员名册).

Every change goes through ``api.services.registry``, the service the JSON routes call; who may do
what is ``domain.organisation.registry``'s rule (the system administrator manages organisations, a
center administrator the roster of their own organisation), asked here only to decide which forms to
show. A refusal is shown beside its field, in the API's words.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError

from api.console.forms import Field, FormState, Options, body_of
from api.console.place_walk import WalkQuery, walk, walk_query
from api.console.refusals import field_errors, show_refusal
from api.console.session import ConsoleRoute, ConsoleUser, PageError, SignedIn, checked_form
from api.console.templating import render
from api.deps import SessionmakerDep
from api.errors import ApiError
from api.registry_schemas import (
    JurisdictionView,
    MediatorCreate,
    MediatorPatch,
    OrganisationCreate,
    OrganisationPatch,
    OrganisationView,
)
from api.services import registry
from domain.case.labels import CATEGORY_LABELS
from domain.organisation.organisations import ORG_TYPE_LABELS
from domain.organisation.registry import (
    EMPLOYMENT_LABELS,
    Employment,
    may_manage_organisations,
    may_manage_roster,
    may_read_registry,
)
from domain.people.access import Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

_CATEGORIES: Options = tuple((c.value, text) for c, text in CATEGORY_LABELS.items())
_ORG_TYPES: Options = tuple((t.value, text) for t, text in ORG_TYPE_LABELS.items())
_PLACE_CODE = re.compile(r"^\d{6}(\d{3}){0,2}$")
_DONE = {
    "created": "已新增单位",
    "saved": "已保存单位信息",
    "stopped": "已停用单位",
    "started": "已启用单位",
    "mediator": "已登记调解员",
    "mediator-stopped": "已停用调解员",
    "mediator-started": "已启用调解员",
}


async def _registry_admin(user: SignedIn) -> ConsoleUser:
    """Administrators only: the system administrator, and center administrators (their roster)."""
    role = user.principal.role
    if role not in (Role.SYSTEM_ADMIN, Role.CENTER_ADMIN) or not may_read_registry(user.principal):
        raise PageError(403, "当前角色无权管理单位名录")
    return user


Admin = Annotated[ConsoleUser, Depends(_registry_admin)]


def _place_options(places: list[JurisdictionView]) -> Options:
    """Where an organisation may work: a county, town or village (not a grid)."""
    return tuple(
        (p.code, f"{'　' * _depth(p.code)}{p.name}（{p.code}）")
        for p in places
        if p.level != "grid"
    )


def _depth(code: str) -> int:
    return {6: 0, 9: 1, 12: 2, 15: 3}.get(len(code), 0)


def organisation_fields(
    places: list[JurisdictionView], orgs: list[OrganisationView], *, new: bool
) -> list[Field]:
    """The organisation form; ``places`` and ``orgs`` are what its pickers offer (a place and
    the places around it, the organisations over it: never the whole registry)."""
    parents = (("", "无（最上级）"),) + tuple((o.org_id, f"{o.name}（{o.org_id}）") for o in orgs)
    fields = [
        Field("name", "单位名称", required=True),
        Field(
            "type",
            "单位类型",
            "select",
            True,
            tuple((t.value, x) for t, x in ORG_TYPE_LABELS.items()),
        ),
        Field(
            "jurisdiction_code",
            "所在区划",
            "select",
            True,
            _place_options(places),
            hint="单位层级（县级、乡镇级、村级）随区划而定",
        ),
        Field("parent_id", "上级单位", "select", options=parents, hint="上提一级时默认上提至此"),
        Field("categories", "受理的纠纷类别", "checks", options=_CATEGORIES, hint="不选即全部类别"),
    ]
    if new:
        fields.insert(
            0, Field("org_id", "单位编号", required=True, hint="字母、数字、-，如 xw-labour-room")
        )
    return fields


MEDIATOR_FIELDS = [
    Field("mediator_id", "调解员编号", required=True, hint="字母、数字、-，如 xw-m-01"),
    Field("name", "姓名", required=True),
    Field(
        "employment",
        "专职或兼职",
        "select",
        True,
        tuple((e.value, text) for e, text in EMPLOYMENT_LABELS.items()),
        value=Employment.PART_TIME.value,
    ),
    Field("specialties", "擅长的纠纷类别", "checks", options=_CATEGORIES),
]


async def _pickers(
    user: ConsoleUser, code: str | None, sessionmaker: SessionmakerDep, *, leave_out: str = ""
) -> tuple[list[JurisdictionView], list[OrganisationView]]:
    """What an organisation form placed at ``code`` offers: the place, the places it lies in,
    those beside it and directly inside it (no grids); as 上级单位 the organisations over it."""
    if code is None:
        top = await registry.place_walk(
            user.principal, None, grids=False, sessionmaker=sessionmaker
        )
        return top.children, []
    try:
        here = await registry.place_walk(
            user.principal, code, grids=False, sessionmaker=sessionmaker
        )
    except ApiError:
        return await _pickers(user, None, sessionmaker)
    around = [*here.trail, *([here.place] if here.place else []), *here.children]
    if here.place is not None:
        beside = await registry.place_walk(
            user.principal, here.place.parent_code, grids=False, sessionmaker=sessionmaker
        )
        around += beside.children
    places = sorted({p.code: p for p in around}.values(), key=lambda p: p.code)
    over = await registry.list_organisations(
        user.principal, within=None, covering=code, active=None, sessionmaker=sessionmaker
    )
    return places, [o for o in over if o.org_id != leave_out]


async def _list_page(
    request: Request,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    query: WalkQuery,
    *,
    form: FormState | None = None,
    flash: str | None = None,
    status: int = 200,
) -> Response:
    shown = await walk(user, query, grids=True, active=None, sessionmaker=sessionmaker)
    parents = {o.parent_id for o in shown.organisations.items if o.parent_id}
    places, over = await _pickers(user, query.place, sessionmaker)
    manage = may_manage_organisations(user.principal)
    if form is None:
        form = FormState(
            organisation_fields(places, over, new=True),
            {"jurisdiction_code": query.place or ""},
        )
    return render(
        request,
        "registry.html",
        {
            "user": user,
            "walk": shown,
            "orgs": shown.organisations.items,
            "names": await registry.organisation_names(parents, sessionmaker=sessionmaker),
            "form": form,
            "manage": manage,
            "flash": flash,
        },
        status=status,
    )


@router.get("/admin/organisations")
async def organisations_page(
    request: Request,
    user: Admin,
    sessionmaker: SessionmakerDep,
    done: str | None = None,
    place: str | None = None,
    q: str | None = None,
    page: str | None = None,
) -> Response:
    """One place's level at a time: where it lies, the places inside it, its organisations (or
    those within it found by name), 50 a page."""
    query = walk_query(place, q, page)
    return await _list_page(request, user, sessionmaker, query, flash=_DONE.get(done or ""))


def _refusal(state: FormState, refused: ApiError) -> int:
    show_refusal(state, refused)
    return refused.status


def _validated(model: type[BaseModel], body: dict[str, Any], state: FormState) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        state.errors = field_errors(error, state.fields)
        return None


@router.post("/admin/organisations")
async def create_organisation(
    request: Request, user: Admin, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    sent = (form.get("jurisdiction_code") or [""])[0]
    query = WalkQuery(place=sent if _PLACE_CODE.match(sent) else None)
    places, over = await _pickers(user, query.place, sessionmaker)
    fields = organisation_fields(places, over, new=True)
    body, raw = body_of(fields, form)
    state = FormState(fields, values=raw)
    checked = _validated(OrganisationCreate, body, state)
    if checked is None:
        return await _list_page(request, user, sessionmaker, query, form=state, status=422)
    try:
        created = await registry.create_organisation(
            user.principal, checked, sessionmaker=sessionmaker
        )
    except ApiError as refused:
        status = _refusal(state, refused)
        return await _list_page(request, user, sessionmaker, query, form=state, status=status)
    return RedirectResponse(f"/admin/organisations/{created.org_id}?done=created", 303)


async def _org_page(
    request: Request,
    user: ConsoleUser,
    org_id: str,
    sessionmaker: SessionmakerDep,
    *,
    edit: FormState | None = None,
    add: FormState | None = None,
    flash: str | None = None,
    status: int = 200,
) -> Response:
    principal = user.principal
    org = await registry.read_organisation(principal, org_id, sessionmaker=sessionmaker)
    places, over = await _pickers(user, org.jurisdiction_code, sessionmaker, leave_out=org_id)
    roster = await registry.list_mediators(
        principal, org_id, active=None, sessionmaker=sessionmaker
    )
    current = {
        "name": org.name,
        "type": org.type.value,
        "jurisdiction_code": org.jurisdiction_code,
        "parent_id": org.parent_id or "",
        "categories": "\n".join(c.value for c in org.categories),
    }
    parent = [org.parent_id] if org.parent_id else []
    return render(
        request,
        "registry_org.html",
        {
            "user": user,
            "org": org,
            "names": await registry.organisation_names(parent, sessionmaker=sessionmaker),
            "roster": roster,
            "edit": edit
            or FormState(organisation_fields(places, over, new=False), current, prefix="org-"),
            "add": add or FormState(MEDIATOR_FIELDS, prefix="m-"),
            "manage": may_manage_organisations(principal),
            "manage_roster": may_manage_roster(principal, org_id),
            "flash": flash,
        },
        status=status,
    )


@router.get("/admin/organisations/{org_id}")
async def organisation_page(
    request: Request,
    org_id: str,
    user: Admin,
    sessionmaker: SessionmakerDep,
    done: str | None = None,
) -> Response:
    return await _org_page(request, user, org_id, sessionmaker, flash=_DONE.get(done or ""))


@router.post("/admin/organisations/{org_id}")
async def update_organisation(
    request: Request, org_id: str, user: Admin, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    org = await registry.read_organisation(user.principal, org_id, sessionmaker=sessionmaker)
    places, over = await _pickers(user, org.jurisdiction_code, sessionmaker, leave_out=org_id)
    fields = organisation_fields(places, over, new=False)
    body, raw = body_of(fields, form)
    # A form sends every field: nothing ticked means every category, no parent means none.
    body = {"categories": [], **body, "parent_id": body.get("parent_id") or None}
    state = FormState(fields, values=raw, prefix="org-")
    checked = _validated(OrganisationPatch, body, state)
    if checked is not None:
        try:
            await registry.update_organisation(
                user.principal, org_id, checked, sessionmaker=sessionmaker
            )
            return RedirectResponse(f"/admin/organisations/{org_id}?done=saved", 303)
        except ApiError as refused:
            status = _refusal(state, refused)
    else:
        status = 422
    return await _org_page(request, user, org_id, sessionmaker, edit=state, status=status)


@router.post("/admin/organisations/{org_id}/active")
async def switch_organisation(
    request: Request, org_id: str, user: Admin, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    active = (form.get("active") or [""])[0] == "true"
    await registry.update_organisation(
        user.principal, org_id, OrganisationPatch(active=active), sessionmaker=sessionmaker
    )
    done = "started" if active else "stopped"
    return RedirectResponse(f"/admin/organisations/{org_id}?done={done}", 303)


@router.post("/admin/organisations/{org_id}/mediators")
async def add_mediator(
    request: Request, org_id: str, user: Admin, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    body, raw = body_of(MEDIATOR_FIELDS, form)
    state = FormState(MEDIATOR_FIELDS, values=raw, prefix="m-")
    checked = _validated(MediatorCreate, body, state)
    if checked is not None:
        try:
            await registry.add_mediator(user.principal, org_id, checked, sessionmaker=sessionmaker)
            return RedirectResponse(f"/admin/organisations/{org_id}?done=mediator", 303)
        except ApiError as refused:
            status = _refusal(state, refused)
    else:
        status = 422
    return await _org_page(request, user, org_id, sessionmaker, add=state, status=status)


@router.post("/admin/mediators/{mediator_id}/active")
async def switch_mediator(
    request: Request, mediator_id: str, user: Admin, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    active = (form.get("active") or [""])[0] == "true"
    changed = await registry.update_mediator(
        user.principal, mediator_id, MediatorPatch(active=active), sessionmaker=sessionmaker
    )
    done = "mediator-started" if active else "mediator-stopped"
    return RedirectResponse(f"/admin/organisations/{changed.org_id}?done={done}", 303)
