"""载荷加密: every payload the API and the worker hand to Temporal, encrypted with AES-256-GCM.

The case state, commands, events, activity inputs and results, update and query arguments and
answers, and failure messages (through the failure converter that moves them into an encoded
payload) leave the process as ciphertext; Temporal's database, its history and its UI hold no
personal data in clear. Each encrypted payload names its key in its metadata, so a keyring with
a new current key still opens payloads written under an older one (rotation). A payload without
the encryption marker (a history written before encryption) passes through decoding as it is,
so those histories still replay and running cases still read their old inputs.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

from activities.runtime.engine_keys import Keyring

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
CIPHER = "encryption-cipher"
AES_256_GCM = b"AES-256-GCM"
NONCE_BYTES = 12


class PayloadKeyError(ValueError):
    """An encrypted payload this keyring cannot open (unknown key id, or tampered with)."""


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over the whole serialised payload (metadata included); the key id is bound to
    the ciphertext as associated data, so relabelling a payload with another key id fails."""

    def __init__(self, keyring: Keyring) -> None:
        super().__init__()
        self._keyring = keyring
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._keyring.current
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key_id.encode(), CIPHER: AES_256_GCM},
            data=nonce + sealed,
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption: readable as it is
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadKeyError(f"payload encrypted with key {key_id!r}, not in the keyring")
        try:
            clear = cipher.decrypt(
                payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], key_id.encode()
            )
        except InvalidTag:
            raise PayloadKeyError(f"payload under key {key_id!r} does not authenticate") from None
        return Payload.FromString(clear)


def is_encrypted(payload: Payload) -> bool:
    return payload.metadata.get("encoding") == ENCODING


def encrypting_converter(keyring: Keyring) -> DataConverter:
    """pydantic_data_converter with the codec, and failure messages moved into the payload."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
