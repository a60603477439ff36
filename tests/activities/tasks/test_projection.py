"""The projection activity builds the read model from events (events-only-projection-v1).

A batch carries only its events; the store folds them onto the case it holds. Checked on both
stores: the read model equals the fold of every event (what the audit compares), retried and
overlapping batches change nothing, a batch with the state (a run from before) still lands.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.audit.chain_audit import verify_case
from activities.runtime.settings import Settings
from activities.store import alert_store, repositories
from activities.store.tables import AlertRow, CaseRow
from activities.tasks.projection import CaseStore
from domain.case import commands as c
from domain.case.decide import decide, snapshot_policy
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.state import CaseState
from domain.values import china_date
from tests.principals import CENTER, ensure_centers
from tests.samples import LIFECYCLE, T0, command, register
from tests.worklist_support import CaseAt
from worker import policy_provider
from workflows.contract import PolicyRequest, ProjectionBatch


async def _life(case_id: str, *actions: str) -> list[list[Event]]:
    """A major-risk dispute as the workflow records it, one list of events per step: intake,
    policy snapshot (clocks, 重大矛盾纠纷直报 alert), then one per command."""
    envelope = c.CommandEnvelope(
        command_id=f"{case_id}-r",
        actor="登记员",
        command=register(case_id=case_id, risk_level="major"),
    )
    steps = [decide(None, envelope, now=T0)]
    state = fold(steps[0])
    assert state is not None
    request = PolicyRequest(
        kind=state.kind,
        category=state.category,
        channel=state.channel,
        risk_level=state.risk_level,
        jurisdiction_code=state.jurisdiction.code,
        year=china_date(T0).year,
    )
    policy = await policy_provider(Settings()).load_case_policy(request)
    steps.append(snapshot_policy(state, policy, actor="登记员", command_id=f"{case_id}-r", now=T0))
    for n, action in enumerate(actions, start=1):
        state = fold(steps[-1], state)
        envelope = c.CommandEnvelope(
            command_id=f"{case_id}-{n}", actor="王芳", command=command(action)
        )
        steps.append(decide(state, envelope, now=T0 + timedelta(minutes=n)))
    return steps


async def _project(engine: AsyncEngine, events: list[Event], state: CaseState | None = None) -> int:
    batch = ProjectionBatch(case_id=events[0].case_id, events=tuple(events), state=state)
    result = await ActivityEnvironment().run(CaseStore(engine).project_case_events, batch)
    return result.inserted


async def _stored(sessionmaker: async_sessionmaker[AsyncSession], case_id: str) -> CaseRow:
    async with sessionmaker() as session:
        row = await session.scalar(select(CaseRow).where(CaseRow.case_id == case_id))
    assert row is not None
    return row


def _flat(steps: list[list[Event]]) -> list[Event]:
    return [event for step in steps for event in step]


async def test_events_alone_build_the_read_model_the_workflow_holds(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case_id = "JF-2026-310001"
    steps = await _life(case_id, "accept", "plan", "start_mediation")
    for step in steps:
        await _project(engine, step)
    expected = fold(_flat(steps))
    assert expected is not None
    assert expected.alerts  # the major-risk report: alerts are projected from the fold too
    row = await _stored(sessionmaker, case_id)
    assert row.state == expected.model_dump(mode="json")
    assert row.seq == expected.seq
    assert row.stage == expected.stage.value
    async with sessionmaker() as session:
        alerts = (await session.scalars(select(AlertRow).where(AlertRow.case_id == case_id))).all()
        report = await verify_case(session, case_id)
    assert {alert.alert_id for alert in alerts} == {alert.alert_id for alert in expected.alerts}
    assert report.ok, report


async def test_a_retried_or_overlapping_batch_changes_nothing(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case_id = "JF-2026-310002"
    steps = await _life(case_id, "accept", "plan")
    for step in steps:
        await _project(engine, step)
    before = await _stored(sessionmaker, case_id)
    assert await _project(engine, steps[-1]) == 0  # the same batch again
    assert await _project(engine, _flat(steps)) == 0  # everything again, in one batch
    after = await _stored(sessionmaker, case_id)
    assert (after.seq, after.state) == (before.seq, before.state)

    # A batch that overlaps the stored events folds only the new ones.
    more = await _life(case_id, "accept", "plan", "start_mediation", "record_session")
    assert await _project(engine, [*more[-3], *more[-2], *more[-1]]) == len(more[-2] + more[-1])
    expected = fold(_flat(more))
    assert expected is not None
    assert (await _stored(sessionmaker, case_id)).state == expected.model_dump(mode="json")


async def test_a_run_from_before_sends_its_state_and_the_next_batches_fold_onto_it(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case_id = "JF-2026-310003"
    steps = await _life(case_id, "accept", "plan", "assign_package_leader")
    early = _flat(steps[:3])
    await _project(engine, early, state=fold(early))  # as a run before the patch projected
    for step in steps[3:]:
        await _project(engine, step)
    expected = fold(_flat(steps))
    assert expected is not None
    assert (await _stored(sessionmaker, case_id)).state == expected.model_dump(mode="json")


async def test_a_read_model_behind_the_event_chain_is_caught_up_from_the_chain(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    case_id = "JF-2026-310004"
    steps = await _life(case_id, "accept", "plan")
    for step in steps[:2]:
        await _project(engine, step)
    # Events that reached the chain without the read model (not possible through the activity,
    # which writes both in one transaction; a repair by hand could leave this).
    async with engine.begin() as connection:
        await repositories.append_events(tuple(steps[2]), connection=connection)
    await _project(engine, steps[3])
    expected = fold(_flat(steps))
    assert expected is not None
    assert (await _stored(sessionmaker, case_id)).state == expected.model_dump(mode="json")

    # With no read model row at all, the whole chain is folded.
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM cases WHERE case_id = :c"), {"c": case_id})
    more = await _life(case_id, "accept", "plan", "start_mediation")
    await _project(engine, more[-1])
    expected = fold(_flat(more))
    assert expected is not None
    assert (await _stored(sessionmaker, case_id)).state == expected.model_dump(mode="json")


_SIDE_TABLES = (
    "case_organisations",
    "work_items",
    "case_parties",
    "session_agenda",
    "case_people",
    "indicator_facts",
    "accountability_items",
    "alerts",
)


async def _side_rows(engine: AsyncEngine, case_id: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row the case has beside its own (search postings too, on PostgreSQL)."""
    tables = list(_SIDE_TABLES)
    if engine.dialect.name == "postgresql":
        tables.append("case_search_terms")
    found: dict[str, list[tuple[object, ...]]] = {}
    async with engine.connect() as connection:
        for table in tables:
            rows = await connection.execute(
                text(f"SELECT * FROM {table} WHERE case_id = :c"), {"c": case_id}
            )
            # An alert's updated_seq is the seq that last changed it (a rebuild writes its own).
            found[table] = sorted(
                (tuple(v for k, v in row._mapping.items() if k != "updated_seq") for row in rows),
                key=repr,
            )
    return found


