"""The compose deployment keeps Temporal behind the API: only the API is published, only the API
and the worker reach Temporal, and Temporal takes only clients with a certificate (mTLS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def _networks(service: dict[str, Any]) -> set[str]:
    networks = service.get("networks", [])
    return set(networks if isinstance(networks, list) else networks.keys())


def test_only_the_api_is_published(compose: dict[str, Any]) -> None:
    services: dict[str, dict[str, Any]] = compose["services"]
    published = {name for name, s in services.items() if s.get("ports") or s.get("expose")}
    assert published == {"api"}
    assert all(s.get("network_mode") != "host" for s in services.values())
    for name in ("temporal", "temporal-ui"):
        assert "ports" not in services[name]


def test_temporal_is_on_internal_networks_shared_only_with_the_api_and_the_worker(
    compose: dict[str, Any],
) -> None:
    services: dict[str, dict[str, Any]] = compose["services"]
    networks: dict[str, dict[str, Any]] = compose["networks"]
    temporal = _networks(services["temporal"])
    assert temporal
    assert all(networks[n].get("internal") is True for n in temporal)
    # A service without networks would join the default network, which is not internal.
    assert all(_networks(s) for s in services.values())
    on_engine = {name for name, s in services.items() if "engine" in _networks(s)}
    # The namespace job registers the namespace once, before the API and workers start.
    assert on_engine == {"temporal", "temporal-ui", "temporal-namespace", "api", "worker"}
    assert all(networks[n].get("internal") is True for n in _networks(services["temporal-ui"]))


def test_temporal_requires_client_certificates_and_the_clients_present_them(
    compose: dict[str, Any],
) -> None:
    services: dict[str, dict[str, Any]] = compose["services"]
    server = services["temporal"]["environment"]
    assert server["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    assert server["TEMPORAL_TLS_CLIENT1_CA_CERT"]
    for name in ("api", "worker"):
        env = services[name]["environment"]
        assert env["FENGQIAO_TEMPORAL_TLS_CA"]
        assert env["FENGQIAO_TEMPORAL_TLS_CERT"].startswith("/run/secrets/")
        assert env["FENGQIAO_TEMPORAL_TLS_KEY"].startswith("/run/secrets/")
        assert env["FENGQIAO_PAYLOAD_KEYS"].startswith("${FENGQIAO_PAYLOAD_KEYS:?")
        assert env["FENGQIAO_COMMAND_KEYS"].startswith("${FENGQIAO_COMMAND_KEYS:?")
    ui = services["temporal-ui"]["environment"]
    assert ui["TEMPORAL_TLS_CERT"]
    assert ui["TEMPORAL_TLS_KEY"]
