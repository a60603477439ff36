"""The engine's keys (引擎密钥): the keyring that encrypts payloads sent to Temporal, and the one
that authenticates the API's commands to the cases.

A keyring is written ``id:base64key,id:base64key``; the first entry is the current key (new
payloads and new signatures use it), the others are still accepted (rotation: put the new key
first, keep the old one listed until nothing needs it). Keys are 32 random bytes.

Production must configure both keyrings (``FENGQIAO_PAYLOAD_KEYS``, ``FENGQIAO_COMMAND_KEYS``);
the embedded default (``make run``, ``fengqiao dev``) generates them once into the data folder
(``engine-keys.json``, mode 0600), so every process started over that folder shares them and the
default is encrypted too.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from activities.runtime.settings import Settings

KEY_BYTES = 32
KEYS_FILE = "engine-keys.json"
KeyringName = Literal["payload", "command"]


class EngineKeyError(ValueError):
    """A keyring that cannot be used (malformed, or missing where it must be configured)."""


@dataclass(frozen=True)
class Keyring:
    """Keys by id; ``current`` names the key new payloads and signatures use."""

    current: str
    keys: MappingProxyType[str, bytes]

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current]

    @classmethod
    def of(cls, entries: list[tuple[str, bytes]]) -> Keyring:
        if not entries:
            raise EngineKeyError("empty keyring")
        return cls(current=entries[0][0], keys=MappingProxyType(dict(entries)))

    def encoded(self) -> str:
        """The keyring as written in settings (current first)."""
        ordered = [self.current, *(key_id for key_id in self.keys if key_id != self.current)]
        return ",".join(
            f"{key_id}:{base64.b64encode(self.keys[key_id]).decode()}" for key_id in ordered
        )


def parse_keyring(text: str, *, name: str) -> Keyring:
    """``id:base64key,...`` (first is current); a malformed entry names itself, never its key."""
    entries: list[tuple[str, bytes]] = []
    for number, raw in enumerate(text.split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not key_id.replace("-", "").replace("_", "").isalnum():
            raise EngineKeyError(f"{name}: entry {number} is not id:base64key")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise EngineKeyError(f"{name}: key {key_id!r} is not base64") from None
        if len(key) != KEY_BYTES:
            raise EngineKeyError(f"{name}: key {key_id!r} must be {KEY_BYTES} bytes")
        if any(existing == key_id for existing, _ in entries):
            raise EngineKeyError(f"{name}: key id {key_id!r} is listed twice")
        entries.append((key_id, key))
    if not entries:
        raise EngineKeyError(f"{name}: no key")
    return Keyring.of(entries)


def new_keyring(prefix: str) -> Keyring:
    return Keyring.of([(f"{prefix}-{secrets.token_hex(4)}", secrets.token_bytes(KEY_BYTES))])


@dataclass(frozen=True)
class EngineKeys:
    payload: Keyring
    command: Keyring


def engine_keys(settings: Settings) -> EngineKeys:
    """The keyrings from settings; in development, the ones kept in the data folder for what
    settings leave out (generated on first use). Production without them is refused."""
    configured: dict[KeyringName, str] = {
        "payload": settings.payload_keys.get_secret_value(),
        "command": settings.command_keys.get_secret_value(),
    }
    missing = [name for name, text in configured.items() if not text.strip()]
    if missing and settings.env == "production":
        names = ", ".join(f"FENGQIAO_{name.upper()}_KEYS" for name in missing)
        raise EngineKeyError(
            f"production needs {names} (id:base64key of 32 bytes, comma-separated)"
        )
    stored = _stored_keys(settings.data_dir) if missing else {}
    return EngineKeys(
        payload=_pick("payload", configured, stored),
        command=_pick("command", configured, stored),
    )


def _pick(name: KeyringName, configured: dict[KeyringName, str], stored: dict[str, str]) -> Keyring:
    text = configured[name] if configured[name].strip() else stored[name]
    return parse_keyring(text, name=f"FENGQIAO_{name.upper()}_KEYS")


def _stored_keys(data_dir: Path) -> dict[str, str]:
    """The development keyrings in ``data_dir/engine-keys.json``, created 0600 if absent.

    Created with O_EXCL: two processes starting at once over one folder end with one file (the
    loser reads the winner's).
    """
    path = data_dir / KEYS_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        body = json.dumps(
            {"payload": new_keyring("p").encoded(), "command": new_keyring("c").encoded()}
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                stream.write(body)
    for _ in range(50):  # the other process may still be writing it
        text = path.read_text(encoding="utf-8")
        if text:
            stored: dict[str, str] = json.loads(text)
            return stored
        time.sleep(0.02)
    raise EngineKeyError(f"{path} is empty")
