"""The event chain (事件链): each stored event is sealed with a hash over its predecessor's hash.

``hash(n) = SHA-256(hash(n-1) + canonical bytes of event n)``, starting from ``GENESIS_HASH``.
Changing, removing or inserting any stored event breaks the chain at that event; only the head
hash has to be kept somewhere else (e.g. printed in a report) to make rewriting the whole tail
detectable too.

The canonical bytes are computed from JSON-compatible values, the ones the store actually holds:
the same bytes come out whether the payload is the workflow's ``model_dump(mode="json")`` or the
document read back from PostgreSQL JSONB (keys reordered, numbers as ``numeric``) or SQLite JSON.
Hashing the stored JSON, not a re-serialised model, also keeps old events verifiable after their
model gains a field.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime

from domain.base import Frozen
from domain.case.events import Event

GENESIS_HASH = "0" * 64


def normalize_json(value: Any) -> Any:
    """``value`` with every number in the one form both stores hand back.

    PostgreSQL keeps a JSON number as ``numeric`` and prints it without an exponent, so ``1e+20``
    comes back as the integer ``100000000000000000000`` and ``-0.0`` as ``0``: an integral float is
    therefore written as the exact integer of its shortest decimal form (``Decimal(repr(x))``, not
    the binary value). Other floats stay floats: Python prints the shortest repr, and parsing
    PostgreSQL's plain digits gives back the same double.
    """
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a JSON number: {value!r}")
        return int(Decimal(repr(value))) if value.is_integer() else value
    if isinstance(value, dict):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys are strings, got {key!r}")
            plain[key] = normalize_json(item)
        return plain
    if isinstance(value, list | tuple):
        return [normalize_json(item) for item in value]
    return value


def canonical_json(value: Any) -> bytes:
    """Sorted keys, compact separators, UTF-8 without escapes; numbers as in ``normalize_json``."""
    text = json.dumps(
        normalize_json(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def utc_instant(at: datetime) -> str:
    """An aware instant in UTC, ISO-8601 with microseconds: ``2026-03-02T01:30:00.000000+00:00``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an event time must be timezone-aware, got {at!r}")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_event(
    *,
    case_id: str,
    seq: int,
    type: str,
    occurred_at: datetime,
    actor: str,
    command_id: str,
    payload: Any,
) -> bytes:
    """The bytes an event is sealed with: every stored column except ids and hashes.

    ``payload`` is the stored JSON value (an object for every event the domain records).
    """
    return canonical_json(
        {
            "case_id": case_id,
            "seq": seq,
            "type": type,
            "occurred_at": utc_instant(occurred_at),
            "actor": actor,
            "command_id": command_id,
            "payload": payload,
        }
    )


def event_payload(event: Event) -> dict[str, Any]:
    """What the store keeps as the event's payload (its body as JSON)."""
    payload: dict[str, Any] = event.body.model_dump(mode="json")
    return payload


def canonical_domain_event(event: Event) -> bytes:
    return canonical_event(
        case_id=event.case_id,
        seq=event.seq,
        type=event.type,
        occurred_at=event.at,
        actor=event.actor,
        command_id=event.command_id,
        payload=event_payload(event),
    )


