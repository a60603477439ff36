"""Real case documents for the console benchmark: a few hundred cases driven through the pure
domain, copied under new case numbers into every table the projection writes.

Each *template* is one case registered at a place of the bench registry (four counties of 12
towns of 20 villages, as ``bench.read_model``), at a moment of the last two years, and taken
along a *script* of commands (``domain.case.decide`` / ``evolve`` with the shipped policy and
calendar, as the workflow does): new intakes, accepted, declined, planned with a 包案领导,
mediating with sessions, agreements, 司法确认, 回访, closed, mediation failed, withdrawn,
hand-offs (转办 awaiting 签收, 签收, 交办 awaiting 反馈, 上提, 联合调处) and petitions through
their answers. Timers fire between the steps and up to now (``advance``), so open cases carry
their warnings, breaches and alerts. Each template's rows are built once with the store's own
row builders (``repositories.case_columns``, ``read_model.case_rows``, the sealed event rows, the
alert rows of ``alert_store``); each copy replaces the case number in them (and the parties'
phone and ID numbers, so a person has a few cases, not thousands), seals its events again, and
the rows go in with COPY.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from activities.policy.book import PolicyBook
from activities.policy.calendar_data import load_calendar
from activities.runtime.settings import DEVELOPMENT_PARTY_KEY
from activities.store import alert_store, read_model, registry, repositories
from activities.store.engine import create_sessionmaker
from activities.store.repositories import case_columns
from activities.tasks.policy import YEARS_SNAPSHOTTED, calendar_slice
from domain.audit.chain import GENESIS_HASH, canonical_event, event_hash
from domain.case import commands as c
from domain.case import events as e
from domain.case.case_numbers import format_case_number
from domain.case.decide import advance, decide, snapshot_policy
from domain.case.evolve import fold
from domain.case.policy import case_policy
from domain.case.state import CaseState
from domain.case.worklist import party_key
from domain.errors import DomainError
from domain.organisation.organisations import OrgRef, Routing
from domain.organisation.registry import Registry
from domain.values import CaseKind, china_date
from tests.samples import PETITION_INTAKE, action_bodies, intake_body

COUNTIES = {"320102": "玄武区", "320104": "秦淮区", "320105": "建邺区", "320106": "鼓楼区"}
TOWNS = 12
VILLAGES = 20
BATCH = 2_000  # copies per COPY round

# -- the registry -------------------------------------------------------------------------------


def _org(org_id: str, name: str, kind: str, level: str, code: str, **more: Any) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "name": name,
        "type": kind,
        "level": level,
        "jurisdiction_code": code,
        **more,
    }


def bench_registry() -> Registry:
    """Places, organisations (per county a center, a labour room, a department; per town a
    center and a police room; per village a mediation committee) and a roster of mediators."""
    places: list[dict[str, Any]] = []
    orgs: list[dict[str, Any]] = []
    mediators: list[dict[str, Any]] = []
    for county, county_name in COUNTIES.items():
        places.append({"code": county, "name": county_name, "level": "county"})
        center = f"center-{county}"
        orgs += [
            _org(center, f"{county_name}矛盾纠纷多元化解中心", "center", "county", county),
            _org(
                f"room-{county}",
                f"{county_name}劳动争议调解室",
                "sector_room",
                "county",
                county,
                parent_id=center,
                categories=["labour", "medical"],
            ),
            _org(
                f"dept-{county}",
                f"{county_name}人力资源和社会保障局",
                "department",
                "county",
                county,
            ),
        ]
        for t in range(1, TOWNS + 1):
            town = f"{county}{t:03d}"
            places.append(
                {"code": town, "name": f"第{t}街道", "level": "town", "parent_code": county}
            )
            orgs += [
                _org(
                    f"center-{town}", f"第{t}街道综治中心", "center", "town", town, parent_id=center
                ),
                _org(
                    f"police-{town}",
                    f"第{t}街道派出所调解室",
                    "police_room",
                    "town",
                    town,
                    parent_id=f"center-{town}",
                    categories=["traffic"],
                ),
            ]
            for v in range(1, VILLAGES + 1):
                village = f"{town}{v:03d}"
                places.append(
                    {"code": village, "name": f"第{v}社区", "level": "village", "parent_code": town}
                )
                orgs.append(
                    _org(
                        f"committee-{village}",
                        f"第{t}街道第{v}社区人民调解委员会",
                        "mediation_committee",
                        "village",
                        village,
                        parent_id=f"center-{town}",
                    )
                )
    for org in orgs:
        if org["level"] != "village":
            for n in range(1, 4):
                mediators.append(
                    {
                        "mediator_id": f"{org['org_id']}-m{n}",
                        "name": ("王芳", "赵强", "刘洋")[n - 1],
                        "org_id": org["org_id"],
                        "employment": "full_time" if n < 3 else "part_time",
                        "specialties": ["neighbourhood", "labour"],
                    }
                )
    return Registry.model_validate(
        {"jurisdictions": places, "organisations": orgs, "mediators": mediators}
    )


def _ref(registry_: Registry, org_id: str) -> dict[str, Any]:
    org = next(o for o in registry_.organisations if o.org_id == org_id)
    return OrgRef(org_id=org.org_id, name=org.name, level=org.level, type=org.type).model_dump(
        mode="json"
    )


# -- scripts ------------------------------------------------------------------------------------

# (action, overrides) in order; ``{room}``-style organisation names are filled per place.
Step = tuple[str, dict[str, Any]]

MEDIATING = ("accept", "plan", "assign_package_leader", "start_mediation", "record_session")
AGREED = (*MEDIATING, "record_session", "record_agreement")
SCRIPTS: dict[str, tuple[str, ...]] = {
    "registered": (),
    "accepted": ("accept",),
    "declined": ("decline",),
    "planned": ("accept", "plan", "assign_package_leader"),
    "mediating": MEDIATING,
    "agreement": AGREED,
    "confirmation": (*AGREED, "apply_judicial_confirmation"),
    "following_up": (
        *AGREED,
        "apply_judicial_confirmation",
        "record_court_acceptance",
        "record_court_decision",
    ),
    "closed": (
        *AGREED,
        "apply_judicial_confirmation",
        "record_court_acceptance",
        "record_court_decision",
        "record_follow_up",
        "close",
    ),
    "failed": (*MEDIATING, "record_mediation_failure"),
    "withdrawn": ("accept", "withdraw"),
    # hand-offs
    "transfer_awaiting": ("transfer",),
    "transfer_taken": ("transfer", "take", "accept", "plan", "start_mediation"),
    "returned": ("transfer", "return", "accept"),
    "assigned": ("accept", "assign"),
    "reported_back": ("accept", "assign", "report_back", "start_mediation", "record_session"),
    "lifted": ("accept", "start_mediation", "record_mediation_failure", "lift", "start_mediation"),
    "co_handled": ("accept", "add_co_handler", "start_mediation", "record_session"),
}
PETITION_SCRIPTS: dict[str, tuple[str, ...]] = {
    "p_registered": (),
    "p_accepted": ("accept",),
    "p_replied": ("accept", "reply"),
    "p_review": ("accept", "reply", "request_review"),
    "p_final": (
        "accept",
        "reply",
        "request_review",
        "answer_review",
        "request_second_review",
        "answer_second_review",
    ),
    "p_closed": ("decline", "close"),
}
CATEGORIES = ("neighbourhood", "labour", "marriage_family", "property_management", "traffic")
RISKS = ("low", "low", "low", "elevated", "major")
SURNAMES = "张李王赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"


@dataclass
class Template:
    """One case driven through the domain, and its rows as the projection writes them."""

    state: CaseState
    events: list[e.Event]
    phones: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)


def id_number(seed: int) -> str:
    """A well-formed 18-digit 居民身份证号码 (ISO 7064 MOD 11-2 check digit)."""
    body = f"320102{1960 + seed % 45:04d}{1 + seed % 12:02d}{1 + seed % 28:02d}{seed % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


class Builder:
    """Drives cases as the workflow does: register, snapshot the policy, then each command an
    hour or days apart with the timers that fall due in between, then the timers up to now."""

    def __init__(self, registry_: Registry, now: datetime) -> None:
        self.registry = registry_
        self.now = now
        self.book = PolicyBook.load()
        self.calendar = load_calendar()

    def _policy(self, state: CaseState) -> Any:
        return case_policy(
            self.book.for_jurisdiction(state.jurisdiction.code),
            calendar_slice(self.calendar, state.registered.at.year, YEARS_SNAPSHOTTED),
            kind=state.kind,
            category=state.category,
            channel=state.channel,
            risk=state.risk_level,
        )

    def build(
        self, n: int, case_id: str, script: str, village: str, at: datetime, rng: random.Random
    ) -> Template:
        county, town = village[:6], village[:9]
        kind = CaseKind.PETITION if script.startswith("p_") else CaseKind.DISPUTE
        steps = PETITION_SCRIPTS[script] if kind is CaseKind.PETITION else SCRIPTS[script]
        category = "labour" if "transfer" in steps else rng.choice(CATEGORIES)
        phones = [f"1990{n:07d}", f"1991{n:07d}"]
        ids = [id_number(900_000 + n)]
        names = [rng.choice(SURNAMES) + "伟", rng.choice(SURNAMES) + "娜"]
        level = rng.choice(("village", "village", "town", "county"))
        if script == "lifted" and level == "county":  # 上提 to the county center
            level = "town"
        code = {"village": village, "town": town, "county": county}[level]
        place = {
            "county_code": county,
            "county_name": COUNTIES[county],
            **(
                {"town_code": town, "town_name": f"第{int(town[6:])}街道"}
                if level != "county"
                else {}
            ),
            **(
                {"village_code": village, "village_name": f"第{int(village[9:])}社区"}
                if level == "village"
                else {}
            ),
        }
        del code
        intake = intake_body(
            title=f"{names[0]}与{names[1]}{'工资拖欠纠纷' if category == 'labour' else '相邻纠纷'}",
            category=category,
            jurisdiction=place,
            risk_level=rng.choice(RISKS),
            applicants=[
                {"name": names[0], "id_number": ids[0], "phone": phones[0], "address": "长江路12号"}
            ],
            respondents=[{"name": names[1], "phone": phones[1]}],
        )
        if kind is CaseKind.PETITION:
            intake = {**intake, **PETITION_INTAKE, "jurisdiction": place}
        center = f"center-{town}" if level != "county" else f"center-{county}"
        routing = None
        if category == "labour" and "transfer" not in steps:  # 分流 to the labour room
            room = OrgRef.model_validate(_ref(self.registry, f"room-{county}"))
            routing = Routing(suggested=room, rule_id="labour-to-county-room", chosen=room)
        registration = c.Register.model_validate(
            {**intake, "case_id": case_id, "center_id": center, "reporter_id": "bench-mediator"}
        ).model_copy(update={"routing": routing})
        state: CaseState | None = None
        events: list[e.Event] = []

        def apply(new: list[e.Event]) -> None:
            nonlocal state
            events.extend(new)
            state = fold(new, state)

        def envelope(cmd: c.Command) -> c.CommandEnvelope:
            seq = state.seq if state is not None else 0
            return c.CommandEnvelope(command_id=f"cmd-{seq}", actor="王芳", command=cmd)

        apply(decide(None, envelope(registration), now=at))
        assert state is not None
        apply(snapshot_policy(state, self._policy(state), actor="系统", command_id="p", now=at))
        orgs = {
            "transfer": {"to_organisation": _ref(self.registry, f"room-{county}")},
            "assign": {"department": _ref(self.registry, f"dept-{county}")},
            "lift": {"to_organisation": _ref(self.registry, f"center-{county}")},
            "add_co_handler": {"organisation": _ref(self.registry, f"police-{town}")},
        }
        moment = at
        for action in steps:
            later = moment + timedelta(hours=rng.randint(2, 24 * 12))
            if later >= self.now:
                break
            assert state is not None
            apply(advance(state, now=later))
            moment = later
            today = china_date(moment)
            body = {**action_bodies(today)[action], **orgs.get(action, {})}
            if action == "report_back":
                body["reported_on"] = today.isoformat()
            cmd: c.Command = c_command(action, body)
            try:
                apply(decide(state, envelope(cmd), now=moment))
            except DomainError as refused:
                raise RuntimeError(f"{script} {action}: {refused}") from refused
        assert state is not None
        apply(advance(state, now=self.now))
        assert state is not None
        return Template(state=state, events=events, phones=phones, id_numbers=ids)


def c_command(action: str, body: dict[str, Any]) -> c.Command:
    from pydantic import TypeAdapter

    adapter: TypeAdapter[c.Command] = TypeAdapter(c.Command)
    return adapter.validate_python({**body, "type": action})


def templates(registry_: Registry, now: datetime, count: int, seed: int = 7) -> list[Template]:
    """``count`` cases of every script, at random places of the four counties, registered over
    the two years before ``now`` (later scripts: nearer now)."""
    rng = random.Random(seed)
    builder = Builder(registry_, now)
    scripts = [*SCRIPTS, *PETITION_SCRIPTS]
    built: list[Template] = []
    for n in range(count):
        script = scripts[n % len(scripts)]
        county = rng.choice(list(COUNTIES))
        village = f"{county}{rng.randint(1, TOWNS):03d}{rng.randint(1, VILLAGES):03d}"
        # Open new intakes are recent; finished ones may be old.
        days = (
            rng.uniform(0.2, 60)
            if script in ("registered", "p_registered")
            else rng.uniform(1, 730)
        )
        at = (now - timedelta(days=days)).replace(microsecond=0)
        kind = CaseKind.PETITION if script.startswith("p_") else CaseKind.DISPUTE
        case_id = format_case_number(kind, at.year, 990_000 + n)
        built.append(builder.build(n, case_id, script, village, at, rng))
    return built


# -- copies -------------------------------------------------------------------------------------

PEOPLE = 40_000  # the pool of people copies draw their parties from (a person has a few cases)


@dataclass
class Rows:
    """A template's rows as the projection writes them, as JSON text where a copy rewrites."""

    case_id: str
    kind: CaseKind
    year: int
    case: dict[str, Any]
    document: str
    side: list[tuple[str, list[dict[str, Any]]]]
    alerts: list[tuple[dict[str, Any], str]]
    events: list[tuple[dict[str, Any], str, str]]  # row, payload text, canonical text
    people: list[tuple[str, str, str]]  # (name, template phone, template id number or "")


