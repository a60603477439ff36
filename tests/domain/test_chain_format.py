"""The chain's format pinned (known answers): stored chains stay verifiable across releases.

The canonical bytes of a fixed event are written out literally here, and the SHA-256 of each link
is computed in the test with ``hashlib`` over those literal bytes, independently of
``domain.chain``. A change to the byte layout, to the key order, to the number or time forms, or
to the order of the operands in ``event_hash`` fails these tests: every chain already stored
would fail ``audit verify`` after such a change.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from domain.audit.chain import GENESIS_HASH, canonical_event, event_hash, seal, verify_chain

BEIJING = timezone(timedelta(hours=8))

FIRST = {
    "case_id": "JF-2026-000012",
    "seq": 1,
    "type": "registered",
    "occurred_at": datetime(2026, 3, 2, 9, 30, tzinfo=BEIJING),
    "actor": "王芳 (wangfang)",
    "command_id": "cmd-0001",
    # 1.5e3 is stored as the integer 1500 (PostgreSQL's numeric), 0.25 stays a float.
    "payload": {
        "title": "邻里漏水纠纷",
        "amount": 1.5e3,
        "parties": [{"name": "张伟"}],
        "ratio": 0.25,
    },
}
FIRST_BYTES = (
    b'{"actor":"\xe7\x8e\x8b\xe8\x8a\xb3 (wangfang)","case_id":"JF-2026-000012",'
    b'"command_id":"cmd-0001","occurred_at":"2026-03-02T01:30:00.000000+00:00",'
    b'"payload":{"amount":1500,"parties":[{"name":"\xe5\xbc\xa0\xe4\xbc\x9f"}],"ratio":0.25,'
    b'"title":"\xe9\x82\xbb\xe9\x87\x8c\xe6\xbc\x8f\xe6\xb0\xb4\xe7\xba\xa0\xe7\xba\xb7"},'
    b'"seq":1,"type":"registered"}'
)
FIRST_HASH = "27a42b7fbf8a0a9627d7c2f73c87f2d1af568221852a0c9f814569c3c6e43729"

SECOND = {
    "case_id": "JF-2026-000012",
    "seq": 2,
    "type": "accepted",
    "occurred_at": datetime(2026, 3, 3, 0, 0, 0, 1, tzinfo=BEIJING),
    "actor": "王芳 (wangfang)",
    "command_id": "cmd-0002",
    "payload": {},
}
SECOND_BYTES = (
    b'{"actor":"\xe7\x8e\x8b\xe8\x8a\xb3 (wangfang)","case_id":"JF-2026-000012",'
    b'"command_id":"cmd-0002","occurred_at":"2026-03-02T16:00:00.000001+00:00",'
    b'"payload":{},"seq":2,"type":"accepted"}'
)


def test_the_canonical_bytes_of_a_fixed_event_are_the_literal_ones() -> None:
    assert canonical_event(**FIRST) == FIRST_BYTES
    assert canonical_event(**SECOND) == SECOND_BYTES


def test_each_link_is_sha256_of_the_previous_hash_in_ascii_then_the_canonical_bytes() -> None:
    first = hashlib.sha256(b"0" * 64 + FIRST_BYTES).hexdigest()
    assert first == FIRST_HASH
    second = hashlib.sha256(FIRST_HASH.encode("ascii") + SECOND_BYTES).hexdigest()

    assert GENESIS_HASH == "0" * 64
    assert event_hash(GENESIS_HASH, FIRST_BYTES) == first
    assert event_hash(first, SECOND_BYTES) == second
    links = [seal(GENESIS_HASH, **FIRST), seal(first, **SECOND)]
    assert [link.hash for link in links] == [first, second]
    assert [link.prev_hash for link in links] == [GENESIS_HASH, first]
    report = verify_chain(links)
    assert report.ok
    assert report.head_hash == second
