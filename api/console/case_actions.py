"""Which action forms a case page offers (办理), and what their pickers list.

An action is offered when the stage table allows it (``domain.case.stages.allowed``) and the
caller's organisation is the one that sends it on the case now (``domain.case.reach.may_act``, the
check the JSON routes make): the holder's staff act; 签收/退回 belong to the organisation a transfer
awaits, a report-back to the department assigned. Organisation pickers list the registry's
active organisations, mediators come from the roster of the holder and the co-handlers; what
the case then refuses (a second transfer while one awaits…) is the API's message beside the form.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.access import reach_of
from api.console import listing_forms
from api.console.forms import (
    ACTION_FIELDS,
    BY_HAND,
    Field,
    FormState,
    Options,
    follow_up_fields,
)
from api.console.listing_forms import LISTING_FIELDS, unit_options
from api.console.session import ConsoleUser
from api.console.session_forms import SESSION_FIELDS, roster_picker, session_fields
from api.handoff_schemas import HANDOFF_ROUTES
from api.leader_schemas import LEADER_ROUTES
from api.listing_schemas import LISTING_ROUTES
from api.registry_schemas import OrganisationView
from api.schemas import ACTION_ROUTES, ActionRoute
from api.services import people_picks, registry
from api.session_schemas import SESSION_ROUTES
from domain.case.labels import ACTION_LABELS
from domain.case.leader_records import INSTRUCTION_SOURCE_LABELS, InstructionSource
from domain.case.reach import INCOMING_COMMANDS, CaseReach, may_act
from domain.case.stages import Action, Stage, allowed
from domain.organisation.organisations import OrgType
from domain.people.access import Permission
from domain.values import MediationType

# The console's forms for the JSON API's command routes (alerts are acknowledged from the inbox).
FORMS: dict[str, list[Field]] = {**ACTION_FIELDS, **SESSION_FIELDS, **LISTING_FIELDS}
ROUTES: dict[str, ActionRoute] = {
    r.path: r
    for r in (*ACTION_ROUTES, *HANDOFF_ROUTES, *SESSION_ROUTES, *LEADER_ROUTES, *LISTING_ROUTES)
    if r.path in FORMS
}
# Forms whose pickers list the registry's organisations: by default those over the case's place
# (its village's, town's and county's); any other is found by walking places or by name
# (``api.console.handoff_pickers``).
ORG_PICKERS = {
    "transfer": "to_organisation",
    "assign": "department",
    "lift": "to_organisation",
    "co-handlers": "organisation",
}


def form_prefix(path: str) -> str:
    """Each action form's inputs have ids of their own (several forms share field names)."""
    return path.replace("/", "-") + "-"


def action_of(route: ActionRoute) -> Action:
    return Action(route.command.model_fields["type"].default)


def command_type(route: ActionRoute) -> str:
    return str(route.command.model_fields["type"].default)


@dataclass
class OfferedAction:
    path: str
    label: str
    form: FormState
    key: str
    open: bool = False
    picker: Any = None  # a hand-off picker's walk (``handoff_pickers.PickerWalk``)

    @property
    def slug(self) -> str:
        return self.path.replace("/", "-")


@dataclass(frozen=True)
class Choices:
    """What the pickers list: active organisations, and the roster of the case's organisations
    (mediator id, name and organisation)."""

    organisations: tuple[OrganisationView, ...] = ()
    nearby: tuple[OrganisationView, ...] = ()  # over the case's place: the hand-off pickers' list
    roster: Options = ()
    staff: Options = ()  # 责任人: the holder's active staff (user id, name)
    leaders: Options = ()  # 包案领导: the active leaders over the case's place


def _clock_options(document: dict[str, Any], statuses: set[str]) -> Options:
    return tuple(
        (
            clock["clock_id"],
            f"{clock['name']}{'（' + clock['subject'] + '）' if clock.get('subject') else ''}",
        )
        for clock in document.get("clocks", ())
        if clock["status"] in statuses
    )


def org_option(org: OrganisationView) -> tuple[str, str]:
    where = org.jurisdiction_name or org.jurisdiction_code
    return org.org_id, f"{org.name}（{org.type_label}，{where}）"


def _with(fields: list[Field], name: str, **changes: Any) -> list[Field]:
    return [replace(f, **changes) if f.name == name else f for f in fields]


def _report_options(user: ConsoleUser, document: dict[str, Any], reach: CaseReach) -> Options:
    """The open assignments (交办) the caller's department reports back on."""
    return tuple(
        (
            str(a["assignment_no"]),
            f"第 {a['assignment_no']} 次交办：{a['instructions'][:30]}（期限 {a['deadline']}）",
        )
        for a in document.get("assignments") or ()
        if a.get("report") is None
        and may_act(user.principal, reach, "report_back", a["assignment_no"])
    )


