"""被拒指令留痕: commands that reached a case without the API's authentication, recorded.

The worker's command guard refuses them inside an update validator, where nothing may wait or
write; it hands each refusal to ``RefusalRecorder.put`` (thread-safe, never blocks). A task of
the worker's own loop then writes it as a security event to the log and as a row of the access
trail that auditors read (``principal_id`` ``engine:unverified``, the claimed actor in the name,
the refused command's type in ``fields``), counting what it recorded.
"""

from __future__ import annotations

import asyncio
import queue

import structlog
from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.runtime.command_guard import RefusedCommand
from activities.store.tables import AccessTrailRow, CaseRow

log = structlog.get_logger("fengqiao.security")

UNVERIFIED_PRINCIPAL = "engine:unverified"
UNVERIFIED_ROLE = "unverified"


class RefusalRecorder:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._queue: queue.SimpleQueue[RefusedCommand] = queue.SimpleQueue()
        self.recorded = 0  # refusals written to the trail by this process (a counter to scrape)

    def put(self, refused: RefusedCommand) -> None:
        self._queue.put(refused)

    async def run(self, *, poll_seconds: float = 0.2) -> None:
        """Drain the refusals into the log and the trail until cancelled."""
        while True:
            try:
                refused = self._queue.get_nowait()
            except queue.Empty:
                await asyncio.sleep(poll_seconds)
                continue
            await self.record(refused)

    async def record(self, refused: RefusedCommand) -> None:
        log.warning(
            "command_refused" if refused.enforced else "unsigned_command_let_through",
            security_event=True,
            case_id=refused.workflow_id,
            update=refused.update,
            update_id=refused.update_id,
            reason=refused.reason,
            claimed_actor=refused.claimed_actor,
            command_type=refused.command_type,
        )
        try:
            async with self._sessionmaker.begin() as session:
                await _insert(refused, session=session)
        except (SQLAlchemyError, OSError) as error:
            # The store is away: the log line above is the record; the trail row is lost.
            log.error("command_refusal_not_recorded", case_id=refused.workflow_id, error=str(error))
            return
        self.recorded += 1


async def _insert(refused: RefusedCommand, *, session: AsyncSession) -> None:
    jurisdiction = await session.scalar(
        select(CaseRow.jurisdiction_code).where(CaseRow.case_id == refused.workflow_id[:32])
    )
    verdict = "拒绝" if refused.enforced else "放行（滚动升级）"
    verdict_en = "refused" if refused.enforced else "let through (rolling upgrade)"
    await session.execute(
        insert(AccessTrailRow).values(
            at=refused.at,
            principal_id=UNVERIFIED_PRINCIPAL,
            principal_name=f"未经认证的指令（自称：{refused.claimed_actor or '未知'}）"[:100],
            role=UNVERIFIED_ROLE,
            case_id=refused.workflow_id[:32],
            jurisdiction_code=jurisdiction or "",
            endpoint=f"temporal:update:{refused.update}"[:200],
            fields=[f"command:{refused.command_type or '?'}"],
            purpose=f"流程引擎{verdict}：{refused.reason} / engine {verdict_en}: {refused.reason}",
        )
    )
