"""The administration trail's seal, pinned: a fixed entry, its canonical bytes written out by hand,
SHA-256 computed here independently. Swapping the operands or changing the bytes fails this."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from domain.audit.admin_trail import GENESIS_HASH, trail_hash

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def test_the_seal_of_a_known_entry() -> None:
    canonical = (
        '{"action":"link_issued","actor_id":"secadmin2","actor_name":"安全管理员乙",'
        '"actor_role":"security_admin","at":"2026-03-02T01:30:00.000000+00:00",'
        '"details":{"request":"R0123456789abcdef"},"target":"wuming"}'
    ).encode()
    expected = hashlib.sha256(b"0" * 64 + canonical).hexdigest()
    sealed = trail_hash(
        GENESIS_HASH,
        at=AT,
        actor_id="secadmin2",
        actor_name="安全管理员乙",
        actor_role="security_admin",
        action="link_issued",
        target="wuming",
        details={"request": "R0123456789abcdef"},
    )
    assert sealed == expected
    # The next entry depends on this one's seal.
    assert trail_hash(
        sealed, at=AT, actor_id="a", actor_name="甲", actor_role="auditor", action="trail_read",
        target="", details={},
    ) != trail_hash(
        GENESIS_HASH, at=AT, actor_id="a", actor_name="甲", actor_role="auditor",
        action="trail_read", target="", details={},
    )  # fmt: skip
