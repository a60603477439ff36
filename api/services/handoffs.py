"""Commands whose bodies name the registry (转办 交办 上提 联合调处, mediators from the roster):
the ids a body gives become what the case records.

An organisation id becomes its ``OrgRef`` (422 naming the field for an unknown or inactive one);
上提 without a target goes to the holder's parent (上级单位); roster ids become the mediators'
names, and only the roster of the holder or of a co-handling organisation may be chosen from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import registry as registry_store
from api.errors import database_errors, invalid_input
from api.handoff_schemas import (
    AssignRequest,
    CoHandlerRequest,
    LiftRequest,
    TransferRequest,
)
from api.schemas import (
    ActionRoute,
    CommandBody,
    JudicialConfirmationRequest,
    PackageLeaderRequest,
    PlanRequest,
    StartMediationRequest,
)
from api.services import people_picks
from api.session_schemas import ScheduleSessionRequest
from domain.case import commands as c
from domain.case.reach import CaseReach
from domain.organisation.organisations import OrgRef

Sessionmaker = async_sessionmaker[AsyncSession]
Resolver = Callable[[Any, CaseReach, Sessionmaker], Awaitable[c.Command]]


async def _organisation(org_id: str, field: str, *, session: AsyncSession) -> OrgRef:
    org = await registry_store.get_organisation(org_id, session=session)
    if org is None:
        raise invalid_input(
            f"单位 {org_id} 不存在", f"organisation {org_id} is unknown", field=field
        )
    if not org.active:
        raise invalid_input(
            f"单位 {org.name}（{org_id}）已停用", f"organisation {org_id} is inactive", field=field
        )
    return org.ref


async def resolve_organisation(org_id: str, field: str, *, sessionmaker: Sessionmaker) -> OrgRef:
    """The organisation ``org_id`` as a case records it; 422 on ``field`` if unknown/inactive."""
    with database_errors():
        async with sessionmaker() as session:
            return await _organisation(org_id, field, session=session)


async def _transfer(body: TransferRequest, reach: CaseReach, sm: Sessionmaker) -> c.Command:
    to = await resolve_organisation(body.to_organisation, "to_organisation", sessionmaker=sm)
    return c.Transfer(to_organisation=to, reason=body.reason)


async def _assign(body: AssignRequest, reach: CaseReach, sm: Sessionmaker) -> c.Command:
    department = await resolve_organisation(body.department, "department", sessionmaker=sm)
    return c.Assign(department=department, deadline=body.deadline, instructions=body.instructions)


async def _lift(body: LiftRequest, reach: CaseReach, sm: Sessionmaker) -> c.Command:
    if body.to_organisation is not None:
        to = await resolve_organisation(body.to_organisation, "to_organisation", sessionmaker=sm)
        return c.Lift(to_organisation=to, reason=body.reason)
    with database_errors():
        async with sm() as session:
            try:
                parent = (
                    await registry_store.parent_of(reach.holder_id, session=session)
                    if reach.holder_id is not None
                    else None
                )
            except registry_store.UnknownEntry:
                parent = None
            if parent is None:
                raise invalid_input(
                    "承办单位没有上级单位，请指定上提至的单位",
                    "the holding organisation has no parent: name the organisation to lift to",
                    field="to_organisation",
                )
            to = await _organisation(parent.org_id, "to_organisation", session=session)
    return c.Lift(to_organisation=to, reason=body.reason)


async def _add_co_handler(body: CoHandlerRequest, reach: CaseReach, sm: Sessionmaker) -> c.Command:
    org = await resolve_organisation(body.organisation, "organisation", sessionmaker=sm)
    return c.AddCoHandler(organisation=org, note=body.note)


async def _remove_co_handler(
    body: CoHandlerRequest, reach: CaseReach, sm: Sessionmaker
) -> c.Command:
    # Leaving needs no active entry: an organisation stopped since it joined may still leave.
    with database_errors():
        async with sm() as session:
            org = await registry_store.get_organisation(body.organisation, session=session)
    if org is None:
        raise invalid_input(
            f"单位 {body.organisation} 不存在",
            f"organisation {body.organisation} is unknown",
            field="organisation",
        )
    return c.RemoveCoHandler(organisation=org.ref, note=body.note)


async def _start_mediation(
    body: StartMediationRequest, reach: CaseReach, sm: Sessionmaker
) -> c.Command:
    fields = body.model_dump(exclude={"mediators", "mediator_ids"})
    names = await roster_names(body.mediator_ids, body.mediators, reach, sm)
    return c.StartMediation(**fields, mediators=names, mediator_ids=body.mediator_ids)


async def _schedule_session(
    body: ScheduleSessionRequest, reach: CaseReach, sm: Sessionmaker
) -> c.Command:
    fields = body.model_dump(exclude={"mediators", "mediator_ids"})
    names = await roster_names(body.mediator_ids, body.mediators, reach, sm)
    return c.ScheduleSession(**fields, mediators=names, mediator_ids=body.mediator_ids)


async def roster_names(
    mediator_ids: tuple[str, ...],
    mediators: tuple[str, ...],
    reach: CaseReach,
    sm: Sessionmaker,
) -> tuple[str, ...]:
    """The mediators' names: from the roster of the holding or a co-handling organisation
    (``mediator_ids``), else as named."""
    if not mediator_ids:
        if not mediators:
            raise invalid_input(
                "请从名册选择调解员，或填写调解员姓名",
                "choose mediators from the roster (mediator_ids) or name them (mediators)",
                field="mediators",
            )
        return mediators
    allowed = {reach.holder_id, *reach.co_handlers} - {None}
    names: list[str] = []
    with database_errors():
        async with sm() as session:
            for mediator_id in mediator_ids:
                found = await registry_store.get_mediator(mediator_id, session=session)
                if found is None or not found.active or found.org_id not in allowed:
                    raise invalid_input(
                        f"调解员 {mediator_id} 不在承办单位或联合调处单位的调解员名册中",
                        f"mediator {mediator_id} is not on the roster of the holding or a"
                        " co-handling organisation",
                        field="mediator_ids",
                    )
                names.append(found.name)
    if mediators and tuple(mediators) != tuple(names):
        raise invalid_input(
            "调解员姓名与名册不符（从名册选择即可，不必另填姓名）",
            "mediators do not match the roster's names (mediator_ids alone will do)",
            field="mediators",
        )
    return tuple(names)


async def _plan(body: PlanRequest, reach: CaseReach, sm: Sessionmaker) -> c.Command:
    """一案一策: a 责任单位 chosen from the registry is recorded by its name there, a 责任人
    chosen from the holder's staff by theirs (beside the id)."""
    unit = body.responsible_unit
    if body.unit_id:
        unit = (await resolve_organisation(body.unit_id, "unit_id", sessionmaker=sm)).name
    person = body.responsible_person
    if body.responsible_person_id:
        person = await people_picks.responsible_person(
            body.responsible_person_id, reach, sessionmaker=sm
        )
    fields = body.model_dump(include=set(c.Plan.model_fields) - {"type"})
    return c.Plan.model_validate({**fields, "responsible_unit": unit, "responsible_person": person})


