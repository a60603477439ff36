"""Access at the API edge: which case a caller may reach, and what of it they may see.

404 for a case outside the caller's reach (its existence is not revealed); 403 for a role that
may never use the endpoint (``api/permissions.py``, before anything is looked up).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.identity import access_trail
from activities.identity.access_trail import Access
from activities.store import repositories
from api.errors import case_not_found, forbidden, unavailable
from api.gateway import query_state
from domain.access import Permission, Principal
from domain.privacy import mask_document


def jurisdiction_code(document: dict[str, Any]) -> str:
    where = document["jurisdiction"]
    code: str = where.get("village_code") or where.get("town_code") or where["county_code"]
    return code


def reachable(principal: Principal, document: dict[str, Any]) -> bool:
    return principal.reaches(jurisdiction_code(document), document.get("center_id"))


_SCOPES_KEPT = 50_000


class CaseScopes:
    """Where each case sits and whose it is; the workflow answers while the store is down.

    Both are fixed when the case is registered, so a scope once found is kept (no query per
    command on the hot path).
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], temporal: Client) -> None:
        self._sessionmaker = sessionmaker
        self._temporal = temporal
        # case id → (jurisdiction code, center)
        self._known: dict[str, tuple[str, str | None]] = {}

    async def scope(self, case_id: str) -> tuple[str, str | None] | None:
        scope = self._known.get(case_id)
        if scope is not None:
            return scope
        try:
            async with self._sessionmaker() as session:
                scope = await repositories.case_scope(case_id, session=session)
        except (SQLAlchemyError, OSError):
            scope = None
        if scope is None:
            state = await query_state(self._temporal, case_id)
            if state is None:
                return None
            scope = (jurisdiction_code(state), state.get("center_id"))
        if len(self._known) >= _SCOPES_KEPT:
            self._known.clear()
        self._known[case_id] = scope
        return scope

    async def ensure_reachable(self, principal: Principal, case_id: str) -> str:
        """The case's jurisdiction code, or 404 when the case is unknown or out of reach."""
        scope = await self.scope(case_id)
        if scope is None or not principal.reaches(*scope):
            raise case_not_found(case_id)
        return scope[0]


def check_reveal(principal: Principal, reveal: bool) -> None:
    if reveal and not principal.may(Permission.REVEAL_PII):
        raise forbidden(
            "当前角色无权查看完整个人信息", f"role '{principal.role.value}' may not reveal PII"
        )


def shown(principal: Principal, document: Any, *, reveal: bool) -> tuple[Any, tuple[str, ...]]:
    """The document masked for this caller, and the clear fields it shows (for the trail)."""
    return mask_document(document, reveal=reveal, see_watched=principal.may(Permission.SEE_WATCHED))


async def record_access(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    accesses: list[Access],
) -> None:
    """Write the access trail before answering: a read that cannot be recorded is not served."""
    if not accesses:
        return
    try:
        async with sessionmaker.begin() as session:
            await access_trail.record(principal, accesses, at=datetime.now(UTC), session=session)
    except (SQLAlchemyError, OSError) as error:
        raise unavailable("访问留痕", "access trail") from error
