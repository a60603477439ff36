"""Re-keying the same-party and same-matter keys (当事人密钥轮换): every stored key recomputed
under the current party key.

The keys of a case (``case_parties``, ``cases.matter_key``, ``indicator_facts.party_key``) are
functions of its stored document, so they are recomputed from it. The 重点人员 register keeps no
ID number, only the party key it was entered with; an entry is carried over when a case names the
same person under an earlier key (a key of the keyring other than the current one, or the plain
SHA-256 digest of releases before the keys were keyed). An entry no case names keeps its key until
the person is looked up by ID number again (``api.services.watched``).

Idempotent and resumable: each batch of cases is one transaction that writes only what differs,
so a run cut short is run again (from the start, or from the last case it reported).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from activities.store.indicator_tables import IndicatorFactRow
from activities.store.register_tables import WatchedPersonRow
from activities.store.tables import CasePartyRow, CaseRow
from domain.case.matters import matter_key
from domain.case.state import CaseState
from domain.case.worklist import keyed_digest, party_keys, party_material, party_people
from domain.indicators.facts import party_key as facts_party_key

BATCH = 200
_WATCHED: Any = WatchedPersonRow.__table__
_FACTS: Any = IndicatorFactRow.__table__
_CASES: Any = CaseRow.__table__
_PARTIES: Any = CasePartyRow.__table__

# An earlier key: bytes of a keyring key, or None for the plain SHA-256 of older releases.
EarlierKey = bytes | None


@dataclass
class RekeyCounts:
    """What a re-key examined and rewrote."""

    cases: int = 0  # cases examined
    changed: int = 0  # cases whose keys were rewritten
    undecodable: int = 0  # documents that are no case (they hold no party keys)
    register: int = 0  # 重点人员 entries carried over to the current key
    last_case: str = ""  # the last case examined (a cut-short run may resume after it)


def _earlier_digest(key: EarlierKey, material: str) -> str:
    if key is None:
        return hashlib.sha256(material.encode()).hexdigest()
    return keyed_digest(key, "party", material)


def _register_mapping(
    states: Iterable[CaseState], *, current: bytes, earlier: Sequence[EarlierKey]
) -> dict[str, str]:
    """Each party's key under an earlier key → its key under the current one."""
    mapping: dict[str, str] = {}
    for state in states:
        for person in party_people(state):
            material = party_material(
                id_number=person.id_number, phone=person.phone, name=person.name
            )
            if material is None:
                continue
            new = keyed_digest(current, "party", material)
            for key in earlier:
                mapping[_earlier_digest(key, material)] = new
    return mapping


async def carry_register_over(
    states: Sequence[CaseState],
    *,
    current: bytes,
    earlier: Sequence[EarlierKey],
    connection: AsyncConnection,
) -> int:
    """Rewrite the 重点人员 entries whose party key is one of these cases' parties under an
    earlier key; the number rewritten."""
    mapping = _register_mapping(states, current=current, earlier=earlier)
    if not mapping:
        return 0
    table = _WATCHED
    found = (
        await connection.execute(
            select(table.c.watched_id, table.c.party_key).where(
                table.c.party_key.in_(sorted(mapping))
            )
        )
    ).all()
    for watched_id, old in found:
        await connection.execute(
            update(table).where(table.c.watched_id == watched_id).values(party_key=mapping[old])
        )
    return len(found)


async def register_in_use(connection: AsyncConnection) -> bool:
    """Whether the register holds any entry (a store without one skips the carrying over)."""
    table = _WATCHED
    return (await connection.scalar(select(func.count()).select_from(table))) != 0


async def _write(
    cases: list[dict[str, object]],
    party_rows: list[dict[str, object]],
    facts: list[dict[str, object]],
    *,
    connection: AsyncConnection,
) -> None:
    """The batch's rewritten keys, a few statements for the whole batch (not a few per case)."""
    if not cases:
        return
    ids = [row["row_id"] for row in cases]
    await connection.execute(
        update(_CASES)
        .where(_CASES.c.case_id == bindparam("row_id"))
        .values(matter_key=bindparam("new_key")),
        cases,
    )
    await connection.execute(delete(_PARTIES).where(_PARTIES.c.case_id.in_(ids)))
    if party_rows:
        await connection.execute(insert(_PARTIES), party_rows)
    if facts:
        await connection.execute(
            update(_FACTS)
            .where(_FACTS.c.case_id == bindparam("row_id"))
            .values(party_key=bindparam("new_key")),
            facts,
        )