def event_hash(prev_hash: str, canonical: bytes) -> str:
    """SHA-256 (hex) over the predecessor's hash (ASCII hex) followed by the canonical bytes."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


class ChainLink(Frozen):
    """One stored event with its seal, as read from the store."""

    case_id: str
    seq: int
    type: str
    occurred_at: AwareDatetime
    actor: str
    command_id: str
    payload: Any  # JSON, as stored
    prev_hash: str
    hash: str

    def canonical(self) -> bytes:
        return canonical_event(
            case_id=self.case_id,
            seq=self.seq,
            type=self.type,
            occurred_at=self.occurred_at,
            actor=self.actor,
            command_id=self.command_id,
            payload=self.payload,
        )

    def sealed(self) -> bool:
        """Whether the stored hash is still the seal of this content after ``prev_hash``."""
        return event_hash(self.prev_hash, self.canonical()) == self.hash


def seal(
    prev_hash: str,
    *,
    case_id: str,
    seq: int,
    type: str,
    occurred_at: datetime,
    actor: str,
    command_id: str,
    payload: Any,
) -> ChainLink:
    """The link an event becomes when appended after a link whose hash is ``prev_hash``."""
    fields: dict[str, Any] = {
        "case_id": case_id,
        "seq": seq,
        "type": type,
        "occurred_at": occurred_at,
        "actor": actor,
        "command_id": command_id,
        "payload": payload,
    }
    return ChainLink(
        **fields, prev_hash=prev_hash, hash=event_hash(prev_hash, canonical_event(**fields))
    )


class BreakReason(StrEnum):
    FIRST_SEQ_NOT_ONE = "first_seq_not_one"
    SEQ_MISSING = "seq_missing"
    SEQ_DUPLICATED = "seq_duplicated"
    PREV_HASH_MISMATCH = "prev_hash_mismatch"
    HASH_MISMATCH = "hash_mismatch"


class ChainBreak(Frozen):
    """Where the chain first breaks: the seq of the altered or missing event, and why."""

    seq: int
    reason: BreakReason
    message_zh: str
    message_en: str


class ChainReport(Frozen):
    ok: bool
    events: int
    head_hash: str | None  # the last stored link's hash (not trustworthy if ok is false)
    first_broken: ChainBreak | None


def _first_break(links: Sequence[ChainLink]) -> ChainBreak | None:
    prev: ChainLink | None = None
    for link in links:
        n = link.seq
        if prev is None and n != 1:
            # The first event is gone (or was renumbered): the break is at event 1.
            seq = 1 if n > 1 else n
            return ChainBreak(
                seq=seq,
                reason=BreakReason.FIRST_SEQ_NOT_ONE,
                message_zh=f"事件链未从第 1 号事件开始（第一个事件是第 {n} 号）",
                message_en=f"the chain does not start at event 1 (the first event is {n})",
            )
        if prev is not None and n == prev.seq:
            return ChainBreak(
                seq=n,
                reason=BreakReason.SEQ_DUPLICATED,
                message_zh=f"第 {n} 号事件重复出现",
                message_en=f"event {n} appears more than once",
            )
        if prev is not None and n != prev.seq + 1:
            missing = prev.seq + 1
            return ChainBreak(
                seq=missing,
                reason=BreakReason.SEQ_MISSING,
                message_zh=f"第 {missing} 号事件缺失（第 {prev.seq} 号之后是第 {n} 号）",
                message_en=f"event {missing} is missing (event {prev.seq} is followed by {n})",
            )
        expected_prev = GENESIS_HASH if prev is None else prev.hash
        if link.prev_hash != expected_prev:
            before = "起始值" if prev is None else f"第 {prev.seq} 号事件的哈希"
            before_en = "the genesis hash" if prev is None else f"the hash of event {prev.seq}"
            return ChainBreak(
                seq=n,
                reason=BreakReason.PREV_HASH_MISMATCH,
                message_zh=f"第 {n} 号事件记录的前序哈希与{before}不符",
                message_en=f"event {n}: prev_hash does not equal {before_en}",
            )
        if not link.sealed():
            return ChainBreak(
                seq=n,
                reason=BreakReason.HASH_MISMATCH,
                message_zh=f"第 {n} 号事件的内容与其哈希不符（记录已被改动）",
                message_en=f"event {n}: the stored hash does not match its content (altered)",
            )
        prev = link
    return None


def verify_chain(links: Sequence[ChainLink]) -> ChainReport:
    """Check one case's stored links, given in seq order (as the store sorts them).

    Reports the first broken link only: everything after it hangs on a broken link anyway.
    """
    broken = _first_break(links)
    return ChainReport(
        ok=broken is None,
        events=len(links),
        head_hash=links[-1].hash if links else None,
        first_broken=broken,
    )
