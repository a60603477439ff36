"""Peak memory of one 20 MB upload, read as it streams into the file store (no server).

    python -m bench.uploads

The multipart body is produced in 64 KiB chunks (as a socket delivers it), parsed, spooled to a
temporary file with its SHA-256, typed by content and stored in a folder store; tracemalloc
gives the peak of Python allocations during that. Prints the median peak and time of 5 rounds.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

from activities.files import content
from activities.files.spool import Spool
from activities.files.store import FolderStore
from api.uploads import receive

SIZE = 20 * 1024 * 1024
CHUNK = 64 * 1024
BOUNDARY = "bench-boundary"
ROUNDS = 5


async def _body() -> AsyncIterator[bytes]:
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n'
    ).encode()
    left = SIZE - 9
    block = b"\0" * CHUNK
    while left > 0:
        n = min(CHUNK, left)
        left -= n
        yield block[:n]
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def one_upload(root: Path) -> tuple[int, float]:
    store = FolderStore(root / "files")
    tracemalloc.start()
    started = time.perf_counter()
    with Spool(root / "uploads", limit=25 * 1024 * 1024) as spool:
        received = await receive(f"multipart/form-data; boundary={BOUNDARY}", _body(), spool)
        assert content.sniff(spool.path) == content.PDF
        assert received.sha256 is not None
        await store.put_file(spool.path, received.sha256)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, elapsed


async def main() -> None:
    peaks: list[int] = []
    times: list[float] = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as folder:
            peak, elapsed = await one_upload(Path(folder))
        peaks.append(peak)
        times.append(elapsed)
    print(
        f"20 MB upload: peak Python memory median {statistics.median(peaks) / 1024:.0f} KiB "
        f"(max {max(peaks) / 1024:.0f} KiB), time median {statistics.median(times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
