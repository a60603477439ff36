"""The administration trail's chain (管理留痕): sealed like the case events' chain (``chain``)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from domain.audit.chain import GENESIS_HASH, canonical_json, utc_instant

__all__ = ["GENESIS_HASH", "trail_hash"]


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
    """The administration trail's chain, as the case events': SHA-256(previous hash + canonical
    bytes of the entry); the first entry follows ``GENESIS_HASH``."""
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
