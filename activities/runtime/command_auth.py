"""指令认证: the API's signature on every command it sends to a case, and its check.

The signature is HMAC-SHA256, under the current command key, over a canonical encoding of the
command envelope (case id, update name, the envelope's JSON with its command, actor, acting
organisation and idempotency key) and the time it was issued. It travels as a Temporal header of
the update (``fengqiao-auth``), beside the arguments, so the envelope the domain knows is
unchanged and a history recorded before signatures replays as it did.

The canonical JSON is sorted and compact. The sender encodes every field it knows; the receiver
encodes the fields it received (``exclude_unset``): a worker one release ahead of the API (a
field added with a default) checks exactly what was sent, while a field removed or added on the
way changes the bytes and fails the check.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from temporalio.api.common.v1 import Payload

from activities.runtime.engine_keys import Keyring

HEADER = "fengqiao-auth"
DOMAIN = b"fengqiao-command-v1"


class Refusal(ValueError):
    """Why a command's authentication does not hold (no header, unknown key, bad MAC, too old)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def canonical_json(value: Any, *, received: bool) -> bytes:
    if isinstance(value, BaseModel):
        data = value.model_dump(mode="json", exclude_unset=received)
    else:
        data = to_jsonable_python(value)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _message(workflow_id: str, update: str, issued_at: str, key_id: str, body: bytes) -> bytes:
    parts = (DOMAIN, workflow_id.encode(), update.encode(), issued_at.encode(), key_id.encode())
    # Lengths first: no two different field splits give the same bytes.
    head = b"".join(len(part).to_bytes(4, "big") + part for part in parts)
    return head + body


def sign(
    keyring: Keyring, *, workflow_id: str, update: str, arg: Any, issued_at: datetime
) -> Payload:
    """The header payload that authenticates ``arg`` sent as update ``update`` to the case."""
    at = issued_at.astimezone(UTC).isoformat()
    key_id = keyring.current
    body = canonical_json(arg, received=False)
    mac = hmac.new(
        keyring.current_key, _message(workflow_id, update, at, key_id, body), hashlib.sha256
    )
    token = {"v": 1, "kid": key_id, "at": at, "mac": mac.hexdigest()}
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(token).encode())


def verify(
    keyring: Keyring,
    header: Payload | None,
    *,
    workflow_id: str,
    update: str,
    arg: Any,
    now: datetime,
    max_age: timedelta,
) -> str:
    """The key id the command was signed with; raises Refusal when it is not authentic."""
    if header is None:
        raise Refusal("unsigned")
    try:
        token = json.loads(header.data)
        key_id, at, mac = str(token["kid"]), str(token["at"]), str(token["mac"])
        issued_at = datetime.fromisoformat(at)
    except (ValueError, KeyError, TypeError):
        raise Refusal("malformed signature") from None
    key = keyring.keys.get(key_id)
    if key is None:
        raise Refusal(f"unknown key {key_id!r}")
    body = canonical_json(arg, received=True)
    expected = hmac.new(key, _message(workflow_id, update, at, key_id, body), hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest(), mac):
        raise Refusal("bad signature")
    if issued_at.tzinfo is None or abs(now - issued_at) > max_age:
        raise Refusal("expired signature")
    return key_id
