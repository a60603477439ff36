"""各单位办理情况: a leader's counts by stage, 积案 and overdue per organisation, within their
jurisdiction (the same reach as their lists and counts)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.runtime.settings import Settings
from activities.store import boards
from activities.store import registry as registry_store
from activities.store.worklists import WorkFilter
from api.errors import database_errors, forbidden
from api.services.cases import reach_filter
from api.services.registry import list_organisations
from api.services.worklist import backlog_cutoff
from domain.case.stages import TERMINAL_STAGES, Stage
from domain.case.worklist import WorkKind
from domain.people.access import Principal, Role


class OrganisationLine(BaseModel):
    org_id: str
    name: str
    type_label: str
    level_label: str
    by_stage: dict[str, int]
    open: int  # not withdrawn or closed
    backlog: int  # 积案
    overdue: int  # cases with a clock overdue that this organisation must answer


class OrganisationBoard(BaseModel):
    jurisdiction: str
    lines: list[OrganisationLine]


async def organisation_board(
    principal: Principal, *, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> OrganisationBoard:
    """Each organisation holding cases in the leader's jurisdiction, or working there."""
    if principal.role is not Role.LEADER or principal.jurisdiction is None:
        raise forbidden("只有领导可以查看各单位办理情况", "leaders only")
    within = principal.jurisdiction
    orgs = await list_organisations(
        principal, within=within, covering=None, active=None, sessionmaker=sessionmaker
    )
    ended = {stage.value for stage in TERMINAL_STAGES}
    with database_errors():
        async with sessionmaker() as session:
            held = await boards.cases_by_holder(
                reach_filter(principal),
                backlog_before=backlog_cutoff(settings, datetime.now(UTC)),
                session=session,
            )
            overdue = await boards.overdue_by_organisation(
                WorkFilter(within=within, kinds=(WorkKind.CLOCK_OVERDUE.value,)), session=session
            )
            # An organisation above the jurisdiction holding its cases (a county centre) by name.
            outside = await registry_store.organisation_names(
                {i for i in (*held, *overdue) if i} - {o.org_id for o in orgs}, session=session
            )
    named = {o.org_id: o for o in orgs}
    lines = []
    for org_id in [*named, *sorted(set(held) - set(named))]:
        stages = held.get(org_id, {})
        org = named.get(org_id)
        lines.append(
            OrganisationLine(
                org_id=org_id,
                name=org.name if org else outside.get(org_id) or org_id or "（未登记单位）",
                type_label=org.type_label if org else "",
                level_label=org.level_label if org else "",
                by_stage={stage: count for stage, (count, _) in stages.items()},
                open=sum(n for stage, (n, _) in stages.items() if stage not in ended),
                backlog=sum(old for stage, (_, old) in stages.items() if stage not in ended),
                overdue=overdue.get(org_id, 0),
            )
        )
    lines = [line for line in lines if line.by_stage or line.overdue]
    return OrganisationBoard(jurisdiction=within, lines=lines)


STAGE_ORDER = [stage.value for stage in Stage]
