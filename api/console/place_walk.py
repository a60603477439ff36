"""Walking the registry by place (县 → 乡镇 → 村 → 网格) or finding an organisation by name, one
bounded page at a time: what the 单位名录 page and the case page's hand-off pickers show.

Both read the registry through ``api.services.registry`` (``place_walk``, ``find_organisations``),
the services of ``GET /v1/jurisdictions/walk`` and ``GET /v1/organisations?at=&name=&limit=``.
Everything is a plain GET (links and a search form), so it works without JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.console.session import ConsoleUser, PageError
from api.errors import ApiError
from api.registry_schemas import OrganisationList, PlaceWalk
from api.services import registry
from domain.text import NO_CONTROL_CHARS

PER_PAGE = registry.ORGANISATIONS_PER_PAGE
MAX_PAGE = 10_000
NAME_MAX = 100
_PLACE = re.compile(r"^\d{6}(\d{3}){0,3}$")
_NAME = re.compile(NO_CONTROL_CHARS)


@dataclass(frozen=True)
class WalkQuery:
    """Where the walk stands: a place (None: the top), a name searched for, a page (from 1)."""

    place: str | None = None
    name: str = ""
    page: int = 1


def walk_query(place: str | None, q: str | None, page: str | None) -> WalkQuery:
    """The query parameters checked (a 422 page for a code of no level, a name too long or
    with control characters, a page that is not a number from 1 to 10000)."""
    place = (place or "").strip() or None
    if place is not None and not _PLACE.match(place):
        raise PageError(422, "区划代码应为 6、9、12 或 15 位数字")
    name = (q or "").strip()
    if len(name) > NAME_MAX or not _NAME.match(name):
        raise PageError(422, f"单位名称检索词应不超过 {NAME_MAX} 个字，且不含控制字符")
    try:
        number = int(page) if page not in (None, "") else 1
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PAGE:
        raise PageError(422, f"页码应为 1 至 {MAX_PAGE} 之间的整数")
    return WalkQuery(place, name, number)


@dataclass(frozen=True)
class Walk:
    """One page of the walk: the place and around it, and the organisations listed (those at
    the place, or when a name is searched those within it whose name holds it)."""

    query: WalkQuery
    where: PlaceWalk
    organisations: OrganisationList

    @property
    def pages(self) -> int:
        return max(1, -(-(self.organisations.total or 0) // PER_PAGE))

    def link(self, base: str, **changes: str | int | None) -> str:
        """``base`` with the walk's parameters, some changed (None drops one)."""
        params: dict[str, str | int | None] = {
            "place": self.query.place,
            "q": self.query.name or None,
            "page": self.query.page if self.query.page > 1 else None,
            **changes,
        }
        kept = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{base}?{urlencode(kept)}" if kept else base


async def walk(
    user: ConsoleUser,
    query: WalkQuery,
    *,
    grids: bool,
    active: bool | None,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Walk:
    try:
        where = await registry.place_walk(
            user.principal, query.place, grids=grids, sessionmaker=sessionmaker
        )
    except ApiError as refused:
        if refused.status == 404:
            raise PageError(404, refused.body.message_zh) from refused
        raise
    listed = OrganisationList(items=[], total=0)
    if query.name or query.place is not None:
        listed = await registry.find_organisations(
            user.principal,
            at=None if query.name else query.place,
            within=query.place if query.name else None,
            name=query.name or None,
            active=active,
            limit=PER_PAGE,
            offset=(query.page - 1) * PER_PAGE,
            sessionmaker=sessionmaker,
        )
    return Walk(query, where, listed)
