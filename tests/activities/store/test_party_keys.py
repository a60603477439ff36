"""Party and matter keys are HMACs under the deployment's party key (both stores): the stored key
of a known ID number is neither its plain SHA-256 nor the key under another secret; same-party and
same-matter lookups match under it; ``fengqiao keys rekey`` moves every stored key to a new
secret (idempotent, resumable, in the administration trail); an upgrade from the plain SHA-256
keys of earlier releases rebuilds them, carrying 重点人员 entries over."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import ActivityEnvironment

from activities.runtime.engine_keys import EngineKeyError, Keyring
from activities.runtime.party_keys import lookup_keys, party_keyring
from activities.runtime.settings import DEVELOPMENT_PARTY_KEY, Settings
from activities.store import indicator_facts, repositories, watched, worklists
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.indicator_tables import IndicatorFactRow
from activities.store.migrate import upgrade_async
from activities.store.party_rekey import rekey_party_keys
from activities.store.repositories import CaseFilter
from activities.store.tables import AdminTrailRow, CasePartyRow, CaseRow
from activities.tasks.projection import CaseStore
from domain.case.matters import matter_key, matter_material
from domain.case.worklist import party_key, party_material
from domain.registers.watched import WatchedPerson
from tests.conftest import BACKENDS
from tests.principals import CENTER, ensure_centers
from tests.samples import PETITION_INTAKE
from tests.worklist_support import CaseAt
from workflows.contract import ProjectionBatch

ZHANG_WEI = "110101199003071233"  # the samples' applicant
OTHER = [{"name": "周敏", "id_number": "110101198001010037", "phone": "13700001111"}]
KEY_A = b"a" * 32
KEY_B = b"b" * 32
LAND = "land_demolition"

MakeUrl = Callable[[str], Coroutine[Any, Any, str]]


def _sha(material: str | None) -> str:
    assert material is not None
    return hashlib.sha256(material.encode()).hexdigest()


def _built() -> list[CaseAt]:
    """A dispute of 张伟 on land, his petition on the same matter, and another person's case."""
    return [
        CaseAt("JF-2026-810001", center=CENTER, category=LAND).do("accept"),
        CaseAt("XF-2026-810002", center=CENTER, **PETITION_INTAKE),
        CaseAt("JF-2026-810003", center=CENTER, applicants=OTHER),
    ]


