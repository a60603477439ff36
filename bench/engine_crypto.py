"""What encryption and signing add to one command, in this process (no server).

    python -m bench.engine_crypto

Times, per command: signing its envelope (the API) and checking it (the worker's guard), and
sealing and opening payloads of the sizes a command moves (its envelope; a projection batch of
a few events; a whole case, as continue-as-new hands it over). Prints medians of 2,000 rounds.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from temporalio.api.common.v1 import Payload

from activities.runtime.command_auth import sign, verify
from activities.runtime.engine_keys import new_keyring
from activities.runtime.payload_codec import EncryptionCodec
from domain.case import commands as c

ROUNDS = 2_000


def _median_us(run: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1e6


async def _median_us_async(run: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        await run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1e6


async def main() -> None:
    commands, payloads = new_keyring("c"), new_keyring("p")
    envelope = c.CommandEnvelope(
        command_id="idem-0001", actor="王芳 (wangfang)", command=c.Withdraw(reason="申请人撤回")
    )
    received = c.CommandEnvelope.model_validate_json(envelope.model_dump_json())
    now = datetime.now(UTC)
    header = sign(
        commands, workflow_id="JF-2026-000001", update="apply", arg=envelope, issued_at=now
    )
    signing = lambda: sign(  # noqa: E731
        commands, workflow_id="JF-2026-000001", update="apply", arg=envelope, issued_at=now
    )
    print(f"sign (API)          {_median_us(signing):8.1f} µs")
    check = lambda: verify(  # noqa: E731
        commands,
        header,
        workflow_id="JF-2026-000001",
        update="apply",
        arg=received,
        now=now,
        max_age=timedelta(hours=1),
    )
    print(f"verify (guard)      {_median_us(check):8.1f} µs")
    codec = EncryptionCodec(payloads)
    for label, size in (("envelope", 400), ("event batch", 4_000), ("whole case", 60_000)):
        clear = Payload(metadata={"encoding": b"json/plain"}, data=b"x" * size)
        [sealed] = await codec.encode([clear])
        seal = await _median_us_async(lambda clear=clear: codec.encode([clear]))
        open_ = await _median_us_async(lambda sealed=sealed: codec.decode([sealed]))
        print(f"seal+open {label:<11} {seal + open_:8.1f} µs  ({size:,} bytes)")


if __name__ == "__main__":
    asyncio.run(main())
