"""台账导入 throughput: a ledger of N rows imported through the API by real worker processes.

Starts a Temporal dev server (file persistence) and ``--workers`` worker processes against a
throw-away PostgreSQL database, uploads a generated ledger (``tests/ledger_files.py``, 37 bad
rows per 10,000) and prints rows/s from the upload to the import's end, per run.

    python -m bench.ledger_import --rows 2000 [--workers 1] [--runs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from activities.runtime import devstack
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect_with_retry
from activities.store.migrate import upgrade_async
from api.app import create_app
from tests.engine_keys import COMMAND_A, ENV_A, PAYLOAD_A
from tests.ledger_files import ledger_file
from tests.principals import bearer, seed_database
from worker import WORKFLOWS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _drop(url: str) -> None:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ["TEST_DATABASE_URL"]
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"'))
    await admin.dispose()


async def _database() -> str:
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ["TEST_DATABASE_URL"]
    name = f"bench_ledger_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = base.rsplit("/", 1)[0] + f"/{name}"
    await upgrade_async(url)
    return url


async def run(rows: int, workers: int, seed: int, work: Path) -> float:
    database_url = await _database()
    keys = await seed_database(database_url)
    ledger = ledger_file(rows, rows * 37 // 10_000, seed=seed)
    ports = devstack.DevServerPorts()
    server = devstack.spawn(
        devstack.temporal_dev_server_command(work / "temporal.db", ports, ui=False),
        log_file=work / "temporal.log",
    )
    env = {
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
        "FENGQIAO_TASK_QUEUE": "ledger-bench",
        "FENGQIAO_ARCHIVE_INTERVAL_SECONDS": "0",
        "FENGQIAO_DATA_DIR": str(work / "data"),
        **ENV_A,
    }
    processes = [server]
    try:
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        for number in range(workers):
            processes.append(
                devstack.spawn(
                    devstack.python_module_command("worker"),
                    env=env,
                    log_file=work / f"worker-{number}.log",
                )
            )
        settings = Settings(
            database_url=database_url,
            temporal_address=env["FENGQIAO_TEMPORAL_ADDRESS"],
            task_queue="ledger-bench",
            data_dir=work / "data",
            max_upload_bytes=50 * 1024 * 1024,
            payload_keys=SecretStr(PAYLOAD_A),
            command_keys=SecretStr(COMMAND_A),
        )
        client = await connect_with_retry(settings)
        app = create_app(settings, temporal=client, workflows=WORKFLOWS)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://bench",
                headers=bearer(keys["mediator"]),
                timeout=120,
            ) as api,
        ):
            began = time.perf_counter()
            started = await api.post(
                "/v1/ledger/imports", files={"file": ("台账.xlsx", ledger.data, XLSX)}
            )
            started.raise_for_status()
            import_id = started.json()["import_id"]
            body: dict[str, Any] = {}
            while body.get("status") != "finished":
                await asyncio.sleep(1)
                body = (await api.get(f"/v1/ledger/imports/{import_id}")).json()
            elapsed = time.perf_counter() - began
            print(
                f"{rows} rows ({body['registered']} registered, {body['rejected']} rejected)"
                f" in {elapsed:.1f} s: {rows / elapsed:.1f} rows/s"
            )
            return rows / elapsed
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        await _drop(database_url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    rates = []
    for number in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="ledger-bench-") as work:
            rates.append(await run(args.rows, args.workers, number, Path(work)))
    print(f"median {statistics.median(rates):.1f} rows/s over {len(rates)} run(s)")


if __name__ == "__main__":
    asyncio.run(main())
