"""The engine's keys, the payload codec and the command signature, without a server."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload

from activities.runtime.command_auth import Refusal, sign, verify
from activities.runtime.engine_keys import (
    KEYS_FILE,
    EngineKeyError,
    engine_keys,
    parse_keyring,
)
from activities.runtime.payload_codec import (
    KEY_ID,
    EncryptionCodec,
    PayloadKeyError,
    encrypting_converter,
)
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import tls_config
from domain.case import commands as c
from tests.engine_keys import KEYS_A, KEYS_B_THEN_A, PAYLOAD_A, PAYLOAD_B

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _clear(text: str = '{"name":"张伟","phone":"13812345678"}') -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


# -- keyrings ---------------------------------------------------------------------------------


def test_a_keyring_lists_its_current_key_first_and_names_a_bad_entry_without_its_key() -> None:
    ring = parse_keyring(f"{PAYLOAD_B}, {PAYLOAD_A}", name="FENGQIAO_PAYLOAD_KEYS")
    assert ring.current == "test-pb"
    assert set(ring.keys) == {"test-pb", "test-pa"}
    for bad, why in (
        ("nokey", "not id:base64key"),
        ("k1:not-base64!", "not base64"),
        ("k1:c2hvcnQ=", "must be 32 bytes"),
        (f"{PAYLOAD_A},{PAYLOAD_A}", "listed twice"),
        ("", "no key"),
    ):
        with pytest.raises(EngineKeyError, match=why) as refused:
            parse_keyring(bad, name="FENGQIAO_PAYLOAD_KEYS")
        assert PAYLOAD_A.split(":")[1] not in str(refused.value)


def test_production_without_keys_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineKeyError, match="FENGQIAO_PAYLOAD_KEYS"):
        engine_keys(Settings(env="production", data_dir=tmp_path))
    assert not (tmp_path / KEYS_FILE).exists()


def test_development_keeps_generated_keys_in_the_data_folder_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    first = engine_keys(Settings(env="development", data_dir=tmp_path))
    path = tmp_path / KEYS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Another process over the same folder (the API beside the worker) gets the same keys.
    again = engine_keys(Settings(env="development", data_dir=tmp_path))
    assert again == first
    assert set(json.loads(path.read_text())) == {"payload", "command"}
    # Configured keys win over the stored ones.
    configured = engine_keys(
        Settings(env="development", data_dir=tmp_path, payload_keys=SecretStr(PAYLOAD_A))
    )
    assert configured.payload.current == "test-pa"
    assert configured.command == first.command


# -- the payload codec ------------------------------------------------------------------------


async def test_payloads_are_sealed_under_the_current_key_and_open_under_any_listed_key() -> None:
    under_a = EncryptionCodec(KEYS_A.payload)
    [sealed] = await under_a.encode([_clear()])
    assert sealed.metadata[KEY_ID] == b"test-pa"
    assert "张伟".encode() not in sealed.SerializeToString()
    assert b"13812345678" not in sealed.SerializeToString()
    rotated = EncryptionCodec(KEYS_B_THEN_A.payload)
    assert await rotated.decode([sealed]) == [_clear()]
    [new] = await rotated.encode([_clear()])
    assert new.metadata[KEY_ID] == b"test-pb"
    with pytest.raises(PayloadKeyError, match="test-pb"):
        await under_a.decode([new])


async def test_a_payload_written_before_encryption_passes_through_as_it_is() -> None:
    assert await EncryptionCodec(KEYS_A.payload).decode([_clear()]) == [_clear()]


async def test_a_tampered_or_relabelled_payload_does_not_open() -> None:
    codec = EncryptionCodec(KEYS_B_THEN_A.payload)
    [sealed] = await codec.encode([_clear()])
    flipped = Payload()
    flipped.CopyFrom(sealed)
    flipped.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(PayloadKeyError, match="does not authenticate"):
        await codec.decode([flipped])
    relabelled = Payload()
    relabelled.CopyFrom(sealed)
    relabelled.metadata[KEY_ID] = b"test-pa"  # same ciphertext claimed under the other key
    with pytest.raises(PayloadKeyError):
        await codec.decode([relabelled])


async def test_the_converter_seals_what_it_writes_and_reads_it_back() -> None:
    converter = encrypting_converter(KEYS_A.payload)
    envelope = c.CommandEnvelope(
        command_id="k-1", actor="王芳", command=c.Withdraw(reason="申请人张伟撤回")
    )
    [payload] = await converter.encode([envelope])
    assert "张伟".encode() not in payload.SerializeToString()
    assert await converter.decode([payload], [c.CommandEnvelope]) == [envelope]


# -- command signatures -----------------------------------------------------------------------


def _envelope(**changes: object) -> c.CommandEnvelope:
    values: dict[str, object] = {
        "command_id": "idem-1",
        "actor": "王芳 (wangfang)",
        "command": c.Withdraw(reason="申请人撤回"),
        "acting_organisation": "xw-center",
    }
    return c.CommandEnvelope.model_validate({**values, **changes})


def _received(envelope: c.CommandEnvelope) -> c.CommandEnvelope:
    """As the worker gets it: parsed from the JSON the API sent."""
    return c.CommandEnvelope.model_validate_json(envelope.model_dump_json())


def _verify(arg: object, header: Payload | None, *, case: str = "JF-2026-000001") -> str:
    return verify(
        KEYS_B_THEN_A.command,
        header,
        workflow_id=case,
        update="apply",
        arg=arg,
        now=NOW,
        max_age=HOUR,
    )


def test_a_signed_command_verifies_and_any_change_to_it_does_not() -> None:
    envelope = _envelope()
    header = sign(
        KEYS_A.command, workflow_id="JF-2026-000001", update="apply", arg=envelope, issued_at=NOW
    )
    assert _verify(_received(envelope), header) == "test-ca"  # A still listed after rotation
    for changed in (
        _envelope(actor="张华 (demo-leader)"),
        _envelope(command_id="idem-2"),
        _envelope(acting_organisation=None),
        _envelope(command=c.Withdraw(reason="领导撤回")),
    ):
        with pytest.raises(Refusal, match="bad signature"):
            _verify(_received(changed), header)
    with pytest.raises(Refusal, match="bad signature"):
        _verify(_received(envelope), header, case="JF-2026-000002")  # another case
    with pytest.raises(Refusal, match="unsigned"):
        _verify(_received(envelope), None)


def test_a_signature_too_old_or_under_an_unknown_key_is_refused() -> None:
    envelope = _envelope()
    old = sign(
        KEYS_A.command,
        workflow_id="JF-2026-000001",
        update="apply",
        arg=envelope,
        issued_at=NOW - 2 * HOUR,
    )
    with pytest.raises(Refusal, match="expired"):
        _verify(_received(envelope), old)
    stranger = parse_keyring("other:" + "B" * 43 + "=", name="x")
    foreign = sign(
        stranger, workflow_id="JF-2026-000001", update="apply", arg=envelope, issued_at=NOW
    )
    with pytest.raises(Refusal, match="unknown key"):
        _verify(_received(envelope), foreign)


def test_a_worker_a_release_ahead_checks_exactly_the_fields_an_older_api_sent() -> None:
    """An API without ``acting_organisation`` signed the envelope it knew; the worker, which
    knows the field (default None), checks what arrived, not its own defaults."""
    sent = {
        "command_id": "idem-1",
        "actor": "王芳",
        "command": {"type": "withdraw", "reason": "撤回"},
    }
    header = sign(KEYS_A.command, workflow_id="JF-1", update="apply", arg=sent, issued_at=NOW)
    received = c.CommandEnvelope.model_validate_json(json.dumps(sent))
    assert _verify(received, header, case="JF-1") == "test-ca"
    # The same field added on the way is caught.
    tampered = c.CommandEnvelope.model_validate_json(
        json.dumps({**sent, "acting_organisation": "xw-center"})
    )
    with pytest.raises(Refusal, match="bad signature"):
        _verify(tampered, header, case="JF-1")


# -- TLS --------------------------------------------------------------------------------------


def test_tls_settings_give_the_client_its_certificate_and_the_server_ca(tmp_path: Path) -> None:
    assert tls_config(Settings()) is False
    for name in ("ca.pem", "api.pem", "api-key.pem"):
        (tmp_path / name).write_bytes(f"-----{name}-----".encode())
    config = tls_config(
        Settings(
            temporal_tls_ca=tmp_path / "ca.pem",
            temporal_tls_cert=tmp_path / "api.pem",
            temporal_tls_key=tmp_path / "api-key.pem",
            temporal_tls_server_name="temporal",
        )
    )
    assert not isinstance(config, bool)
    assert config.server_root_ca_cert == b"-----ca.pem-----"
    assert config.client_cert == b"-----api.pem-----"
    assert config.client_private_key == b"-----api-key.pem-----"
    assert config.domain == "temporal"
