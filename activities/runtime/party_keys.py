"""The party key (当事人密钥): the keyring the same-party and same-matter hashes are keyed with.

Written ``id:base64key,...`` like the engine's keyrings (``engine_keys``): the first key is
current (the projection and the re-key write under it), the others are still matched by a lookup
until ``fengqiao keys rekey`` has rewritten every stored key under the current one. Production
must configure it (``FENGQIAO_PARTY_KEY_SECRET``); development and tests use a fixed key whose
hashes protect nothing.
"""

from __future__ import annotations

from activities.runtime.engine_keys import EngineKeyError, Keyring, parse_keyring
from activities.runtime.settings import DEVELOPMENT_PARTY_KEY, Settings

SETTING = "FENGQIAO_PARTY_KEY_SECRET"
DEVELOPMENT_KEYRING = Keyring.of([("dev", DEVELOPMENT_PARTY_KEY)])


def party_keyring(settings: Settings) -> Keyring:
    """The configured keyring; development's fixed one when none is set. Production without one
    is refused (a malformed entry names itself, never its key)."""
    text = settings.party_key_secret.get_secret_value()
    if text.strip():
        return parse_keyring(text, name=SETTING)
    if settings.env == "production":
        raise EngineKeyError(f"production needs {SETTING} (id:base64key of 32 bytes)")
    return DEVELOPMENT_KEYRING


def lookup_keys(keyring: Keyring) -> tuple[bytes, ...]:
    """Every key a lookup must try: the current one first, then those a re-key may not have
    reached yet."""
    return (keyring.current_key, *(k for i, k in keyring.keys.items() if i != keyring.current))