def rows_of(template: Template) -> Rows:
    state = template.state
    columns = case_columns(state, party_hash_key=DEVELOPMENT_PARTY_KEY)
    document = json.dumps(columns.pop("state"), ensure_ascii=False)
    side = [
        (table.name, rows)
        for table, rows in read_model.case_rows(state, party_hash_key=DEVELOPMENT_PARTY_KEY)
    ]
    alerts = []
    for row in alert_store.alert_rows(state):
        document_text = json.dumps(row.pop("document"), ensure_ascii=False)
        alerts.append((row, document_text))
    events = []
    for event in template.events:
        row = repositories.event_row(event)
        payload = json.dumps(row["payload"], ensure_ascii=False)
        # The chain's canonical bytes of the template's event: a copy's are the same text with
        # the same strings swapped (case number, phones, ID numbers are plain ASCII values).
        canonical = canonical_event(**row).decode()
        events.append((row, payload, canonical))
    people = []
    for party in (*state.applicants, *state.respondents):
        people.append((party.name, party.phone or "", party.id_number or ""))
    return Rows(
        case_id=state.case_id,
        kind=state.kind,
        year=state.registered.at.year,
        case=columns,
        document=document,
        side=side,
        alerts=alerts,
        events=events,
        people=people,
    )


def _person(n: int) -> tuple[str, str]:
    """Phone and ID number of person ``n`` of the pool."""
    return f"139{n:08d}", id_number(n)


