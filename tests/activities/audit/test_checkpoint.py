"""A signed checkpoint of the chain heads, kept outside the database, catches what the chain
alone cannot: a database owner who rewrites a case's tail and seals it again."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from temporalio.testing import ActivityEnvironment

from activities.audit.checkpoint import new_key
from activities.runtime.settings import Settings
from activities.store.sql import utc
from activities.store.tables import CaseEventRow
from activities.tasks.projection import CaseStore
from api.cli.audit_checkpoint import checkpoint_cli, verify_checkpoint_cli
from domain.audit.chain import seal
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from tests.activities.audit.chain_support import (
    Store,
    bypassing_triggers,
    history_of,
    new_case_id,
    project,
    projected_case,
    verify,
)
from tests.samples import command
from workflows.contract import ProjectionBatch


async def _reseal_from(store: Store, case_id: str, seq: int, *, actor: str) -> None:
    """Change event ``seq``'s actor and seal it and every later event again, as an owner could."""
    async with store.sessionmaker() as session:
        rows = list(
            await session.scalars(
                select(CaseEventRow)
                .where(CaseEventRow.case_id == case_id)
                .order_by(CaseEventRow.seq)
            )
        )
    prev = rows[seq - 2].hash
    async with bypassing_triggers(store) as connection:
        for row in rows[seq - 1 :]:
            link = seal(
                prev,
                case_id=row.case_id,
                seq=row.seq,
                type=row.type,
                occurred_at=utc(row.occurred_at),
                actor=actor if row.seq == seq else row.actor,
                command_id=row.command_id,
                payload=row.payload,
            )
            await connection.execute(
                text(
                    "UPDATE case_events SET actor = :a, prev_hash = :p, hash = :h "
                    "WHERE case_id = :c AND seq = :s"
                ),
                {"a": link.actor, "p": link.prev_hash, "h": link.hash, "c": case_id, "s": row.seq},
            )
            prev = link.hash


async def test_a_rewritten_tail_passes_the_chain_but_not_the_checkpoint(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret, public = new_key()
    settings = Settings(database_url=store.url, checkpoint_key=secret)
    kept, rewritten, shortened = [await projected_case(store) for _ in range(3)]
    out = tmp_path / "checkpoint.json"
    assert await checkpoint_cli(settings, out) == 0
    assert "已存证" in capsys.readouterr().out
    listed = {head[0] for head in json.loads(out.read_text(encoding="utf-8"))["heads"]}
    assert {kept, rewritten, shortened} <= listed
    assert await verify_checkpoint_cli(settings, out, public) == 0

    # A case that grows after the checkpoint still matches it.
    grown = new_case_id()
    await project(store, history_of(grown, "accept"))
    assert await checkpoint_cli(settings, out) == 0
    await project(store, history_of(grown, "accept", "plan", "start_mediation"))
    capsys.readouterr()
    assert await verify_checkpoint_cli(settings, out, public) == 0

    await _reseal_from(store, rewritten, 2, actor="改写者")
    async with bypassing_triggers(store) as connection:
        await connection.execute(
            text("DELETE FROM case_events WHERE case_id = :c AND seq >= 4"), {"c": shortened}
        )
    assert (await verify(store, rewritten)).chain_ok  # the chain alone is fooled
    capsys.readouterr()
    assert await verify_checkpoint_cli(settings, out, public) == 1
    lines = capsys.readouterr().out.splitlines()
    (line,) = [line for line in lines if line.startswith(rewritten)]
    assert "被改写" in line
    assert "[rewritten]" in line
    (line,) = [line for line in lines if line.startswith(shortened)]
    assert "被截短" in line
    assert "[shortened]" in line
    assert not [line for line in lines if line.startswith((kept, grown))]


async def test_an_altered_checkpoint_or_a_wrong_key_is_not_trusted(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret, public = new_key()
    _, other_public = new_key()
    settings = Settings(database_url=store.url, checkpoint_key=secret)
    await projected_case(store)
    out = tmp_path / "checkpoint.json"
    assert await checkpoint_cli(settings, out) == 0
    assert await verify_checkpoint_cli(settings, out, other_public) == 2
    assert "公钥不符" in capsys.readouterr().out

    document = json.loads(out.read_text(encoding="utf-8"))
    document["heads"][0][2] = "0" * 64  # whoever rewrote the store "fixes" the file too
    out.write_text(json.dumps(document), encoding="utf-8")
    assert await verify_checkpoint_cli(settings, out, public) == 2
    assert "签名无效" in capsys.readouterr().out

    assert await checkpoint_cli(Settings(database_url=store.url), out) == 2
    assert "FENGQIAO_CHECKPOINT_KEY" in capsys.readouterr().out


async def test_a_head_set_aside_as_a_lost_attempt_is_named_as_such(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The checkpoint was taken while the store held a workflow-task attempt that never became
    history; the attempt that decided again replaced it. Not passed silently (an owner could
    set rows aside to hide a rewrite), but named for what the store says it was."""
    secret, public = new_key()
    settings = Settings(database_url=store.url, checkpoint_key=secret)
    case_id = new_case_id()
    truth = history_of(case_id, "accept")
    registered = [event for event in truth if event.command_id == f"{case_id}-r"]
    accepted = truth[len(registered) :]
    await _attempt(store, registered, history_length=5)
    envelope = c.CommandEnvelope(command_id=f"{case_id}-1", actor="王芳", command=command("accept"))
    lost = decide(fold(registered), envelope, now=accepted[0].at + timedelta(seconds=9))
    await _attempt(store, lost, history_length=12)
    out = tmp_path / "checkpoint.json"
    assert await checkpoint_cli(settings, out) == 0
    await _attempt(store, accepted, history_length=12)  # the attempt that counted
    assert (await verify(store, case_id)).ok
    capsys.readouterr()
    assert await verify_checkpoint_cli(settings, out, public) == 1
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith(case_id)]
    assert "[superseded]" in line
    assert "未生效的流程任务尝试" in line


async def _attempt(store: Store, events: list[Event], *, history_length: int) -> None:
    batch = ProjectionBatch(
        case_id=events[0].case_id, events=tuple(events), history_length=history_length
    )
    await ActivityEnvironment().run(CaseStore(store.engine).project_case_events, batch)
