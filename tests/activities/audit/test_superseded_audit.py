"""核验 shows what a lost workflow-task attempt left behind: the events set aside when the attempt
that counted decided again, kept as they were and sealed. An auditor sees them (count, seqs,
when); a set-aside event whose content no longer matches its seal fails the check."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from temporalio.testing import ActivityEnvironment

from activities.tasks.projection import CaseStore
from api.cli.audit import report_line
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from tests.activities.audit.chain_support import (
    Store,
    bypassing_triggers,
    history_of,
    new_case_id,
    verify,
)
from tests.samples import command
from workflows.contract import ProjectionBatch


async def _attempt(store: Store, events: list[Event], *, history_length: int) -> None:
    batch = ProjectionBatch(
        case_id=events[0].case_id, events=tuple(events), history_length=history_length
    )
    await ActivityEnvironment().run(CaseStore(store.engine).project_case_events, batch)


async def _with_lost_attempt(store: Store) -> tuple[str, list[Event]]:
    """A case whose 受理 was decided in an attempt that was lost, then decided again."""
    case_id = new_case_id()
    truth = history_of(case_id, "accept")
    registered = [event for event in truth if event.command_id == f"{case_id}-r"]
    await _attempt(store, registered, history_length=5)
    envelope = c.CommandEnvelope(command_id=f"{case_id}-1", actor="王芳", command=command("accept"))
    accepted = truth[len(registered) :]
    lost = decide(fold(registered), envelope, now=accepted[0].at + timedelta(seconds=9))
    await _attempt(store, lost, history_length=12)
    await _attempt(store, accepted, history_length=12)  # the attempt that counted
    return case_id, lost


async def test_the_events_a_lost_attempt_left_are_shown_and_pass(store: Store) -> None:
    case_id, lost = await _with_lost_attempt(store)
    report = await verify(store, case_id)
    assert report.ok, report
    assert [(e.seq, e.type, e.command_id) for e in report.superseded] == [
        (event.seq, event.type, event.command_id) for event in lost
    ]
    assert [e.occurred_at for e in report.superseded] == [event.at for event in lost]
    assert {e.superseded_by for e in report.superseded} == {12}
    assert all(e.intact for e in report.superseded)
    line = report_line(report)
    assert f"另有 {len(lost)} 个已被取代的事件（原样保存）" in line
    assert f"{len(lost)} superseded kept" in line
    # A case without any says nothing of them.
    plain = new_case_id()
    await _attempt(store, history_of(plain, "accept"), history_length=5)
    assert "取代" not in report_line(await verify(store, plain))


async def test_a_set_aside_event_altered_by_the_owner_fails_the_check(store: Store) -> None:
    case_id, lost = await _with_lost_attempt(store)
    altered = lost[-1].seq
    async with bypassing_triggers(store, "case_events_superseded") as connection:
        await connection.execute(
            text(
                "UPDATE case_events_superseded SET actor = '他人' "
                "WHERE case_id = :case_id AND seq = :seq"
            ),
            {"case_id": case_id, "seq": altered},
        )
    report = await verify(store, case_id)
    assert not report.ok
    assert report.chain_ok  # the chain itself is whole: only the set-aside row was changed
    assert [e.seq for e in report.superseded if not e.intact] == [altered]
    line = report_line(report)
    assert f"已被取代的第 {altered} 号事件内容被改动" in line
    assert f"superseded event(s) {altered} altered" in line
