"""Intake (登记) with 分流: the routing suggestion for what has been entered, which the registrar
takes or overrides with a reason, and the same people's other cases (同一当事人).

Both come from the services the JSON routes call (``registry.routing_answer`` as
``POST /v1/routing/suggestion``, ``parties.cases_of_party`` as ``POST /v1/parties/cases``).
Without JavaScript, "查看分流建议" re-renders the form with them; with it, ``console.js`` asks
``/cases/new/check`` (this origin, the session's form token) for the same panel as the user types.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from activities.policy.routing import routing_rules
from activities.runtime.settings import Settings
from api.console.forms import INTAKE_FIELDS, Field, FormState, Options, body_of, form_key
from api.console.intake_parties import (
    HEADINGS,
    PartyForm,
    as_request,
    beside,
    compact,
    party_lookups,
)
from api.console.refusals import field_errors, show_refusal
from api.console.session import ConsoleRoute, ConsoleUser, checked_form, require
from api.console.templating import fragment, render
from api.deps import SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ApiError
from api.registry_schemas import JurisdictionView, RoutingAnswer
from api.schemas import IntakeRequest, PartyQuery, RelatedCase
from api.services import intake, parties, registry
from domain.people.access import Permission
from domain.values import Category, Jurisdiction, RiskLevel

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Actor = Annotated[ConsoleUser, Depends(require(Permission.ACT))]

_ROUTING = "分流"
# The form's own inputs around the parties' lists (drawn by ``intake_parties``).
BASE_FIELDS = [f for f in INTAKE_FIELDS if not f.name.startswith(("applicants.", "respondents."))]
_HEAD = ("基本情况", "属地")
_SUGGESTED = "routing.suggested"  # the suggestion shown when the form was last drawn


def routing_fields(answer: RoutingAnswer | None) -> list[Field]:
    """承办单位 (the suggestion preselected) and the reason for choosing another."""
    options: Options = ()
    suggested = ""
    if answer is not None:
        options = tuple((o.org_id, f"{o.name}（{o.type_label}）") for o in answer.candidates)
        if answer.suggestion is not None:
            suggested = answer.suggestion.organisation.org_id
            if suggested not in {value for value, _ in options}:
                name = answer.suggestion.organisation.name
                options = ((suggested, name), *options)
    return [
        Field(_SUGGESTED, "", "hidden", value=suggested, group=_ROUTING),
        Field(
            "routing.organisation",
            "承办单位",
            "select",
            options=options,
            value=suggested,
            group=_ROUTING,
            hint="默认采纳分流建议；改选其他单位须说明理由",
        ),
        Field("routing.reason", "改选理由（不采纳建议时必填）", "textarea", group=_ROUTING),
    ]


@dataclass
class IntakeCheck:
    """What the entered facts lead to: the suggestion and the same people's other cases."""

    answer: RoutingAnswer | None = None
    note: str = ""  # why there is no suggestion yet
    related: list[RelatedCase] = field(default_factory=list)


async def check_intake(
    user: ConsoleUser,
    raw: dict[str, str],
    *,
    sessionmaker: SessionmakerDep,
    settings: Settings,
) -> IntakeCheck:
    found = IntakeCheck()
    try:
        category = Category(raw.get("category", ""))
        risk = RiskLevel(raw.get("risk_level") or RiskLevel.LOW.value)
        place = Jurisdiction.at(_place_code(raw))
    except (ValueError, ValidationError):
        found.note = "填写纠纷类别和属地后显示分流建议"
    else:
        try:
            found.answer = await registry.routing_answer(
                user.principal,
                category,
                risk,
                place.code,
                sessionmaker=sessionmaker,
                rules=routing_rules(settings.routing_rules_file),
            )
        except ApiError as refused:
            if refused.status >= 500:
                raise
            found.note = refused.body.message_zh
    found.related = await _same_parties(user, raw, sessionmaker=sessionmaker, settings=settings)
    return found


async def _same_parties(
    user: ConsoleUser, raw: dict[str, str], *, sessionmaker: SessionmakerDep, settings: Settings
) -> list[RelatedCase]:
    seen: dict[str, RelatedCase] = {}
    for person in party_lookups(raw):
        if not person["id_number"] and not (person["name"] and person["phone"]):
            continue
        try:
            query = PartyQuery.model_validate(person)
            answer = await parties.cases_of_party(
                query,
                limit=10,
                principal=user.principal,
                settings=settings,
                sessionmaker=sessionmaker,
            )
        except (ValidationError, ApiError):
            continue  # an ID number half typed, a phone in a wrong form: nothing to look up
        for case in answer.items:
            seen.setdefault(case.case_id, case)
    return list(seen.values())


