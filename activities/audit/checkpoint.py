"""Signed checkpoints of the event chains (链头存证): proof kept outside the database.

Each case's chain makes an edit inside its history detectable, but whoever owns the database can
rewrite a whole tail and seal it again. A checkpoint lists every case's head (last seq and its
hash) at one moment, signed with an Ed25519 key the database never sees; kept elsewhere (another
system, paper, a notary), it is later checked against the store with only the public key: each
case must still hold, at the checkpoint's seq, an intact chain ending in the same hash. Growth
after the checkpoint is expected; a changed, shortened or missing history is named.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from pydantic import BaseModel
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.audit.chain_audit import chain_link
from activities.store.tables import CaseEventRow, SupersededEventRow
from domain.audit.chain import canonical_json, utc_instant, verify_chain

FORMAT = "fengqiao-checkpoint/1"


class CheckpointError(ValueError):
    """The file is not a checkpoint, or its signature does not hold (zh, en)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


class HeadFinding(BaseModel):
    """One case whose stored history no longer matches the checkpoint."""

    case_id: str
    seq: int
    problem: str  # missing | shortened | rewritten | superseded | broken
    message_zh: str
    message_en: str


def private_key(secret: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(secret, validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (binascii.Error, ValueError) as error:
        raise CheckpointError(
            "存证签名密钥无效（应为 32 字节 Ed25519 私钥的 base64）",
            "checkpoint key is not a base64 32-byte Ed25519 private key",
        ) from error


def public_key_text(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def new_key() -> tuple[str, str]:
    """A new signing key and its public key, both base64."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode(), public_key_text(key)


async def chain_heads(session: AsyncSession) -> list[tuple[str, int, str]]:
    """Every case's last stored event: (case id, seq, hash), by case id."""
    last = (
        select(CaseEventRow.case_id, func.max(CaseEventRow.seq).label("seq"))
        .group_by(CaseEventRow.case_id)
        .subquery()
    )
    rows = await session.execute(
        select(CaseEventRow.case_id, CaseEventRow.seq, CaseEventRow.hash)
        .join(last, and_(CaseEventRow.case_id == last.c.case_id, CaseEventRow.seq == last.c.seq))
        .order_by(CaseEventRow.case_id)
    )
    return [(str(case_id), int(seq), str(digest)) for case_id, seq, digest in rows.all()]


def _signed_part(document: dict[str, Any]) -> bytes:
    return canonical_json({key: value for key, value in document.items() if key != "signature"})


def sign(
    heads: Sequence[tuple[str, int, str]], *, taken_at: datetime, secret: str
) -> dict[str, Any]:
    """The checkpoint document: the heads, when, the public key's fingerprint, the signature."""
    key = private_key(secret)
    listed = [[case_id, seq, digest] for case_id, seq, digest in heads]
    document: dict[str, Any] = {
        "format": FORMAT,
        "taken_at": utc_instant(taken_at),
        "cases": len(listed),
        "heads_sha256": hashlib.sha256(canonical_json(listed)).hexdigest(),
        "public_key": public_key_text(key),
        "heads": listed,
    }
    document["signature"] = base64.b64encode(key.sign(_signed_part(document))).decode()
    return document


def verified_heads(document: Any, public_key: str) -> list[tuple[str, int, str]]:
    """The heads of a checkpoint whose signature holds under ``public_key`` (the operator's copy,
    never the one inside the file); raises ``CheckpointError`` otherwise."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError("不是枫桥链头存证文件", "not a Fengqiao checkpoint file")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
        key.verify(signature, _signed_part(document))
    except (binascii.Error, ValueError, InvalidSignature) as error:
        raise CheckpointError(
            "存证签名无效：文件被改动，或公钥不符", "signature invalid: file altered or wrong key"
        ) from error
    heads = [(str(c), int(s), str(h)) for c, s, h in document["heads"]]
    if hashlib.sha256(canonical_json([list(h) for h in heads])).hexdigest() != document.get(
        "heads_sha256"
    ):
        raise CheckpointError("存证内容与摘要不符", "heads do not match their digest")
    return heads


async def _set_aside(session: AsyncSession, case_id: str, seq: int, digest: str) -> bool:
    """Whether the event (case, seq, hash) left the chain for case_events_superseded."""
    found = await session.scalar(
        select(SupersededEventRow.id).where(
            SupersededEventRow.case_id == case_id,
            SupersededEventRow.seq == seq,
            SupersededEventRow.hash == digest,
        )
    )
    return found is not None


async def check_head(
    session: AsyncSession, case_id: str, seq: int, digest: str
) -> HeadFinding | None:
    """None when the store still holds ``case_id``'s intact chain to ``seq`` ending in
    ``digest``; else what differs."""
    rows = list(
        await session.scalars(
            select(CaseEventRow)
            .where(CaseEventRow.case_id == case_id, CaseEventRow.seq <= seq)
            .order_by(CaseEventRow.seq, CaseEventRow.id)
        )
    )
    if not rows:
        return HeadFinding(
            case_id=case_id,
            seq=seq,
            problem="missing",
            message_zh="案件的事件记录已不存在",
            message_en="the case's events are gone",
        )
    if (rows[-1].seq < seq or rows[-1].hash != digest) and await _set_aside(
        session, case_id, seq, digest
    ):
        return HeadFinding(
            case_id=case_id,
            seq=seq,
            problem="superseded",
            message_zh=(
                f"存证时第 {seq} 号事件属于一次未生效的流程任务尝试，已移入作废记录；"
                "现记录为重新作出的决定，请以流程历史回放核对"
            ),
            message_en=(
                f"the checkpointed head (seq {seq}) was a lost workflow-task attempt's, set aside "
                "in case_events_superseded; the chain now holds the attempt that decided again "
                "(confirm with the workflow history's replay)"
            ),
        )
    if rows[-1].seq < seq:
        return HeadFinding(
            case_id=case_id,
            seq=seq,
            problem="shortened",
            message_zh=f"事件记录被截短：存证时有 {seq} 个，现仅 {rows[-1].seq} 个",
            message_en=f"history shortened: {seq} events at the checkpoint, {rows[-1].seq} now",
        )
    if rows[-1].hash != digest:
        return HeadFinding(
            case_id=case_id,
            seq=seq,
            problem="rewritten",
            message_zh=f"第 {seq} 号事件的链头与存证不符：该处之前的记录被改写",
            message_en=f"head at seq {seq} differs from the checkpoint: history rewritten",
        )
    chain = verify_chain([chain_link(row) for row in rows])
    if not chain.ok and chain.first_broken is not None:
        return HeadFinding(
            case_id=case_id,
            seq=chain.first_broken.seq,
            problem="broken",
            message_zh=f"事件链断裂于第 {chain.first_broken.seq} 号事件",
            message_en=f"chain broken at seq {chain.first_broken.seq}",
        )
    return None