@dataclass
class Batch:
    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        if table not in self.columns:
            self.columns[table] = list(row)
            self.tables[table] = []
        self.tables[table].append(tuple(row[name] for name in self.columns[table]))


def copy_into(batch: Batch, rows: Rows, case_id: str, copy_no: int, *, check: bool = False) -> None:
    """One copy of the template under ``case_id``, its parties drawn from the pool; ``check``
    also seals its events through ``repositories.sealed_row`` and compares."""
    swaps = [(rows.case_id, case_id)]
    keys = []
    for n, (name, phone, id_no) in enumerate(rows.people):
        person = int.from_bytes(hashlib.blake2b(f"{copy_no}/{n}".encode(), digest_size=4).digest())
        new_phone, new_id = _person(person % PEOPLE)
        if phone:
            swaps.append((phone, new_phone))
        if id_no:
            swaps.append((id_no, new_id))
        key = party_key(
            key=DEVELOPMENT_PARTY_KEY,
            id_number=new_id if id_no else None,
            name=name,
            phone=new_phone if phone else None,
        )
        if key is not None:
            keys.append(key)

    def swapped(value: str) -> str:
        for old, new in swaps:
            value = value.replace(old, new)
        return value

    batch.add("cases", {**rows.case, "case_id": case_id, "state": swapped(rows.document)})
    for table, side_rows in rows.side:
        if table == "case_parties":
            continue
        for row in side_rows:
            batch.add(table, {**row, "case_id": case_id})
    for key in sorted(set(keys)):
        batch.add("case_parties", {"case_id": case_id, "party_key": key})
    for row, document in rows.alerts:
        batch.add(
            "alerts",
            {
                **row,
                "alert_id": row["alert_id"].replace(rows.case_id, case_id),
                "case_id": case_id,
                "document": swapped(document),
            },
        )
    head = GENESIS_HASH
    for row, payload, canonical in rows.events:
        digest = event_hash(head, swapped(canonical).encode())
        if check:  # the shortcut seals as the store does
            new = {**row, "case_id": case_id, "payload": json.loads(swapped(payload))}
            assert repositories.sealed_row(new, head)["hash"] == digest, (case_id, row["seq"])
        batch.add(
            "case_events",
            {
                **row,
                "case_id": case_id,
                "payload": swapped(payload),
                "prev_hash": head,
                "hash": digest,
            },
        )
        head = digest


