"""Fixed engine keys for tests only (never a deployment's): key A, and key B for rotation.

The recorded histories ``v7_h16engine_*`` were encrypted under the payload key A, so the replay
tests open them with these.
"""

from __future__ import annotations

from activities.runtime.engine_keys import EngineKeys, parse_keyring

PAYLOAD_A = "test-pa:M7X6eAvKtpHxt9kR649V9V/V5m9I6V1hQVyHSke0PgU="
PAYLOAD_B = "test-pb:Jyflr0Zwu6reh1s0mmeBHKKDhZWquDUdRm2Sm+9NU1c="
COMMAND_A = "test-ca:U8udcj6h8gIQBxZxnDBeRHYJw6/w3q8rZ2OeDkr4wIo="
COMMAND_B = "test-cb:ch40lSbZS4QA1BbuUjLyUVh1xcO3BmVQaeo4Jc7qqrw="

KEYS_A = EngineKeys(
    payload=parse_keyring(PAYLOAD_A, name="payload"),
    command=parse_keyring(COMMAND_A, name="command"),
)
# Rotation, phase 1: B listed everywhere, A still current (every process can open B's payloads
# before any writes them).
KEYS_A_THEN_B = EngineKeys(
    payload=parse_keyring(f"{PAYLOAD_A},{PAYLOAD_B}", name="payload"),
    command=parse_keyring(f"{COMMAND_A},{COMMAND_B}", name="command"),
)
# Phase 2: B is current, A still accepted.
KEYS_B_THEN_A = EngineKeys(
    payload=parse_keyring(f"{PAYLOAD_B},{PAYLOAD_A}", name="payload"),
    command=parse_keyring(f"{COMMAND_B},{COMMAND_A}", name="command"),
)

# The search key of whole personal numbers' hashes (production requires one), for tests only.
SEARCH_KEY = "test-search-key-not-for-production"
# The party key of same-party and same-matter hashes (production requires one), for tests only.
PARTY_KEY = "test-party:qINqzCeQ9+QBp5aUfY1+prYlsCrbdm/2ZjYYye4aRBo="
# The process environment carrying keys A.
ENV_A = {
    "FENGQIAO_PAYLOAD_KEYS": PAYLOAD_A,
    "FENGQIAO_COMMAND_KEYS": COMMAND_A,
    "FENGQIAO_SEARCH_KEY": SEARCH_KEY,
    "FENGQIAO_PARTY_KEY_SECRET": PARTY_KEY,
}
ENV_B_THEN_A = {
    "FENGQIAO_PAYLOAD_KEYS": f"{PAYLOAD_B},{PAYLOAD_A}",
    "FENGQIAO_COMMAND_KEYS": f"{COMMAND_B},{COMMAND_A}",
    "FENGQIAO_SEARCH_KEY": SEARCH_KEY,
    "FENGQIAO_PARTY_KEY_SECRET": PARTY_KEY,
}
