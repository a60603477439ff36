"""``fengqiao audit checkpoint`` / ``verify-checkpoint`` / ``checkpoint-key``: the chain heads
signed and kept outside the database, and later checked against it (链头存证)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from activities.audit.checkpoint import (
    CheckpointError,
    chain_heads,
    check_head,
    new_key,
    sign,
    verified_heads,
)
from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker


def add_checkpoint_commands(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    taken = actions.add_parser(
        "checkpoint", help="sign every case's chain head (FENGQIAO_CHECKPOINT_KEY) into a file"
    )
    taken.add_argument("--out", required=True, metavar="FILE", help="where to write it")
    checked = actions.add_parser(
        "verify-checkpoint", help="check a signed checkpoint against the store"
    )
    checked.add_argument("checkpoint", metavar="FILE")
    checked.add_argument(
        "--public-key", required=True, metavar="BASE64", help="the signer's public key"
    )
    actions.add_parser("checkpoint-key", help="make a new signing key and print its public key")


def _say(text: str) -> None:
    print(text, flush=True)


async def checkpoint_cli(settings: Settings, out: Path) -> int:
    secret = settings.checkpoint_key.get_secret_value()
    if not secret:
        _say("未配置存证签名密钥 FENGQIAO_CHECKPOINT_KEY / FENGQIAO_CHECKPOINT_KEY is not set")
        return 2
    engine = create_engine(settings.resolved_database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            heads = await chain_heads(session)
        document = sign(heads, taken_at=datetime.now(UTC), secret=secret)
    except CheckpointError as error:
        _say(f"{error.message_zh} / {error.message_en}")
        return 2
    finally:
        await engine.dispose()
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    _say(
        f"已存证 {document['cases']} 件案件的链头，摘要 {document['heads_sha256'][:16]}，"
        f"公钥 {document['public_key']} / checkpoint of {document['cases']} cases written to {out}"
    )
    return 0


async def verify_checkpoint_cli(settings: Settings, path: Path, public_key: str) -> int:
    """0 when every case still holds its checkpointed history, 1 when any does not, 2 when the
    file itself cannot be trusted."""
    try:
        heads = verified_heads(json.loads(path.read_text(encoding="utf-8")), public_key)
    except (OSError, ValueError, KeyError, TypeError) as error:
        if isinstance(error, CheckpointError):
            _say(f"{error.message_zh} / {error.message_en}")
        else:
            _say(f"存证文件无法读取 / checkpoint unreadable: {error}")
        return 2
    engine = create_engine(settings.resolved_database_url, pool_size=1)
    failed = 0
    try:
        async with create_sessionmaker(engine)() as session:
            for case_id, seq, digest in heads:
                finding = await check_head(session, case_id, seq, digest)
                if finding is not None:
                    failed += 1
                    _say(
                        f"{case_id}  异常：{finding.message_zh} / FAILED "
                        f"[{finding.problem}]: {finding.message_en}"
                    )
    finally:
        await engine.dispose()
    total = len(heads)
    _say(f"存证 {total} 件，不符 {failed} 件 / {total} cases checked, {failed} differ")
    return 1 if failed else 0


def checkpoint_key_cli() -> int:
    secret, public = new_key()
    _say(f"FENGQIAO_CHECKPOINT_KEY={secret}")
    _say(f"公钥 / public key: {public}")
    return 0
