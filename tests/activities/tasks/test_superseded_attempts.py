"""A projection written inside a workflow task whose attempt is then lost (local-projection-v1).

The case decides the command again in a later attempt, at a later moment: its events differ from
the lost attempt's at the same seqs. On both stores: the later attempt's events replace the lost
one's in the chain, which set aside intact in ``case_events_superseded``; the read model is the
later attempt's; an attempt older than the one stored changes nothing; a batch of a regular
activity (a durable task) never sets anything aside; the database lets no other event go.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.audit.chain_audit import verify_case
from activities.store.sql import utc
from activities.store.tables import AlertRow, CaseEventRow, SupersededEventRow
from activities.tasks.projection import CaseStore
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from tests.activities.tasks.test_projection import _flat, _life, _stored
from tests.samples import command
from workflows.contract import PROJECTION_STALE, ProjectionBatch


async def _attempt(store: CaseStore, events: list[Event], history_length: int | None) -> int:
    batch = ProjectionBatch(
        case_id=events[0].case_id, events=tuple(events), history_length=history_length
    )
    return (await ActivityEnvironment().run(store.project_case_events, batch)).inserted


def _decided_again(steps: list[list[Event]], action: str, *, later: timedelta) -> list[Event]:
    """The last step's command decided again, ``later`` than it was (a retried task's clock)."""
    state = fold(_flat(steps[:-1]))
    assert state is not None
    last = steps[-1][0]
    envelope = c.CommandEnvelope(command_id=last.command_id, actor="王芳", command=command(action))
    again = decide(state, envelope, now=last.at + later)
    assert [event.seq for event in again] == [event.seq for event in steps[-1]]
    assert again != steps[-1]
    return again


async def _chain(engine: AsyncEngine, case_id: str) -> list[tuple[int, str, int | None]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(CaseEventRow.seq, CaseEventRow.hash, CaseEventRow.history_length)
            .where(CaseEventRow.case_id == case_id)
            .order_by(CaseEventRow.seq)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def _set_aside(engine: AsyncEngine, case_id: str) -> list[SupersededEventRow]:
    async with AsyncSession(engine) as session:
        rows = await session.scalars(
            select(SupersededEventRow)
            .where(SupersededEventRow.case_id == case_id)
            .order_by(SupersededEventRow.id)
        )
        return list(rows)


async def test_a_lost_attempt_is_set_aside_by_the_attempt_that_decides_again(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case_id = "JF-2026-320001"
    steps = await _life(case_id, "accept", "plan", "start_mediation")
    store = CaseStore(engine)
    for length, step in enumerate(steps[:-1], start=1):
        await _attempt(store, step, history_length=10 * length)
    lost = _decided_again(steps, "start_mediation", later=timedelta(seconds=-7))
    await _attempt(store, lost, history_length=50)
    lost_chain = await _chain(engine, case_id)

    # The task was lost; its next attempt (the same history length: a speculative task is not
    # written down) decides the command again.
    assert await _attempt(store, steps[-1], history_length=50) == len(steps[-1])
    expected = fold(_flat(steps))
    assert expected is not None
    row = await _stored(sessionmaker, case_id)
    assert (row.seq, row.state) == (expected.seq, expected.model_dump(mode="json"))
    chain = await _chain(engine, case_id)
    assert [seq for seq, _, _ in chain] == list(range(1, expected.seq + 1))
    aside = await _set_aside(engine, case_id)
    first = lost[0].seq
    assert [(r.seq, r.hash, r.history_length) for r in aside] == lost_chain[first - 1 :]
    assert [utc(r.occurred_at) for r in aside] == [event.at for event in lost]
    assert {r.superseded_by for r in aside} == {50}
    async with sessionmaker() as session:
        report = await verify_case(session, case_id)
        alerts = (await session.scalars(select(AlertRow).where(AlertRow.case_id == case_id))).all()
    assert report.ok, report
    assert {a.alert_id for a in alerts} == {a.alert_id for a in expected.alerts}

    # The lost attempt, still running somewhere, cannot displace the later one …
    with pytest.raises(ApplicationError) as refused:
        await _attempt(CaseStore(engine), lost, history_length=48)
    assert refused.value.type == PROJECTION_STALE
    # … and a regular activity's batch (only durable tasks schedule one) sets nothing aside.
    assert await _attempt(CaseStore(engine), lost, history_length=None) == 0
    assert await _chain(engine, case_id) == chain
    assert len(await _set_aside(engine, case_id)) == len(aside)
    assert (await _stored(sessionmaker, case_id)).state == expected.model_dump(mode="json")


async def test_a_worker_whose_copy_another_replaced_reads_the_store_again(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case_id = "JF-2026-320002"
    steps = await _life(case_id, "accept", "plan", "start_mediation", "record_session")
    first_worker, second_worker = CaseStore(engine), CaseStore(engine)
    for length, step in enumerate(steps[:-2], start=1):
        await _attempt(first_worker, step, history_length=10 * length)
    lost = _decided_again(steps[:-1], "start_mediation", later=timedelta(seconds=3))
    await _attempt(first_worker, lost, history_length=60)  # its own copy: the lost case
    await _attempt(second_worker, steps[-2], history_length=60)  # the same seqs, replaced
    # The next command lands on the first worker again: the seq it kept is the stored seq, the
    # chain under it is not; it must fold onto the stored case, not onto its copy.
    await _attempt(first_worker, steps[-1], history_length=70)
    expected = fold(_flat(steps))
    assert expected is not None
    assert (await _stored(sessionmaker, case_id)).state == expected.model_dump(mode="json")
    async with sessionmaker() as session:
        assert (await verify_case(session, case_id)).ok


async def test_the_chain_lets_go_only_of_events_set_aside(engine: AsyncEngine) -> None:
    case_id = "JF-2026-320003"
    steps = await _life(case_id, "accept")
    for length, step in enumerate(steps[:-1], start=1):
        await _attempt(CaseStore(engine), step, history_length=10 * length)
    lost = _decided_again(steps, "accept", later=timedelta(seconds=2))
    await _attempt(CaseStore(engine), lost, history_length=40)
    await _attempt(CaseStore(engine), steps[-1], history_length=40)
    for statement in (
        f"DELETE FROM case_events WHERE case_id = '{case_id}'",
        f"UPDATE case_events SET actor = 'x' WHERE case_id = '{case_id}'",
        f"DELETE FROM case_events_superseded WHERE case_id = '{case_id}'",
        f"UPDATE case_events_superseded SET actor = 'x' WHERE case_id = '{case_id}'",
    ):
        with pytest.raises(Exception, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
    assert len(await _chain(engine, case_id)) == fold(_flat(steps)).seq  # type: ignore[union-attr]
    assert len(await _set_aside(engine, case_id)) == len(lost)
