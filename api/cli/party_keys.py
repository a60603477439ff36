"""``fengqiao keys rekey``: every stored party and matter key recomputed under the current party
key (after the party key was rotated), recorded in the administration trail (管理留痕).

Idempotent: a second run rewrites nothing. Resumable: a run cut short is run again, from the
start or after the last case it printed (``--after``).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from activities.identity import admin_trail
from activities.identity.admin_trail import COMMAND_LINE
from activities.runtime.engine_keys import EngineKeyError, Keyring
from activities.runtime.party_keys import party_keyring
from activities.runtime.settings import Settings
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.party_rekey import RekeyCounts, rekey_party_keys
from domain.people.administration import AdminAction

# A progress line every this many cases (the case printed is where a cut-short run resumes).
PROGRESS_EVERY = 10_000


def run_rekey(args: argparse.Namespace, settings: Settings) -> int:
    try:
        keyring = party_keyring(settings)
    except EngineKeyError as error:
        print(f"失败 / failed: {error}")
        return 1
    return asyncio.run(_rekey(keyring, settings, after=args.after))


async def _rekey(keyring: Keyring, settings: Settings, *, after: str) -> int:
    engine = create_engine(settings.resolved_database_url)
    earlier = [None, *(key for key_id, key in keyring.keys.items() if key_id != keyring.current)]
    reported = [0]

    def progress(counts: RekeyCounts) -> None:
        if counts.cases - reported[0] >= PROGRESS_EVERY:
            reported[0] = counts.cases
            print(
                f"已处理至 / done up to {counts.last_case}（{counts.cases} 件 / cases）", flush=True
            )

    try:
        counts = await rekey_party_keys(
            engine, current=keyring.current_key, earlier=earlier, after=after, progress=progress
        )
        details = {
            "cases": str(counts.cases),
            "changed": str(counts.changed),
            "register": str(counts.register),
        }
        if after:
            details["after"] = after
        async with create_sessionmaker(engine).begin() as session:
            await admin_trail.append(
                COMMAND_LINE,
                AdminAction.PARTY_KEYS_REKEYED,
                target=keyring.current,
                details=details,
                at=datetime.now(UTC),
                session=session,
            )
    finally:
        await engine.dispose()
    print(
        f"当事人密钥 {keyring.current}：检查 {counts.cases} 件，重算 {counts.changed} 件，"
        f"重点人员条目转换 {counts.register} 条，无法解析的案件 {counts.undecodable} 件"
        f" / party key {keyring.current}: {counts.cases} cases checked, {counts.changed} re-keyed,"
        f" {counts.register} register entries carried over, {counts.undecodable} undecodable"
    )
    return 0