async def _package_leader(
    body: PackageLeaderRequest, reach: CaseReach, sm: Sessionmaker
) -> c.Command:
    """领导包案: a leader chosen from the leaders over the case is recorded by their name."""
    name = body.leader_name
    if body.leader_id:
        name = await people_picks.package_leader(body.leader_id, reach, sessionmaker=sm)
    fields = body.model_dump(include=set(c.AssignPackageLeader.model_fields) - {"type"})
    return c.AssignPackageLeader.model_validate({**fields, "leader_name": name})


async def _judicial(
    body: JudicialConfirmationRequest, reach: CaseReach, sm: Sessionmaker
) -> c.Command:
    """司法确认: the 人民法院 chosen from the registry is recorded by its name there."""
    court = body.court
    if body.court_id:
        court = (await resolve_organisation(body.court_id, "court_id", sessionmaker=sm)).name
    return c.ApplyJudicialConfirmation(
        court=court, applied_on=body.applied_on, court_id=body.court_id
    )


# The action path → how its body becomes the command (routes not named here: field for field).
RESOLVERS: dict[str, Resolver] = {
    "transfer": _transfer,
    "assign": _assign,
    "lift": _lift,
    "co-handlers": _add_co_handler,
    "co-handlers/remove": _remove_co_handler,
    "start-mediation": _start_mediation,
    "sessions/schedule": _schedule_session,
    "plan": _plan,
    "package-leader": _package_leader,
    "judicial-confirmation": _judicial,
}


def command_maker(
    route: ActionRoute,
    body: CommandBody,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Callable[[CaseReach], Awaitable[c.Command]]:
    """How ``body`` (validated by ``route.request``) becomes the command, given the case's reach:
    registry and roster ids resolved (``RESOLVERS``), else field for field. The JSON route and
    the console build commands with this one function."""
    resolver = RESOLVERS.get(route.path)
    names = [name for name in route.command.model_fields if name != "type"]

    async def make(reach: CaseReach) -> c.Command:
        if resolver is not None:  # ids in the body become what the case records
            return await resolver(body, reach, sessionmaker)
        # The request model validated these very fields: building the command skips doing it
        # twice.
        fields = {name: getattr(body, name) for name in names}
        return cast("c.Command", route.command.model_construct(**fields))

    return make


def assignment_no(body: CommandBody) -> int | None:
    """The assignment a report-back answers (its department's staff send it)."""
    number = getattr(body, "assignment_no", None)
    return number if isinstance(number, int) else None
