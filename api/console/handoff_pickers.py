"""The hand-off pickers of the case page (转办 交办 上提 联合调处): the receiving organisation is
chosen from those over the case's place, or found by walking places or by name, server-side.

The walk is a GET of the case page (``?pick=transfer&place=…&q=…&page=…``) that lists, in that
one form's picker, one place's organisations (or those found by name), 50 a page, from anywhere in
the registry — another county's too. Which of them may receive the case is the API's to say (the
same 422/409 as the JSON routes, shown beside the form).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.access import reach_of
from api.console.case_actions import ORG_PICKERS, OfferedAction, org_option
from api.console.forms import Field
from api.console.place_walk import Walk, WalkQuery, walk
from api.console.session import ConsoleUser
from api.errors import ApiError
from api.services import registry

Place = tuple[str, str]  # code, name


@dataclass(frozen=True)
class PickerWalk:
    """What a picker's walk shows: the places above, the place, those inside it, and what the
    picker lists (``total`` None: the organisations over the case's place, the default)."""

    trail: tuple[Place, ...]
    here: Place | None
    children: tuple[Place, ...] = ()
    more_children: bool = False
    query: WalkQuery = WalkQuery()
    total: int | None = None
    pages: int = 1


def case_places(document: dict[str, Any]) -> PickerWalk:
    """The default: the places the case lies in (county, town, village), as links to walk."""
    where = document["jurisdiction"]
    places = [
        (str(where[f"{level}_code"]), str(where.get(f"{level}_name") or where[f"{level}_code"]))
        for level in ("county", "town", "village")
        if where.get(f"{level}_code")
    ]
    return PickerWalk(trail=tuple(places), here=None)


def _walked(shown: Walk) -> PickerWalk:
    where = shown.where
    return PickerWalk(
        trail=tuple((p.code, p.name) for p in where.trail),
        here=(where.place.code, where.place.name) if where.place else None,
        children=tuple((p.code, p.name) for p in where.children),
        more_children=where.children_total > len(where.children),
        query=shown.query,
        total=shown.organisations.total or 0,
        pages=shown.pages,
    )


def _options(fields: list[Field], name: str, options: Any) -> list[Field]:
    return [replace(f, options=options) if f.name == name else f for f in fields]


async def attach(
    actions: list[OfferedAction],
    document: dict[str, Any],
    user: ConsoleUser,
    *,
    pick: str | None,
    query: WalkQuery,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Give each hand-off form its walk; the one walked (``pick``) lists what the walk found."""
    holder = reach_of(document).holder_id
    for action in actions:
        if action.path not in ORG_PICKERS:
            continue
        if action.path != pick:
            action.picker = action.picker or case_places(document)
            continue
        shown = await walk(user, query, grids=False, active=True, sessionmaker=sessionmaker)
        name = ORG_PICKERS[action.path]
        field = next(f for f in action.form.fields if f.name == name)
        first = tuple(o for o in field.options if o[0] == "")  # 上提: "the holder's parent"
        found = tuple(org_option(o) for o in shown.organisations.items if o.org_id != holder)
        action.form.fields = _options(action.form.fields, name, first + found)
        action.picker = _walked(shown)
        action.open = True


async def keep_chosen(
    fields: list[Field],
    path: str,
    raw: dict[str, str],
    user: ConsoleUser,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[Field]:
    """A form sent back (refused) keeps the organisation chosen by walking in its picker."""
    name = ORG_PICKERS.get(path)
    chosen = raw.get(name or "", "")
    if name is None or not chosen:
        return fields
    field = next(f for f in fields if f.name == name)
    if any(value == chosen for value, _ in field.options):
        return fields
    try:
        org = await registry.read_organisation(user.principal, chosen, sessionmaker=sessionmaker)
    except ApiError:
        return fields  # an unknown id: the API's refusal is shown beside the picker
    return _options(fields, name, (*field.options, org_option(org)))