_PLACE = "jurisdiction."


def _place_code(raw: dict[str, str]) -> str:
    """The place chosen: the village, else the town, else the county (a village names its town)."""
    return next(
        (
            raw.get(f"{_PLACE}{level}_code", "").strip()
            for level in ("village", "town", "county")
            if raw.get(f"{_PLACE}{level}_code", "").strip()
        ),
        "",
    )


@dataclass
class Places:
    """属地 pickers: the registry's places in the caller's area, by level, and the preset."""

    counties: Options = ()
    towns: Options = ()
    villages: Options = ()
    preset: dict[str, str] = field(default_factory=dict)

    def fields(self) -> list[Field]:
        chosen = {"county": self.counties, "town": self.towns, "village": self.villages}
        return [
            replace(f, options=chosen[f.name.removeprefix(_PLACE).removesuffix("_code")])
            if f.name.startswith(_PLACE)
            else f
            for f in BASE_FIELDS
        ]


async def intake_places(user: ConsoleUser, *, sessionmaker: SessionmakerDep) -> Places:
    """Counties, towns and villages (named 街道 / 社区) to choose from; a level above the
    caller's own area is offered as the area itself, a level below may be left unchosen."""
    area = user.principal.jurisdiction or ""
    known = await registry.intake_places(user.principal, sessionmaker=sessionmaker)
    names = {p.code: p.name for p in known}
    by_level: dict[str, list[JurisdictionView]] = {}
    for place in known:
        by_level.setdefault(place.level.value, []).append(place)
    counties = tuple((p.code, p.name) for p in by_level.get("county", []))
    if not counties and len(area) >= 6:  # a county the registry does not list: its code
        counties = ((area[:6], area[:6]),)
    towns = tuple((p.code, p.name) for p in by_level.get("town", []))
    villages = tuple(
        (p.code, f"{names.get(p.parent_code or '', '')} / {p.name}".lstrip(" /"))
        for p in by_level.get("village", [])
    )
    if len(area) <= 6:
        towns = (("", "不选（属县区本级）"), *towns)
    if len(area) <= 9:
        villages = (("", "不选（属乡镇街道本级）"), *villages)
    preset = {
        f"{_PLACE}{level}_code": area[:length]
        for level, length in (("county", 6), ("town", 9), ("village", 12))
        if len(area) >= length
    }
    return Places(counties, towns, villages, preset)


def _as_placed(raw: dict[str, str]) -> dict[str, str]:
    """The form shown again with the place as it will be recorded (a village chosen with its
    town left unchosen, without the script, shows its town)."""
    try:
        place = Jurisdiction.at(_place_code(raw))
    except ValidationError:
        return raw
    levels = ("county", "town", "village")
    return {**raw, **{f"{_PLACE}{k}_code": getattr(place, f"{k}_code") or "" for k in levels}}


async def _placed(body: dict[str, Any], *, sessionmaker: SessionmakerDep) -> dict[str, Any]:
    """The body with the place chosen as the case records it: every level's code and name."""
    code = _place_code({f"{_PLACE}{k}": v for k, v in (body.get("jurisdiction") or {}).items()})
    if not code:
        return body  # the request model says it is required, beside the field
    try:
        place = await registry.place_of(code, sessionmaker=sessionmaker)
    except ValidationError:
        return body  # a code of no level: the request model refuses it beside the field
    return {**body, "jurisdiction": place.model_dump(exclude_none=True)}


def _form_fields(places: Places, check: IntakeCheck, parties: PartyForm) -> list[Field]:
    return [*places.fields(), *routing_fields(check.answer), *parties.fields()]


def _kept_choice(raw: dict[str, str], check: IntakeCheck) -> dict[str, str]:
    """The registrar's own choice stays; one never changed follows the new suggestion."""
    suggestion = check.answer.suggestion if check.answer else None
    suggested = suggestion.organisation.org_id if suggestion else ""
    chosen = raw.get("routing.organisation", "")
    if not chosen or chosen == raw.get(_SUGGESTED, ""):
        chosen = suggested
    return {**raw, "routing.organisation": chosen, _SUGGESTED: suggested}


