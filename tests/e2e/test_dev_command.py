"""``fengqiao dev`` (the README run command) starts everything; a restart keeps every case."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from activities.policy.routing import DEMO_REGISTRY
from activities.runtime import devstack
from tests.api.helpers import act, create_case
from tests.e2e.conftest import wait_ready
from tests.principals import bearer

pytestmark = pytest.mark.e2e


def _start(data_dir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return devstack.spawn(
        devstack.python_module_command("dev"),
        env={**env, "FENGQIAO_DATA_DIR": str(data_dir)},
        log_file=data_dir.parent / "dev.log",
    )


def _cli(data_dir: Path, env: dict[str, str], *args: str) -> str:
    """``fengqiao …`` against the dev data folder; its standard output."""
    done = subprocess.run(
        devstack.python_module_command(*args),
        env={**env, "FENGQIAO_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


async def _printed_admin_key(log: Path) -> str:
    for _ in range(100):
        printed = log.read_text(encoding="utf-8")
        if "fq_" in printed:
            return next(line.strip() for line in printed.splitlines() if "fq_" in line)
        await asyncio.sleep(0.1)
    raise AssertionError("fengqiao dev printed no local admin key")


def _interrupt(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=60)


async def test_dev_starts_everything_and_a_restart_finds_every_case(tmp_path: Path) -> None:
    api_port = devstack.free_port()
    env = {
        "FENGQIAO_API_PORT": str(api_port),
        "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{devstack.free_port()}",
        "FENGQIAO_TEMPORAL_UI_PORT": str(devstack.free_port()),
        "FENGQIAO_DATABASE_URL": "",
    }
    env = {k: v for k, v in env.items() if v} | {"PATH": os.environ["PATH"]}
    data_dir = tmp_path / "data"
    url = f"http://127.0.0.1:{api_port}"

    first = _start(data_dir, env)
    try:
        await wait_ready(url, first)
        # The local admin key is printed once; the operator adds a mediator and issues a key.
        admin_key = await _printed_admin_key(data_dir.parent / "dev.log")
        async with httpx.AsyncClient(base_url=url, headers=bearer(admin_key)) as admin:
            assert (await admin.get("/v1/cases")).status_code == 403  # 三员分立
        _cli(data_dir, env, "registry", "load", str(DEMO_REGISTRY))
        _cli(
            data_dir,
            env,
            "users",
            "add",
            "wangfang",
            "--name",
            "王芳",
            "--role",
            "mediator",
            "--jurisdiction",
            "320102",
            "--center",
            "xw-center",
        )
        key = _cli(data_dir, env, "keys", "create", "wangfang").strip().splitlines()[-1]
        async with httpx.AsyncClient(base_url=url, timeout=60, headers=bearer(key)) as api:
            case = await create_case(api)
            accepted = (await act(api, case["case_id"], "accept")).json()
            docs = await api.get("/docs")
            assert docs.status_code == 200
    finally:
        assert _interrupt(first) == 0
    assert (data_dir / "fengqiao.db").exists()
    # The embedded default encrypts too: its keys were generated into the data folder, 0600.
    assert stat.S_IMODE((data_dir / "engine-keys.json").stat().st_mode) == 0o600
    assert (data_dir / "temporal.db").exists()

    second = _start(data_dir, env)
    try:
        await wait_ready(url, second)
        log = (data_dir.parent / "dev.log").read_text(encoding="utf-8")
        assert log.count("fq_") == 1  # shown once, on the first start only
        async with httpx.AsyncClient(base_url=url, timeout=60, headers=bearer(key)) as api:
            again = (await api.get(f"/v1/cases/{case['case_id']}")).json()
            assert again == accepted
            live = await api.get(f"/v1/cases/{case['case_id']}", params={"consistent": "true"})
            assert live.json() == accepted
            planned = await act(api, case["case_id"], "plan")
            assert planned.status_code == 200, planned.text
            assert planned.json()["seq"] > accepted["seq"]
            assert planned.json()["plans"][-1]["revision"] == 1
    finally:
        assert _interrupt(second) == 0
