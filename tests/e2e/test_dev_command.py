"""``fengqiao dev`` (the README run command) starts everything; a restart keeps every case."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from activities import devstack
from tests.api.helpers import act, create_case
from tests.e2e.conftest import wait_ready

pytestmark = pytest.mark.e2e


def _start(data_dir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return devstack.spawn(
        devstack.python_module_command("dev"),
        env={**env, "FENGQIAO_DATA_DIR": str(data_dir)},
        log_file=data_dir.parent / "dev.log",
    )


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
        async with httpx.AsyncClient(base_url=url, timeout=60) as api:
            case = await create_case(api)
            accepted = (await act(api, case["case_id"], "accept")).json()
            docs = await api.get("/docs")
            assert docs.status_code == 200
    finally:
        assert _interrupt(first) == 0
    assert (data_dir / "fengqiao.db").exists()
    assert (data_dir / "temporal.db").exists()

    second = _start(data_dir, env)
    try:
        await wait_ready(url, second)
        async with httpx.AsyncClient(base_url=url, timeout=60) as api:
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