def _context(
    user: ConsoleUser, state: FormState, check: IntakeCheck, parties: PartyForm
) -> dict[str, Any]:
    own = [f for f in state.fields if f.name in {b.name for b in BASE_FIELDS}]
    head = [f for f in own if f.group in _HEAD]
    tail = [f for f in own if f.group not in _HEAD]
    return {
        "user": user,
        "form": state,
        "head": FormState(head, state.values, state.errors, state.message),
        "tail": FormState(tail, state.values, state.errors),
        "lists": parties.shown(state.values, state.errors),
        "counts": parties.counts,
        "kind": parties.kind.value,
        "headings": {k.value: v for k, v in HEADINGS.items()},
        "check": check,
        "idempotency_key": str(uuid.uuid4()),
    }


def _inputs(parties: PartyForm, answer: RoutingAnswer | None = None) -> list[Field]:
    """Every input of the form, each once: the 分流 inputs carry the choices of ``answer``
    (none when the form is only read, which needs their names and not their choices)."""
    return [*BASE_FIELDS, *routing_fields(answer), *parties.fields()]


def _read(form: dict[str, list[str]]) -> tuple[dict[str, list[str]], PartyForm, list[Field]]:
    """The posted form (its parties' blank rows dropped when it is sent to be registered, not
    while rows are being added) and every input it has."""
    drafting = any((form.get(name) or [""])[0] for name in ("preview", "add_row"))
    form, parties = compact(form, drop_blank=not drafting)
    return form, parties, _inputs(parties)


@router.get("/cases/new")
async def intake_form(
    request: Request,
    user: Actor,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    kind: str = "",
) -> Response:
    """The form; ``?kind=petition`` draws it for a 信访事项 (its heading, 信访人 and 被反映人)."""
    places = await intake_places(user, sessionmaker=sessionmaker)
    preset = {**places.preset, "kind": kind} if kind in {"dispute", "petition"} else places.preset
    _, parties = compact({"kind": [preset.get("kind", "")]})
    check = await check_intake(user, preset, sessionmaker=sessionmaker, settings=settings)
    state = FormState(_form_fields(places, check, parties), values=_kept_choice(preset, check))
    return render(request, "intake.html", _context(user, state, check, parties))


@router.post("/cases/new/check")
async def intake_check(
    request: Request, user: Actor, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> Response:
    """The 分流 panel for what has been entered so far (``console.js`` swaps it in)."""
    form, parties, fields = _read(await checked_form(request, user))
    _, raw = body_of(fields, form)
    check = await check_intake(user, raw, sessionmaker=sessionmaker, settings=settings)
    # The 分流 inputs drawn once, with the choices of the new suggestion (read with none).
    state = FormState(_inputs(parties, check.answer), _kept_choice(raw, check))
    return fragment(request, "intake.html", "routing_panel", _context(user, state, check, parties))


@router.post("/cases/new")
async def register(
    request: Request,
    user: Actor,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Response:
    posted = await checked_form(request, user)
    form, parties, read = _read(posted)
    _, raw = body_of(read, form)
    check = await check_intake(user, raw, sessionmaker=sessionmaker, settings=settings)
    places = await intake_places(user, sessionmaker=sessionmaker)
    fields = _form_fields(places, check, parties)
    raw = _as_placed(_kept_choice(raw, check))
    state = FormState(fields, values=raw)
    context = _context(user, state, check, parties)
    if (form.get("preview") or form.get("add_row") or [""])[0]:  # without JavaScript
        return render(request, "intake.html", context)
    body, _ = body_of([f for f in fields if f.name != _SUGGESTED], _multi(raw, fields))
    body = as_request(await _placed(body, sessionmaker=sessionmaker))
    try:
        checked = IntakeRequest.model_validate(body)
    except ValidationError as error:
        state.errors = beside(field_errors(error, fields))
        context = _context(user, state, check, parties)
        return render(request, "intake.html", context, status=422)
    try:
        registered = await intake.register(
            checked.model_dump(),
            key=form_key(posted),
            principal=user.principal,
            sessionmaker=sessionmaker,
            temporal=temporal,
            settings=settings,
        )
    except ApiError as refused:
        show_refusal(state, refused)
        context = _context(user, state, check, parties)
        return render(request, "intake.html", context, status=refused.status)
    case_id = str(registered.body["case_id"])
    note = registered.body.get("message_zh")
    if note:  # a repeat recorded on a petition another center handles
        return render(
            request,
            "error.html",
            {"user": user, "status": 200, "title": "已记为重复信访", "message": note},
        )
    return RedirectResponse(f"/cases/{case_id}?done=registered", status_code=303)


def _multi(raw: dict[str, str], fields: list[Field]) -> dict[str, list[str]]:
    """The raw values as a posted form again (a ``checks`` input's lines as its values)."""
    checks = {f.name for f in fields if f.kind == "checks"}
    return {k: (v.split("\n") if k in checks else [v]) for k, v in raw.items()}
