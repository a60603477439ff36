"""The event chain: canonical bytes, sealing, and where verification finds the first break."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.audit.chain import (
    GENESIS_HASH,
    BreakReason,
    ChainLink,
    canonical_domain_event,
    canonical_event,
    canonical_json,
    event_hash,
    event_payload,
    seal,
    verify_chain,
)
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from tests.samples import T0, command, register

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
PAYLOADS = st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=5)
# Cheap to draw: a chain's payloads only need to differ; the alterations draw from PAYLOADS.
SMALL_PAYLOADS = st.dictionaries(st.sampled_from("abc"), st.integers() | st.text(max_size=3))


def _chain(payloads: list[dict[str, Any]], case_id: str = "JF-2026-000001") -> list[ChainLink]:
    links: list[ChainLink] = []
    prev = GENESIS_HASH
    for seq, payload in enumerate(payloads, start=1):
        link = seal(
            prev,
            case_id=case_id,
            seq=seq,
            type=f"type_{seq % 3}",
            occurred_at=T0 + timedelta(minutes=seq, microseconds=seq),
            actor="王芳",
            command_id=f"cmd-{seq}",
            payload=payload,
        )
        links.append(link)
        prev = link.hash
    return links


def _history(*actions: str) -> list[Event]:
    events = decide(
        None, c.CommandEnvelope(command_id="r", actor="登记员", command=register()), now=T0
    )
    for n, action in enumerate(actions, start=1):
        envelope = c.CommandEnvelope(command_id=f"c{n}", actor="王芳", command=command(action))
        events += decide(fold(events), envelope, now=T0 + timedelta(minutes=n))
    return events


def _postgres_round_trip(value: Any) -> Any:
    """What JSONB gives back: keys in its own order, numbers printed as plain ``numeric``."""
    if isinstance(value, float):
        return json.loads(format(Decimal(repr(value)), "f"))
    if isinstance(value, dict):
        return {key: _postgres_round_trip(value[key]) for key in sorted(value, key=len)[::-1]}
    if isinstance(value, list):
        return [_postgres_round_trip(item) for item in value]
    return value


def _sqlite_round_trip(value: Any) -> Any:
    return json.loads(json.dumps(value))


# -- canonical bytes ----------------------------------------------------------------------------


def test_canonical_form_is_sorted_compact_utf8() -> None:
    assert (
        canonical_json({"b": 1, "a": ["中文", None, True]})
        == '{"a":["中文",null,true],"b":1}'.encode()
    )


def test_event_time_is_utc_with_microseconds() -> None:
    china = timezone(timedelta(hours=8))
    fields: dict[str, Any] = {
        "case_id": "JF-2026-000001",
        "seq": 1,
        "type": "case_accepted",
        "actor": "王芳",
        "command_id": "c1",
        "payload": {},
    }
    in_utc = canonical_event(**fields, occurred_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    in_china = canonical_event(**fields, occurred_at=datetime(2026, 3, 2, 9, 30, tzinfo=china))
    assert in_utc == in_china
    assert b'"occurred_at":"2026-03-02T01:30:00.000000+00:00"' in in_utc
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_event(**fields, occurred_at=datetime(2026, 3, 2, 1, 30))


@pytest.mark.parametrize(
    ("written", "read_back"),
    [
        (1.0, 1),
        (1e20, 100000000000000000000),
        (1e23, 10**23),  # the shortest decimal form, not the binary value 99999999999999991611392
        (-0.0, 0),
        (1e-7, 1e-07),
        (0.1, 0.1),
        (24.5, 24.5),
    ],
)
def test_numbers_read_back_from_jsonb_give_the_same_bytes(written: float, read_back: Any) -> None:
    assert canonical_json({"n": written}) == canonical_json({"n": read_back})


def test_not_a_json_number_is_refused() -> None:
    with pytest.raises(ValueError, match="not a JSON number"):
        canonical_json({"n": float("nan")})


@settings(max_examples=200, deadline=None)
@given(PAYLOADS)
def test_same_bytes_from_the_workflow_and_from_either_store(payload: dict[str, Any]) -> None:
    written = canonical_json(payload)
    assert canonical_json(_postgres_round_trip(payload)) == written
    assert canonical_json(_sqlite_round_trip(payload)) == written


def test_domain_events_seal_the_same_after_a_store_round_trip() -> None:
    for event in _history("accept", "plan", "start_mediation", "record_session"):
        stored = _postgres_round_trip(json.loads(json.dumps(event_payload(event))))
        again = canonical_event(
            case_id=event.case_id,
            seq=event.seq,
            type=event.type,
            occurred_at=event.at,
            actor=event.actor,
            command_id=event.command_id,
            payload=stored,
        )
        assert again == canonical_domain_event(event)


def test_hash_covers_the_predecessor() -> None:
    canonical = canonical_json({"x": 1})
    assert event_hash(GENESIS_HASH, canonical) != event_hash("1" * 64, canonical)
    assert len(event_hash(GENESIS_HASH, canonical)) == 64


# -- verification -------------------------------------------------------------------------------


def test_an_intact_chain_verifies() -> None:
    links = _chain([{"n": n} for n in range(5)])
    report = verify_chain(links)
    assert report.ok
    assert report.events == 5
    assert report.head_hash == links[-1].hash
    assert report.first_broken is None
    assert verify_chain([]).ok
    assert verify_chain([]).head_hash is None


def _altered(link: ChainLink, field: str, data: st.DataObject) -> ChainLink:
    value: Any
    if field == "occurred_at":
        value = link.occurred_at + timedelta(microseconds=data.draw(st.integers(1, 10**9)))
    elif field == "payload":
        value = data.draw(PAYLOADS)
        assume(canonical_json(value) != canonical_json(link.payload))
    elif field in ("prev_hash", "hash"):
        value = data.draw(st.text("0123456789abcdef", min_size=64, max_size=64))
        assume(value != getattr(link, field))
    else:
        value = getattr(link, field) + data.draw(st.text(min_size=1, max_size=3))
    return link.model_copy(update={field: value})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(SMALL_PAYLOADS, min_size=1, max_size=8),
    st.sampled_from(
        ["case_id", "type", "occurred_at", "actor", "command_id", "payload", "prev_hash", "hash"]
    ),
    st.data(),
)
def test_changing_any_field_of_any_event_breaks_the_chain_at_that_seq(
    payloads: list[dict[str, Any]], field: str, data: st.DataObject
) -> None:
    links = _chain(payloads)
    index = data.draw(st.integers(0, len(links) - 1))
    links[index] = _altered(links[index], field, data)
    report = verify_chain(links)
    assert not report.ok
    assert report.first_broken is not None
    assert report.first_broken.seq == index + 1
    expected = BreakReason.PREV_HASH_MISMATCH if field == "prev_hash" else BreakReason.HASH_MISMATCH
    assert report.first_broken.reason is expected
    assert str(index + 1) in report.first_broken.message_zh
    assert str(index + 1) in report.first_broken.message_en


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 8), st.data())
def test_renumbering_an_event_upwards_breaks_the_chain_at_its_seq(
    size: int, data: st.DataObject
) -> None:
    links = _chain([{"n": n} for n in range(size)])
    index = data.draw(st.integers(0, size - 1))
    links[index] = links[index].model_copy(
        update={"seq": links[index].seq + data.draw(st.integers(1, 20))}
    )
    links.sort(key=lambda link: link.seq)  # as the store orders them
    broken = verify_chain(links).first_broken
    assert broken is not None
    assert broken.seq == index + 1
    expected = BreakReason.FIRST_SEQ_NOT_ONE if index == 0 else BreakReason.SEQ_MISSING
    assert broken.reason is expected


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 8), st.data())
def test_a_removed_event_is_reported_as_missing(size: int, data: st.DataObject) -> None:
    links = _chain([{"n": n} for n in range(size + 1)])
    index = data.draw(st.integers(0, size - 1))  # never the last: a lost tail is the read model's
    del links[index]
    broken = verify_chain(links).first_broken
    assert broken is not None
    assert broken.seq == index + 1


def test_each_reason_is_reported_with_messages() -> None:
    links = _chain([{"n": n} for n in range(4)])

    missing = verify_chain([links[0], links[2], links[3]]).first_broken
    assert missing is not None
    assert (missing.seq, missing.reason) == (2, BreakReason.SEQ_MISSING)
    assert missing.message_zh == "第 2 号事件缺失（第 1 号之后是第 3 号）"
    assert missing.message_en == "event 2 is missing (event 1 is followed by 3)"

    duplicated = verify_chain([links[0], links[1], links[1], links[2]]).first_broken
    assert duplicated is not None
    assert (duplicated.seq, duplicated.reason) == (2, BreakReason.SEQ_DUPLICATED)

    headless = verify_chain(links[1:]).first_broken
    assert headless is not None
    assert (headless.seq, headless.reason) == (1, BreakReason.FIRST_SEQ_NOT_ONE)
    assert "第 2 号" in headless.message_zh

    tampered = links[2].model_copy(update={"actor": "李四"})
    altered = verify_chain([links[0], links[1], tampered, links[3]]).first_broken
    assert altered is not None
    assert (altered.seq, altered.reason) == (3, BreakReason.HASH_MISMATCH)
    assert altered.message_zh == "第 3 号事件的内容与其哈希不符（记录已被改动）"

    # Re-sealing the altered event moves the break to its successor's link, not past it.
    resealed = seal(links[1].hash, **tampered.model_dump(exclude={"prev_hash", "hash"}))
    relinked = verify_chain([links[0], links[1], resealed, links[3]]).first_broken
    assert relinked is not None
    assert (relinked.seq, relinked.reason) == (4, BreakReason.PREV_HASH_MISMATCH)
    assert relinked.message_en == "event 4: prev_hash does not equal the hash of event 3"


def test_chains_are_per_case() -> None:
    # The same events under another case number seal differently: a row moved between cases
    # breaks both chains.
    assert (
        _chain([{"n": 1}], "JF-2026-000001")[0].hash != _chain([{"n": 1}], "JF-2026-000002")[0].hash
    )
