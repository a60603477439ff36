"""我的待办 (worklist): the mediation staff's home page, and a leader's 督办 list.

The page calls the service ``GET /v1/worklist`` calls: groups with counts, nearest due first,
overdue marked, 积案 as its own group; ``mine`` narrows to the items naming the caller.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from api.console.session import ConsoleRoute, ConsoleUser, PageError, require
from api.console.templating import render
from api.deps import SessionmakerDep, SettingsDep
from api.services import registry, worklist
from api.services.worklist import WORKLIST_ROLES
from domain.case.worklist import WorkKind
from domain.people.access import Permission, Role

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reader = Annotated[ConsoleUser, Depends(require(Permission.READ_CASE))]


@router.get("/worklist")
async def worklist_page(
    request: Request,
    user: Reader,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    group: str | None = None,
    mine: bool = False,
    organisation: str | None = None,
    cursor: str | None = None,
) -> Response:
    if user.principal.role not in WORKLIST_ROLES:
        raise PageError(403, "当前角色没有待办")
    chosen = WorkKind(group) if group in {k.value for k in WorkKind} else None
    # A leader's drill-down to one organisation (staff always see their own organisation's).
    of_organisation = organisation if user.principal.role is Role.LEADER else None
    found = await worklist.worklist(
        group=chosen,
        mine=mine,
        cursor=cursor,
        limit=50,
        principal=user.principal,
        settings=settings,
        sessionmaker=sessionmaker,
        of_organisation=of_organisation or None,
    )

    shown = {i.organisation for i in found.items if i.organisation}
    shown |= {i.holder_id for i in found.items if i.holder_id and not i.holder_name}
    names = await registry.organisation_names(
        shown | ({of_organisation} if of_organisation else set()), sessionmaker=sessionmaker
    )

    def link(**change: object) -> str:
        query = {
            "group": chosen.value if chosen else None,
            "mine": "true" if mine else None,
            "organisation": of_organisation,
        }
        query.update({k: str(v) if v is not None else None for k, v in change.items()})
        kept = {k: v for k, v in query.items() if v}
        return "/worklist" + (f"?{urlencode(kept)}" if kept else "")

    return render(
        request,
        "worklist.html",
        {
            "user": user,
            "work": found.model_dump(mode="json"),
            "group": chosen.value if chosen else None,
            "mine": mine,
            "link": link,
            "names": names,
            # The drill-down's organisation, said on the page and clearable.
            "filtered_to": (
                names.get(of_organisation, of_organisation) if of_organisation else None
            ),
            "clear_link": link(organisation="", cursor=None) if of_organisation else None,
            "next_link": link(cursor=found.next_cursor) if found.next_cursor else None,
            "first_link": link() if cursor else None,
        },
    )
