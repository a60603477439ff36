"""Access at the API edge: which case a caller may reach, and what of it they may see.

404 for a case outside the caller's reach (its existence is not revealed); 403 for a role that
may never use the endpoint (``api/permissions.py``, before anything is looked up), and for a
command another organisation sends on a case the caller reads (``domain.case.reach``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.identity import access_trail
from activities.identity.access_trail import Access
from activities.store import repositories
from activities.store.engine import single_read
from api.errors import ApiError, case_not_found, forbidden, unavailable
from api.gateway import query_state
from domain.case.reach import INCOMING_COMMANDS, REPORT_BACK, CaseReach, may_act, may_read
from domain.case.worklist import Relation
from domain.people.access import CENTER_ROLES, Permission, Principal
from domain.people.privacy import mask_document


def jurisdiction_code(document: dict[str, Any]) -> str:
    where = document["jurisdiction"]
    code: str = where.get("village_code") or where.get("town_code") or where["county_code"]
    return code


def reach_of(document: dict[str, Any]) -> CaseReach:
    """The reach of a case document as the workflow serialised it, without validating the whole
    state (the hot path); the same as ``CaseReach.of(CaseState)`` (tests/api/test_reach.py)."""
    center_id = document.get("center_id")
    holder = document.get("holder")
    holder_id = holder["org_id"] if holder else center_id
    pending = document.get("pending_transfer")
    incoming_id = pending["to_organisation"]["org_id"] if pending else None
    co_handlers = frozenset(org["org_id"] for org in document.get("co_handlers") or ())
    departments = {
        a["assignment_no"]: a["department"]["org_id"] for a in document.get("assignments") or ()
    }
    related = {holder_id, incoming_id, center_id, *(document.get("former_holders") or ())}
    related |= co_handlers | set(departments.values())
    return CaseReach(
        jurisdiction_code=jurisdiction_code(document),
        reporter_id=document.get("reporter_id"),
        holder_id=holder_id,
        incoming_id=incoming_id,
        co_handlers=co_handlers,
        departments=departments,
        related=frozenset(org for org in related if org is not None),
    )


def reach_of_rows(rows: Sequence[Sequence[Any]]) -> CaseReach:
    """The reach of a case from its indexed columns (``repositories.case_reach_rows``): the same
    as ``CaseReach.of(CaseState)`` but for ``departments`` (which assignment each department
    answers is in the document only: a report-back reads it)."""
    jurisdiction, reporter_id, holder_id, incoming_id = rows[0][:4]
    pairs = [(row[4], row[5]) for row in rows if row[4] is not None]
    return CaseReach(
        jurisdiction_code=jurisdiction,
        reporter_id=reporter_id,
        holder_id=holder_id,
        incoming_id=incoming_id,
        co_handlers=frozenset(org for org, relation in pairs if relation == Relation.CO_HANDLER),
        related=frozenset(org for org, _ in pairs),
    )


def reachable(principal: Principal, document: dict[str, Any]) -> bool:
    return may_read(principal, reach_of(document))


_FIXED_KEPT = 50_000


def not_yours(principal: Principal, reach: CaseReach, command_type: str) -> ApiError:
    """403: the caller reads the case, but another organisation sends this command now."""
    if command_type in INCOMING_COMMANDS and reach.incoming_id is not None:
        return forbidden(
            "本案转办待其他单位签收，只有接收单位可以签收或退回",
            "only the organisation the transfer awaits may take or return the case",
        )
    if command_type == REPORT_BACK:
        return forbidden(
            "只有被交办的部门可以反馈办理结果",
            "only the department assigned may report back",
        )
    return forbidden(
        f"本案现由其他单位办理，{principal.center_id or '您的单位'}无权办理",
        f"the case is held by another organisation; {principal.center_id} may not act on it",
    )


class CaseScopes:
    """Where each case sits and which organisations it involves; the workflow answers while the
    store is down.

    A case's place and reporter are fixed when it is registered, so they are kept once found
    (leaders, auditors and grid workers reach a case without a query). The organisations change
    with every hand-off (holder, incoming, co-handlers, departments): they are read on every
    request of an organisation's staff, from the store, or from the workflow's ``state`` query
    when the store is away.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], temporal: Client) -> None:
        self._sessionmaker = sessionmaker
        self._temporal = temporal
        # case id → (jurisdiction code, reporter)
        self._fixed: dict[str, tuple[str, str | None]] = {}

    def _keep(self, case_id: str, reach: CaseReach) -> CaseReach:
        if len(self._fixed) >= _FIXED_KEPT:
            self._fixed.clear()
        self._fixed[case_id] = (reach.jurisdiction_code, reach.reporter_id)
        return reach

    async def document(self, case_id: str) -> dict[str, Any] | None:
        """The case as it stands: the store's document, else the workflow's own state."""
        try:
            async with self._sessionmaker() as session:
                document = await repositories.case_document(case_id, session=session)
        except (SQLAlchemyError, OSError):
            document = None
        if document is None:
            document = await query_state(self._temporal, case_id)
        return document

    async def _stored_reach(self, case_id: str) -> CaseReach | None:
        """The reach from the store's indexed columns (no document read); None when the store
        is away or has no row for the case (the document path then decides)."""
        try:
            async with single_read(self._sessionmaker) as session:
                rows = await repositories.case_reach_rows(case_id, session=session)
        except (SQLAlchemyError, OSError):
            return None
        return reach_of_rows(rows) if rows else None

    async def reach(self, case_id: str) -> CaseReach | None:
        """The case's reach now (its organisations as of the last command), None if unknown."""
        document = await self.document(case_id)
        return None if document is None else self._keep(case_id, reach_of(document))

    async def _reach_for(self, principal: Principal, case_id: str) -> CaseReach | None:
        fixed = self._fixed.get(case_id)
        if fixed is not None and principal.role not in CENTER_ROLES:
            return CaseReach(jurisdiction_code=fixed[0], reporter_id=fixed[1])
        return await self.reach(case_id)

    async def ensure_reachable(self, principal: Principal, case_id: str) -> str:
        """The case's jurisdiction code, or 404 when the case is unknown or out of reach."""
        reach = await self._reach_for(principal, case_id)
        if reach is None or not may_read(principal, reach):
            raise case_not_found(case_id)
        return reach.jurisdiction_code

    async def ensure_may_act(
        self,
        principal: Principal,
        case_id: str,
        command_type: str,
        assignment_no: int | None = None,
        *,
        key: str | None = None,
    ) -> Permit:
        """May the caller's organisation send ``command_type`` on the case now? 404 when the
        caller does not reach the case, 403 when another organisation acts.

        A retry of a command this caller already sent passes even when that command moved the
        case away from them (退回, 上提): its answer is the case as that command left it.
        """
        reach = None if command_type == REPORT_BACK else await self._stored_reach(case_id)
        if reach is not None:
            if may_read(principal, reach) and may_act(principal, reach, command_type):
                return Permit(self._keep(case_id, reach))
        document = await self.document(case_id)
        if document is None:
            raise case_not_found(case_id)
        reach = self._keep(case_id, reach_of(document))
        if may_read(principal, reach) and may_act(principal, reach, command_type, assignment_no):
            return Permit(reach)
        sent_at = await self._sent_by(principal, case_id, key, document) if key else None
        if sent_at is not None:
            return Permit(reach, replay_seq=sent_at)
        if not may_read(principal, reach):
            raise case_not_found(case_id)
        raise not_yours(principal, reach, command_type)

    async def _sent_by(
        self, principal: Principal, case_id: str, key: str, document: dict[str, Any]
    ) -> int | None:
        """The seq of the last event of command ``key`` if the case applied it as sent by
        ``principal``."""
        if key not in (document.get("recent_command_ids") or ()):
            return None
        try:
            async with self._sessionmaker() as session:
                events = await repositories.case_events(case_id, session=session)
        except (SQLAlchemyError, OSError):
            return None
        seqs = [e.seq for e in events if e.command_id == key and e.actor == principal.actor]
        return max(seqs) if seqs else None


@dataclass(frozen=True)
class Permit:
    """A command may go to the case (``replay_seq``: it went already, answer as of that seq)."""

    reach: CaseReach
    replay_seq: int | None = None


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