def instruction_options(document: dict[str, Any]) -> Options:
    """The instructions (and 签收意见) not yet answered, for 落实反馈."""
    return tuple(
        (
            str(i["instruction_no"]),
            f"第 {i['instruction_no']} 号"
            f"{INSTRUCTION_SOURCE_LABELS[InstructionSource(i['source'])]}"
            f"（{i['leader']}）：{i['text'][:30]}",
        )
        for i in document.get("instructions") or ()
        if i.get("answer") is None
    )


def fields_for(
    path: str,
    document: dict[str, Any],
    choices: Choices,
    user: ConsoleUser,
    reach: CaseReach,
) -> list[Field]:
    fields = FORMS[path]
    booking = session_fields(path, fields, document, choices.roster, user.principal.mediator_id)
    if booking is not None:
        return booking
    if path == "follow-ups":
        agreements = document.get("agreements") or []
        return follow_up_fields(list(agreements[-1]["items"]) if agreements else [])
    if path in ("clocks/pause", "clocks/extend"):
        return _with(fields, "clock_id", options=_clock_options(document, {"running"}))
    if path == "clocks/resume":
        return _with(fields, "clock_id", options=_clock_options(document, {"paused"}))
    if path in ORG_PICKERS:
        name = ORG_PICKERS[path]
        picked = tuple(org_option(o) for o in choices.nearby if o.org_id != reach.holder_id)
        first = next(f for f in fields if f.name == name).options  # lift: "the parent"
        return _with(fields, name, options=first + picked)
    if path == "plan":  # 责任单位: the registry's units, the case's holder first
        units = sorted(choices.organisations, key=lambda o: o.org_id != reach.holder_id)
        options = (*(org_option(o) for o in units), *BY_HAND)
        fields = _with(fields, "unit_id", options=options, value=reach.holder_id or "")
        mine = user.principal.user_id
        preset = mine if any(value == mine for value, _ in choices.staff) else ""
        staff = (*choices.staff, *BY_HAND)
        return _with(fields, "responsible_person_id", options=staff, value=preset)
    if path == "package-leader":  # 包案领导: the leaders whose area holds the case
        return _with(fields, "leader_id", options=(*choices.leaders, *BY_HAND))
    if path == "judicial-confirmation":  # 人民法院: the registry's courts (诉调对接窗口)
        courts = [o for o in choices.organisations if o.type == OrgType.COURT_DESK]
        return _with(fields, "court_id", options=(*(org_option(o) for o in courts), *BY_HAND))
    if path == "co-handlers/remove":
        current = tuple((o["org_id"], o["name"]) for o in document.get("co_handlers") or ())
        return _with(fields, "organisation", options=current)
    if path == "report-back":
        return _with(fields, "assignment_no", options=_report_options(user, document, reach))
    if path == "instructions/answer":
        return _with(fields, "instruction_no", options=instruction_options(document))
    if path == "listing":
        return _with(fields, "supervising_unit", options=unit_options(choices.organisations))
    if path == "start-mediation":
        holder_type = _holder_type(choices, reach)
        preset = _MEDIATION_BY_HOLDER.get(holder_type, "") if holder_type else ""
        fields = _with(fields, "mediation_type", value=preset)
        if not choices.roster:
            return fields
        roster = roster_picker(choices.roster, user.principal.mediator_id)
        return [roster if f.name == "mediators" else f for f in fields]
    return fields


# 调解类型 preset by the kind of organisation that holds the case: a 人民调解 body (centre,
# committee) mediates as 人民调解, a sector room as 行业性专业性调解; others choose.
_MEDIATION_BY_HOLDER = {
    OrgType.CENTER: MediationType.PEOPLES.value,
    OrgType.MEDIATION_COMMITTEE: MediationType.PEOPLES.value,
    OrgType.SECTOR_ROOM: MediationType.SECTOR.value,
}


def _holder_type(choices: Choices, reach: CaseReach) -> OrgType | None:
    return next((o.type for o in choices.organisations if o.org_id == reach.holder_id), None)


def missing_fields(fields: list[Field], raw: dict[str, str]) -> dict[str, str]:
    """Every required field left empty, each with its message, all at once (the request model
    knows only its own required fields: a roster pick is checked later, by the service)."""
    return {
        f.name: ("请选择" if f.kind in ("select", "checks") else "此项必填")
        for f in fields
        if f.required and f.kind not in ("checkbox", "hidden") and not raw.get(f.name, "").strip()
    }


