"""The Temporal client every process builds the same way: pydantic data converter with payload
encryption, commands signed, one namespace, TLS (mTLS with a client certificate) when configured.
"""

from __future__ import annotations

import asyncio

import structlog
from temporalio.client import Client, Interceptor
from temporalio.converter import DataConverter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import TLSConfig

from activities.runtime.command_guard import CommandSigner
from activities.runtime.engine_keys import EngineKeys, engine_keys
from activities.runtime.payload_codec import encrypting_converter
from activities.runtime.settings import Settings

log = structlog.get_logger("fengqiao.temporal")


def data_converter(settings: Settings, keys: EngineKeys | None = None) -> DataConverter:
    """What every client, worker and replayer of this deployment reads and writes payloads with."""
    return encrypting_converter((keys or engine_keys(settings)).payload)


def client_interceptors(settings: Settings, keys: EngineKeys | None = None) -> list[Interceptor]:
    return [CommandSigner((keys or engine_keys(settings)).command)]


def tls_config(settings: Settings) -> TLSConfig | bool:
    """TLS from settings: the server's CA, this process's certificate and key (mTLS)."""
    if not (settings.temporal_tls_ca or settings.temporal_tls_cert):
        return False
    return TLSConfig(
        server_root_ca_cert=(
            settings.temporal_tls_ca.read_bytes() if settings.temporal_tls_ca else None
        ),
        client_cert=settings.temporal_tls_cert.read_bytes() if settings.temporal_tls_cert else None,
        client_private_key=(
            settings.temporal_tls_key.read_bytes() if settings.temporal_tls_key else None
        ),
        domain=settings.temporal_tls_server_name,
    )


def metrics_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime serving the SDK's metrics (Prometheus text on ``/metrics``) at the
    worker's metrics address; None when its port is 0. The workers' polls, task slots, sticky
    cache, schedule-to-start and execution latencies come from here."""
    if settings.worker_metrics_port == 0:
        return None
    address = f"{settings.worker_metrics_host}:{settings.worker_metrics_port}"
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


async def connect(
    settings: Settings, *, lazy: bool = False, runtime: Runtime | None = None
) -> Client:
    keys = engine_keys(settings)
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings, keys),
        interceptors=client_interceptors(settings, keys),
        tls=tls_config(settings),
        lazy=lazy,
        runtime=runtime,
    )


async def connect_with_retry(
    settings: Settings, attempts: int = 60, *, runtime: Runtime | None = None
) -> Client:
    """Connect, waiting for a server that is still starting (its frontend not yet healthy)."""
    for attempt in range(1, attempts + 1):
        try:
            return await connect(settings, runtime=runtime)
        except RuntimeError as error:
            if attempt == attempts:
                raise
            log.info("temporal_not_ready", attempt=attempt, error=str(error))
            await asyncio.sleep(1)
    raise AssertionError("unreachable")
