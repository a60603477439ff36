"""挂牌督办 and 摘牌 as commands: the body plus who sends it (the lister's account and level,
the approver's account), and the supervising unit resolved in the registry (422 if unknown)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.listing_schemas import DelistRequest, ListingRequest
from api.schemas import ActionRoute, CommandBody
from api.services.commands import CommandMaker
from api.services.handoffs import resolve_organisation
from domain.case import commands as c
from domain.case.reach import CaseReach
from domain.people.access import Principal


def listing_maker(
    body: ListingRequest,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> CommandMaker:
    async def make(reach: CaseReach) -> c.Command:
        unit = await resolve_organisation(
            body.supervising_unit, "supervising_unit", sessionmaker=sessionmaker
        )
        return c.ListCase(
            deadline=body.deadline,
            supervising_unit=unit.org_id,
            supervising_unit_name=unit.name,
            reason=body.reason,
            delegate=body.delegate,
            lister_user_id=principal.user_id,
            lister_jurisdiction=principal.jurisdiction,
        )

    return make


def delisting_maker(body: DelistRequest, principal: Principal) -> CommandMaker:
    async def make(reach: CaseReach) -> c.Command:
        return c.DelistCase(note=body.note, approver_user_id=principal.user_id)

    return make


def console_maker(
    route: ActionRoute,
    body: CommandBody,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> CommandMaker | None:
    """The console's 挂牌督办 and 摘牌 forms build their commands as the JSON routes do; None for
    any other form."""
    if isinstance(body, ListingRequest) and route.path == "listing":
        return listing_maker(body, principal, sessionmaker)
    if isinstance(body, DelistRequest) and route.path == "delisting":
        return delisting_maker(body, principal)
    return None
