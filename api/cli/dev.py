"""``fengqiao dev``: the Temporal dev server, the worker and the API on one machine."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

from activities.policy.routing import DEMO_REGISTRY
from activities.runtime import devstack
from activities.runtime.engine_keys import KEYS_FILE, engine_keys
from activities.runtime.party_keys import party_keyring
from activities.runtime.settings import Settings
from activities.store.migrate import upgrade
from api.cli.directory import ensure_local_admin


def run_dev(settings: Settings) -> int:
    """Everything on one machine, persisted under the data folder; a restart finds every case."""
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(
        settings.resolved_database_url,
        search_key=settings.search_hash_key,
        party_hash_key=party_keyring(settings).current_key,
    )
    # The engine's keys, generated once into the data folder (0600) unless settings name them:
    # what the worker and the API send to Temporal is encrypted and signed here too.
    engine_keys(settings)
    admin_key = asyncio.run(ensure_local_admin(settings))
    ports = devstack.DevServerPorts(
        grpc=int(settings.temporal_address.rsplit(":", 1)[1]), ui=settings.temporal_ui_port
    )
    server = devstack.spawn(
        devstack.temporal_dev_server_command(data_dir / "temporal.db", ports),
        log_file=data_dir / "temporal.log",
    )
    children = [server]
    try:
        devstack.wait_for_port(ports.grpc, timeout=60, process=server)
        env = {
            "FENGQIAO_TEMPORAL_ADDRESS": f"127.0.0.1:{ports.grpc}",
            "FENGQIAO_DATA_DIR": str(data_dir),
            "FENGQIAO_DATABASE_URL": settings.resolved_database_url,
            "FENGQIAO_TASK_QUEUE": settings.task_queue,
            "FENGQIAO_API_HOST": settings.api_host,
            "FENGQIAO_API_PORT": str(settings.api_port),
        }
        children.append(devstack.spawn(devstack.python_module_command("worker"), env=env))
        api = devstack.spawn(devstack.python_module_command("api"), env=env)
        children.append(api)
        devstack.wait_for_port(settings.api_port, timeout=60, process=api)
        print(
            "\n枫桥 Fengqiao is running (Ctrl-C stops everything)\n"
            f"  工作台 console: http://{settings.api_host}:{settings.api_port}/\n"
            f"  API docs:     http://{settings.api_host}:{settings.api_port}/docs\n"
            f"  Temporal UI:  http://127.0.0.1:{ports.ui}\n"
            f"  Temporal:     127.0.0.1:{ports.grpc}\n"
            f"  Data folder:  {data_dir}\n"
            f"  引擎密钥 engine keys: {data_dir / KEYS_FILE} (payloads to Temporal encrypted)\n",
            flush=True,
        )
        if admin_key is not None:
            print(
                "本地管理员密钥（只显示这一次）/ local admin API key (shown once):\n"
                f"  {admin_key}\n"
                "  Organisations: fengqiao registry load FILE.json "
                "(the demo county: fengqiao demo, or fengqiao registry load "
                f"{DEMO_REGISTRY})\n"
                "  Add users: fengqiao users add wangfang --name 王芳 --role mediator "
                "--jurisdiction 320102 --center xw-center\n"
                "  Their key: fengqiao keys create wangfang\n"
                "  Console password: fengqiao users set-password wangfang\n",
                flush=True,
            )
        stopping = False

        def _stop(_signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        while not stopping:
            if any(child.poll() is not None for child in children):
                print("a Fengqiao process exited; stopping the others", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        for child in reversed(children):
            devstack.stop(child)