async def _rebuilt(engine: AsyncEngine, case_id: str, state: CaseState) -> None:
    """Every side row written again from scratch for ``state`` (what a read-model rebuild does)."""
    async with engine.begin() as connection:
        await repositories.upsert_case(state, connection=connection, rebuild=True)
        await alert_store.upsert_alerts(state, connection=connection)


async def _project_step(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    store: CaseStore,
    steps: list[list[Event]],
    index: int,
) -> tuple[CaseState, dict[str, list[tuple[object, ...]]]]:
    """Project ``steps[index]`` through ``store``; the stored case must be the fold of every
    step so far. The case as folded, and its side rows as stored."""
    case_id = steps[index][0].case_id
    batch = ProjectionBatch(case_id=case_id, events=tuple(steps[index]))
    await ActivityEnvironment().run(store.project_case_events, batch)
    expected = fold(_flat(steps[: index + 1]))
    assert expected is not None
    assert (await _stored(sessionmaker, case_id)).state == expected.model_dump(mode="json")
    return expected, await _side_rows(engine, case_id)


async def test_a_worker_writing_only_what_changed_leaves_what_a_rebuild_writes(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """One worker projects a whole life, each batch writing only the rows that changed since the
    case's last batch; every side table then holds exactly what writing it all afresh gives."""
    case_id = "JF-2026-310005"
    steps = await _life(case_id, *LIFECYCLE)
    store = CaseStore(engine)
    seen: set[str] = set()
    for index in range(len(steps)):
        expected, written = await _project_step(engine, sessionmaker, store, steps, index)
        seen |= {table for table, rows in written.items() if rows}
        await _rebuilt(engine, case_id, expected)
        assert await _side_rows(engine, case_id) == written, f"after step {index}"
    # The life wrote parties, people, alerts, indicator facts and accountability items.
    assert {"case_parties", "alerts", "indicator_facts", "accountability_items"} <= seen


async def test_a_case_projected_by_two_workers_in_turn_is_not_written_from_a_stale_copy(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Worker A keeps what it last wrote; worker B projects the next batches meanwhile. A's next
    batch finds the stored case moved on and starts from it, not from its own copy."""
    async with sessionmaker.begin() as session:
        await ensure_centers(session)
    case_id = "JF-2026-310006"
    case = CaseAt(case_id, center=CENTER)
    marks = [len(case.events)]
    for action in ("accept", "plan", "transfer", "take", "assign", "report_back"):
        case.do(action, **({"deadline": "2026-03-20"} if action == "assign" else {}))
        marks.append(len(case.events))
    steps = [case.events[a:b] for a, b in zip([0, *marks], marks, strict=False) if b > a]
    first, second = CaseStore(engine), CaseStore(engine)
    seen: set[str] = set()
    turns = [first, first, second, second, first, second, first, first, second, first]
    for index in range(len(steps)):
        store = turns[index % len(turns)]
        expected, written = await _project_step(engine, sessionmaker, store, steps, index)
        seen |= {table for table, rows in written.items() if rows}
    await _rebuilt(engine, case_id, expected)
    assert await _side_rows(engine, case_id) == written
    assert {"case_organisations", "work_items"} <= seen  # hand-offs wrote both along the way
    async with sessionmaker() as session:
        assert (await verify_case(session, case_id)).ok