def copies(all_rows: list[Rows], cases: int) -> Iterator[tuple[Rows, str, int]]:
    """``cases`` copies, round-robin over the templates, numbered per series as intake does."""
    numbers: dict[str, int] = {}
    for n in range(cases):
        rows = all_rows[n % len(all_rows)]
        series = f"{rows.kind.value}-{rows.year}"
        numbers[series] = numbers.get(series, 0) + 1
        yield rows, format_case_number(rows.kind, rows.year, numbers[series]), n


async def _copy(connection: Any, batch: Batch) -> None:
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    # cases first: the side tables follow it
    for table in (
        "cases",
        "case_organisations",
        "work_items",
        "case_parties",
        "alerts",
        "case_events",
    ):
        if batch.tables.get(table):
            await driver.copy_records_to_table(
                table, records=batch.tables[table], columns=batch.columns[table]
            )


async def load_registry_rows(engine: AsyncEngine, registry_: Registry) -> None:
    async with create_sessionmaker(engine).begin() as session:
        await registry.load_registry(registry_, session=session)


async def load(engine: AsyncEngine, cases: int, *, now: datetime, per_template: int = 20) -> None:
    """The registry, then ``cases`` copies of ``cases // per_template`` templates."""
    started = time.perf_counter()
    registry_ = bench_registry()
    await load_registry_rows(engine, registry_)
    count = max(len(SCRIPTS) + len(PETITION_SCRIPTS), cases // per_template)
    built = templates(registry_, now, count)
    all_rows = [rows_of(t) for t in built]
    print(f"  {count} templates  {time.perf_counter() - started:6.0f} s", file=sys.stderr)
    async with engine.connect() as connection:
        await connection.execute(text("SET synchronous_commit = off"))
        batch = Batch()
        done = 0
        for rows, case_id, n in copies(all_rows, cases):
            copy_into(batch, rows, case_id, n, check=n < len(all_rows))
            done += 1
            if done % BATCH == 0 or done == cases:
                await _copy(connection, batch)
                await connection.commit()
                batch = Batch()
                if done % 20_000 == 0 or done == cases:
                    print(
                        f"  {done:>9} cases  {time.perf_counter() - started:6.0f} s",
                        file=sys.stderr,
                    )
        series: dict[str, int] = {}
        for _, case_id, _ in copies(all_rows, cases):
            series[case_id[:7]] = max(series.get(case_id[:7], 0), int(case_id[8:]))
        for name, last in series.items():
            await connection.execute(
                text("INSERT INTO case_series (series, last_number) VALUES (:s, :n)"),
                {"s": name, "n": last},
            )
        await connection.commit()
