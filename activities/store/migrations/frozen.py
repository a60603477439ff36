"""Frozen copies of the code migrations 0005 and 0014 seal existing rows with (the event chain's
and the administration trail's hashes, as of those revisions).

A migration runs years after it was written, against whatever the code has become by then: it
must not import live models or rules. The hash format itself must never change (old chains must
verify), and ``tests/activities/store/test_frozen_migration_code.py`` checks these copies still
agree with ``domain.audit`` — if that test fails, the live code changed a format it may not.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

GENESIS_HASH = "0" * 64
ROLE_MODEL_SPLIT = "role_model_split"


def _normalize(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a JSON number: {value!r}")
        return int(Decimal(repr(value))) if value.is_integer() else value
    if isinstance(value, dict):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys are strings, got {key!r}")
            plain[key] = _normalize(item)
        return plain
    if isinstance(value, list | tuple):
        return [_normalize(item) for item in value]
    return value


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        _normalize(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def utc_instant(at: datetime) -> str:
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


def event_hash(prev_hash: str, canonical: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


def trail_hash(
    previous: str,
    *,
    at: datetime,
    actor_id: str,
    actor_name: str,
    actor_role: str,
    action: str,
    target: str,
    details: dict[str, str],
) -> str:
    entry = {
        "at": utc_instant(at),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "actor_role": actor_role,
        "action": action,
        "target": target,
        "details": details,
    }
    return hashlib.sha256(previous.encode("ascii") + canonical_json(entry)).hexdigest()