def _may_send(user: ConsoleUser, reach: CaseReach, route: ActionRoute) -> bool:
    if route.path == "report-back":  # per assignment: fields_for lists those the caller answers
        return True
    sent = command_type(route)
    if sent in INCOMING_COMMANDS and reach.incoming_id is None:
        return False  # 签收/退回 only by the organisation a transfer awaits, while it awaits
    return may_act(user.principal, reach, sent)


def offered_actions(
    user: ConsoleUser, document: dict[str, Any], choices: Choices
) -> list[OfferedAction]:
    """The actions the stage table allows this case now that the caller's organisation sends
    (a leader: 风险研判 and 领导批示 on the cases within reach)."""
    if not (user.may(Permission.ACT) or user.may(Permission.INSTRUCT)):
        return []
    stage, kind = Stage(document["stage"]), str(document.get("kind", "dispute"))
    reach = reach_of(document)
    offered = []
    for path, route in ROUTES.items():
        if not allowed(action_of(route), stage, kind) or not _may_send(user, reach, route):
            continue
        if path in _WAITS_FOR_COURT and not _court_accepted(document):
            continue  # 记录法院受理 first: the case refuses a decision before it
        if path in _WAITS_FOR_TAKING and reach.incoming_id is not None:
            continue  # a transfer awaits 签收: the receiver takes and accepts it, or sends it back
        if path == "recall" and reach.incoming_id is None:
            continue  # 撤回转办 only while a transfer the caller's organisation sent awaits 签收
        if not listing_forms.offered(path, user, document):
            continue  # 挂牌 by a leader of the policy's level; 摘牌 by the lister or delegate
        fields = fields_for(path, document, choices, user, reach)
        if any(f.kind in ("select", "checks") and f.required and not f.options for f in fields):
            continue  # nothing to choose (no clock, no open assignment, no co-handler…)
        label = ACTION_LABELS[action_of(route)]
        form = FormState(fields, prefix=form_prefix(path))
        offered.append(OfferedAction(path, label, form, str(uuid.uuid4())))
    return offered


# Not offered to the sender while a transfer it sent awaits 签收 (a second 转办 or 上提 is
# refused; 受理 is the receiver's once it takes the case).
_WAITS_FOR_TAKING = frozenset({"transfer", "lift", "accept"})

# Offered only once the court's acceptance of the application is recorded.
_WAITS_FOR_COURT = frozenset({"court-decision"})


def _court_accepted(document: dict[str, Any]) -> bool:
    applications = document.get("judicial_confirmations") or [{}]
    return bool(applications[-1].get("accepted_on"))


def needs_choices(user: ConsoleUser, document: dict[str, Any]) -> bool:
    """The caller's organisation acts on the case now (only then are pickers filled)."""
    if listing_forms.may_list(user, document):
        return True  # 督办单位: the county's organisations
    if not user.may(Permission.ACT):
        return False
    reach = reach_of(document)
    return may_act(user.principal, reach, "transfer")


async def load_choices(
    user: ConsoleUser,
    document: dict[str, Any],
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Choices:
    """The active organisations of the case's county (区县: its own, its towns' and villages')
    and the roster of the holder and co-handlers, when the caller's organisation holds the case
    (nobody else gets a picker). A picker of the whole registry was thousands of options in
    every hand-off form (the console benchmark's four counties: 1,068 organisations, four
    pickers, 160 ms a case page)."""
    if not needs_choices(user, document):
        return Choices()
    principal = user.principal
    county = str(document["jurisdiction"]["county_code"])
    organisations = await registry.list_organisations(
        principal, within=county, covering=None, active=True, sessionmaker=sessionmaker
    )
    if not user.may(Permission.ACT):
        return Choices(organisations=tuple(organisations))  # a leader: the 督办单位 picker only
    reach = reach_of(document)
    roster: list[tuple[str, str]] = []
    names = {o.org_id: o.name for o in organisations}
    for org_id in [reach.holder_id, *sorted(reach.co_handlers)]:
        if org_id is None or org_id not in names:
            continue
        for m in await registry.list_mediators(
            principal, org_id, active=True, sessionmaker=sessionmaker
        ):
            specialties = "、".join(m.specialty_labels)
            extra = f"，{specialties}" if specialties else ""
            roster.append(
                (m.mediator_id, f"{m.name}（{names[org_id]}，{m.employment_label}{extra}）")
            )
    staff, leaders = await people_picks.choices(
        reach.holder_id, reach.jurisdiction_code, sessionmaker=sessionmaker
    )
    where = document["jurisdiction"]
    place = where.get("village_code") or where.get("town_code") or county
    nearby = await registry.list_organisations(
        principal, within=None, covering=str(place), active=True, sessionmaker=sessionmaker
    )
    return Choices(
        organisations=tuple(organisations),
        nearby=tuple(nearby),
        roster=tuple(roster),
        staff=tuple(staff),
        leaders=tuple(leaders),
    )