@pytest.fixture(params=BACKENDS)
async def store(
    request: pytest.FixtureRequest, fresh_database_url: MakeUrl
) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A store of its own (a re-key touches every case in it)."""
    url = await fresh_database_url(request.param)
    engine = create_engine(url)
    async with create_sessionmaker(engine).begin() as session:
        await ensure_centers(session)
    yield url, engine
    await engine.dispose()


async def _project(engine: AsyncEngine, key: bytes) -> list[CaseAt]:
    built = _built()
    for case in built:
        batch = ProjectionBatch(
            case_id=case.case.case_id, events=tuple(case.events), state=case.case
        )
        await ActivityEnvironment().run(
            CaseStore(engine, party_hash_key=key).project_case_events, batch
        )
    return built


async def _enter_watched(engine: AsyncEngine, watched_id: str, key: str) -> None:
    person = WatchedPerson(
        watched_id=watched_id,
        lookup_key=f"lookup-{watched_id}",
        party_key=key,
        id_masked="1101**********1233",
        name="张伟",
        person_type="repeat_petitioner",
        grade="high",
        jurisdiction_code="320102001",
        minder_user_id="wangfang",
        minder_name="王芳",
        note="",
        by_name="周军",
    )
    async with create_sessionmaker(engine)() as session:
        assert await watched.add_person(person, at=datetime.now(UTC), session=session)
        await session.commit()


async def _stored(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as connection:
        parties = sorted(
            tuple(r)
            for r in await connection.execute(select(CasePartyRow.case_id, CasePartyRow.party_key))
        )
        matters = dict(
            tuple(r)
            for r in await connection.execute(
                select(CaseRow.case_id, CaseRow.matter_key).order_by(CaseRow.case_id)
            )
        )
        facts_table: Any = IndicatorFactRow.__table__
        facts = dict(
            tuple(r)
            for r in await connection.execute(
                select(facts_table.c.case_id, facts_table.c.party_key)
            )
        )
        register = dict(
            tuple(r)
            for r in await connection.execute(
                text("SELECT watched_id, party_key FROM watched_persons")
            )
        )
    return {"parties": parties, "matters": matters, "facts": facts, "register": register}


def _expected(built: list[CaseAt], key: bytes) -> list[tuple[str, str]]:
    from domain.case.worklist import party_keys

    return sorted((c.case.case_id, k) for c in built for k in party_keys(c.case, key=key))


async def _lookups_match(engine: AsyncEngine, key: bytes, watched_key: str) -> None:
    """Same party, same matter, 调解信访率's join and the register's cases, under ``key``."""
    zhang = party_key(key=key, id_number=ZHANG_WEI)
    assert zhang is not None
    petition = CaseAt("XF-2026-810009", center=CENTER, **PETITION_INTAKE).case
    async with create_sessionmaker(engine)() as session:
        same_party = await worklists.cases_of_parties(
            [zhang], CaseFilter(within="320102"), limit=50, session=session
        )
        pending = await repositories.pending_petition(
            [str(matter_key(petition, key=key))], session=session
        )
        facts = await indicator_facts.facts_in_scope(
            session=session,
            jurisdiction="320102",
            org_ids=None,
            category=None,
            windows=[(date(2000, 1, 1), date(2100, 1, 1))],
        )
        dispute = next(f for f in facts if f.case_id == "JF-2026-810001")
        assert dispute.party_key is not None
        later = await indicator_facts.petitions_on_matters(
            [dispute.party_key], session=session, since=date(2000, 1, 1)
        )
        register = await watched.cases_of(watched_key, within="320102", session=session)
    assert sorted(c.case_id for c in same_party) == ["JF-2026-810001", "XF-2026-810002"]
    assert pending == "XF-2026-810002"
    assert [f.case_id for f in later] == ["XF-2026-810002"]
    assert sorted(c.case_id for c in register) == ["JF-2026-810001", "XF-2026-810002"]


async def test_stored_keys_are_hmacs_under_the_configured_key_and_lookups_match(
    store: tuple[str, AsyncEngine],
) -> None:
    _, engine = store
    built = await _project(engine, KEY_A)
    stored = await _stored(engine)
    assert stored["parties"] == _expected(built, KEY_A)
    keys = {k for _, k in stored["parties"]}
    zhang = party_key(key=KEY_A, id_number=ZHANG_WEI)
    assert zhang in keys
    # Not the plain SHA-256 anyone could try every ID number against, nor another secret's key.
    assert _sha(party_material(id_number=ZHANG_WEI)) not in keys
    assert party_key(key=KEY_B, id_number=ZHANG_WEI) not in keys
    petition = built[1].case
    assert stored["matters"]["XF-2026-810002"] == matter_key(petition, key=KEY_A)
    assert stored["matters"]["XF-2026-810002"] != _sha(matter_material(petition))
    assert stored["matters"]["JF-2026-810001"] is None  # disputes have none
    await _enter_watched(engine, "ZD-" + "1" * 20, str(zhang))
    await _lookups_match(engine, KEY_A, str(zhang))


async def test_rekey_moves_every_stored_key_to_the_new_secret(
    store: tuple[str, AsyncEngine],
) -> None:
    _, engine = store
    built = await _project(engine, KEY_A)
    await _enter_watched(engine, "ZD-" + "1" * 20, str(party_key(key=KEY_A, id_number=ZHANG_WEI)))
    # An entry no case names: nothing to carry it over by (it is, at the next lookup by number).
    nobody = str(party_key(key=KEY_A, id_number="110101197001010016"))
    await _enter_watched(engine, "ZD-" + "2" * 20, nobody)
    before = await _stored(engine)
    # Rotation under way (B current, A still listed): a lookup tries both keys and still finds
    # what was stored under A, before the re-key has run.
    ring = Keyring.of([("b", KEY_B), ("a", KEY_A)])
    assert lookup_keys(ring) == (KEY_B, KEY_A)
    petition = built[1].case
    async with create_sessionmaker(engine)() as session:
        same_party = await worklists.cases_of_parties(
            [str(party_key(key=k, id_number=ZHANG_WEI)) for k in lookup_keys(ring)],
            CaseFilter(within="320102"),
            limit=50,
            session=session,
        )
        pending = await repositories.pending_petition(
            [str(matter_key(petition, key=k)) for k in lookup_keys(ring)], session=session
        )
    assert sorted(c.case_id for c in same_party) == ["JF-2026-810001", "XF-2026-810002"]
    assert pending == "XF-2026-810002"

    counts = await rekey_party_keys(engine, current=KEY_B, earlier=[None, KEY_A])

    assert (counts.cases, counts.changed, counts.register) == (3, 3, 1)
    after = await _stored(engine)
    assert after["parties"] == _expected(built, KEY_B)
    assert not {k for _, k in after["parties"]} & {k for _, k in before["parties"]}
    assert after["matters"]["XF-2026-810002"] == matter_key(built[1].case, key=KEY_B)
    assert after["facts"]["JF-2026-810001"] == after["matters"]["XF-2026-810002"]
    zhang_b = str(party_key(key=KEY_B, id_number=ZHANG_WEI))
    assert after["register"] == {"ZD-" + "1" * 20: zhang_b, "ZD-" + "2" * 20: nobody}
    await _lookups_match(engine, KEY_B, zhang_b)

    # Idempotent: a second run rewrites nothing; resumable: a run after a case starts there.
    again = await rekey_party_keys(engine, current=KEY_B, earlier=[None, KEY_A])
    assert (again.cases, again.changed, again.register) == (3, 0, 0)
    resumed = await rekey_party_keys(engine, current=KEY_A, earlier=[KEY_B], after="JF-2026-810003")
    assert (resumed.cases, resumed.changed, resumed.last_case) == (1, 1, "XF-2026-810002")
    mixed = await _stored(engine)
    assert mixed["matters"]["XF-2026-810002"] == matter_key(built[1].case, key=KEY_A)
    assert ("JF-2026-810001", zhang_b) in mixed["parties"]  # before the resume point: kept


async def test_an_upgrade_turns_plain_sha256_keys_into_hmacs(
    store: tuple[str, AsyncEngine],
) -> None:
    """A store an earlier release left (read model 2, plain SHA-256 keys everywhere): the rebuild
    at upgrade writes the keys under the configured party key and carries the register over."""
    url, engine = store
    built = await _project(engine, DEVELOPMENT_PARTY_KEY)
    petition = built[1].case
    plain_zhang = _sha(party_material(id_number=ZHANG_WEI))
    plain_matter = _sha(matter_material(petition))
    async with engine.begin() as connection:
        await connection.execute(CasePartyRow.__table__.delete())
        for case in built:
            people = [*case.case.applicants, *case.case.respondents]
            materials = {
                party_material(id_number=p.id_number, name=p.name, phone=p.phone) for p in people
            }
            await connection.execute(
                CasePartyRow.__table__.insert(),
                [{"case_id": case.case.case_id, "party_key": _sha(m)} for m in materials if m],
            )
        await connection.execute(
            update(CaseRow)
            .where(CaseRow.case_id == "XF-2026-810002")
            .values(matter_key=plain_matter)
        )
        facts: Any = IndicatorFactRow.__table__
        await connection.execute(
            update(facts)
            .where(facts.c.case_id.in_(["JF-2026-810001", "XF-2026-810002"]))
            .values(party_key=plain_matter)
        )
        await connection.execute(update(CaseRow).values(read_model_version=2))
    await _enter_watched(engine, "ZD-" + "3" * 20, plain_zhang)
    old = await _stored(engine)
    assert ("XF-2026-810002", plain_zhang) in old["parties"]

    await upgrade_async(url)

    new = await _stored(engine)
    assert new["parties"] == _expected(built, DEVELOPMENT_PARTY_KEY)
    assert plain_zhang not in {k for _, k in new["parties"]}
    hmac_matter = matter_key(petition, key=DEVELOPMENT_PARTY_KEY)
    assert new["matters"]["XF-2026-810002"] == hmac_matter
    assert new["facts"]["JF-2026-810001"] == new["facts"]["XF-2026-810002"] == hmac_matter
    zhang = str(party_key(key=DEVELOPMENT_PARTY_KEY, id_number=ZHANG_WEI))
    assert new["register"] == {"ZD-" + "3" * 20: zhang}
    await _lookups_match(engine, DEVELOPMENT_PARTY_KEY, zhang)


def test_the_rekey_command_reports_counts_and_is_in_the_administration_trail(
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from activities.store.migrate import upgrade
    from worker import main

    url = f"sqlite+aiosqlite:///{tmp_path / 'rekey.db'}"
    upgrade(url)

    async def project() -> None:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine).begin() as session:
                await ensure_centers(session)
            await _project(engine, DEVELOPMENT_PARTY_KEY)
        finally:
            await engine.dispose()

    asyncio.run(project())
    new_key = base64.b64encode(KEY_B).decode()
    dev_key = base64.b64encode(DEVELOPMENT_PARTY_KEY).decode()
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", url)
    monkeypatch.setenv("FENGQIAO_PARTY_KEY_SECRET", f"k2027:{new_key},dev:{dev_key}")

    assert main(["keys", "rekey"]) == 0

    out = capsys.readouterr().out
    assert "检查 3 件，重算 3 件" in out
    assert "3 cases checked, 3 re-keyed" in out
    # No key in what it prints or logs, nor its bytes in any other spelling.
    for shown in (out, caplog.text):
        assert new_key not in shown
        assert dev_key not in shown
        assert KEY_B.decode() not in shown

    async def stored() -> tuple[list[tuple[str, str, str, dict[str, str]]], list[str]]:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                rows = await session.scalars(
                    select(AdminTrailRow).where(AdminTrailRow.action == "party_keys_rekeyed")
                )
                trail = [(r.action, r.actor_id, r.target, dict(r.details)) for r in rows]
                keys = list(await session.scalars(select(CasePartyRow.party_key)))
            return trail, keys
        finally:
            await engine.dispose()

    trail, keys = asyncio.run(stored())
    assert trail == [
        ("party_keys_rekeyed", "cli", "k2027", {"cases": "3", "changed": "3", "register": "0"})
    ]
    assert party_key(key=KEY_B, id_number=ZHANG_WEI) in keys
    assert party_key(key=DEVELOPMENT_PARTY_KEY, id_number=ZHANG_WEI) not in keys


def test_production_refuses_to_run_without_a_party_key_and_never_names_a_key() -> None:
    production = Settings(env="production")
    with pytest.raises(EngineKeyError, match="FENGQIAO_PARTY_KEY_SECRET"):
        party_keyring(production)
    short = base64.b64encode(b"too short").decode()
    with pytest.raises(EngineKeyError) as refused:
        party_keyring(Settings(env="production", party_key_secret=f"k1:{short}"))
    assert short not in str(refused.value)
    assert party_keyring(Settings()).current_key == DEVELOPMENT_PARTY_KEY


@pytest.mark.parametrize("after", ["JF-2026-12345\x00", "'; DROP TABLE cases; --", "x" * 300])
def test_the_rekey_command_refuses_a_resume_point_that_is_not_a_case_number(
    after: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from worker import main

    monkeypatch.setenv("FENGQIAO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    with pytest.raises(SystemExit) as refused:
        main(["keys", "rekey", "--after", after])
    assert refused.value.code == 2
    assert "不是案件编号 / not a case number" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()  # nothing was opened, let alone written