async def _rekey_batch(
    batch: Sequence[tuple[str, object]], *, current: bytes, connection: AsyncConnection
) -> tuple[list[CaseState], int, int]:
    """(the decoded states, how many were rewritten, how many were no case)."""
    ids = [case_id for case_id, _ in batch]
    parties: dict[str, set[str]] = {}
    for case_id, key in await connection.execute(
        select(CasePartyRow.case_id, CasePartyRow.party_key).where(CasePartyRow.case_id.in_(ids))
    ):
        parties.setdefault(case_id, set()).add(key)
    stored = await connection.execute(
        select(CaseRow.case_id, CaseRow.matter_key).where(CaseRow.case_id.in_(ids))
    )
    matters: dict[str, str | None] = {row.case_id: row.matter_key for row in stored}
    facts_table = _FACTS
    found = await connection.execute(
        select(facts_table.c.case_id, facts_table.c.party_key).where(facts_table.c.case_id.in_(ids))
    )
    facts: dict[str, str | None] = {row.case_id: row.party_key for row in found}
    states: list[CaseState] = []
    undecodable = 0
    changed_cases: list[dict[str, object]] = []
    party_rows: list[dict[str, object]] = []
    changed_facts: list[dict[str, object]] = []
    for case_id, document in batch:
        try:
            state = CaseState.model_validate(document)
        except ValidationError:
            undecodable += 1
            continue
        states.append(state)
        keys = party_keys(state, key=current)
        matter = matter_key(state, key=current)
        fact_key = facts_party_key(state, key=current)
        same = (
            keys == parties.get(case_id, set())
            and matter == matters.get(case_id)
            and (case_id not in facts or facts[case_id] == fact_key)
        )
        if same:
            continue
        changed_cases.append({"row_id": case_id, "new_key": matter})
        party_rows += [{"case_id": case_id, "party_key": k} for k in sorted(keys)]
        if case_id in facts:
            changed_facts.append({"row_id": case_id, "new_key": fact_key})
    await _write(changed_cases, party_rows, changed_facts, connection=connection)
    changed = len(changed_cases)
    return states, changed, undecodable


async def rekey_party_keys(
    engine: AsyncEngine,
    *,
    current: bytes,
    earlier: Sequence[EarlierKey],
    after: str = "",
    batch_size: int = BATCH,
    progress: Callable[[RekeyCounts], None] | None = None,
) -> RekeyCounts:
    """Recompute every stored party and matter key under ``current``, case by case in batches
    (from the case after ``after``); carry 重点人员 entries keyed under ``earlier`` keys over."""
    counts = RekeyCounts(last_case=after)
    async with engine.connect() as connection:
        register = await register_in_use(connection)
    while True:
        async with engine.begin() as connection:
            # Locked while rewritten: a projection of the same case waits for this batch (and
            # then writes its own keys, under the same current key).
            found = await connection.execute(
                select(CaseRow.case_id, CaseRow.state)
                .where(CaseRow.case_id > counts.last_case)
                .order_by(CaseRow.case_id)
                .limit(batch_size)
                .with_for_update()
            )
            rows: list[tuple[str, object]] = [(row.case_id, row.state) for row in found]
            if not rows:
                break
            states, changed, undecodable = await _rekey_batch(
                rows, current=current, connection=connection
            )
            if register:
                counts.register += await carry_register_over(
                    states, current=current, earlier=earlier, connection=connection
                )
        counts.cases += len(rows)
        counts.changed += changed
        counts.undecodable += undecodable
        counts.last_case = rows[-1][0]
        if progress is not None:
            progress(counts)
    return counts
