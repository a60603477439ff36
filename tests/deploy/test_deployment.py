"""The deployment files hold together without a container engine: every file parses, every
FENGQIAO_* variable they set is a real setting, images are pinned, health checks and probes
name real routes, no password sits in a file, Temporal's schema is set up by its SQL tool and
the namespace registered with a retention before the API and workers start, and the Grafana
dashboards query only metrics the code exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from activities.runtime.settings import Settings
from api.app import create_app
from api.telemetry import metric_names
from tests.activities.runtime.test_worker_metrics import SDK_SERIES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
HELM = DEPLOY / "helm"
CHART = HELM / "fengqiao"
FENGQIAO_VAR = re.compile(r"\bFENGQIAO_([A-Z0-9_]+)\b")
# Variables only compose's own substitution reads (never the app's settings).
COMPOSE_ONLY = {"DB_PASSWORD", "APP_DB_PASSWORD", "PUBLIC_URL", "API_BIND"}


def _yaml_documents(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _template_yaml(text: str) -> str:
    """A chart template with Go template actions removed (no helm here): control lines go,
    ``toYaml`` blocks become empty, inline values a placeholder."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("{{") and stripped.endswith("}}"):
            continue  # if / range / end / toYaml … | nindent
        lines.append(re.sub(r"\{\{.*?\}\}", "PLACEHOLDER", line))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def _chart_documents() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in sorted((CHART / "templates").glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(_template_yaml(path.read_text())) if doc]
    return documents


def test_every_deployment_file_parses() -> None:
    yaml_files = [p for p in DEPLOY.rglob("*") if p.suffix in (".yaml", ".yml")]
    templates = set((CHART / "templates").glob("*.yaml"))
    assert len(yaml_files) >= 8
    for path in yaml_files:
        if path in templates:
            assert list(yaml.safe_load_all(_template_yaml(path.read_text()))), path
        else:
            assert _yaml_documents(path), path
    dashboards = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
    assert len(dashboards) >= 2
    for path in dashboards:
        assert json.loads(path.read_text(encoding="utf-8"))["panels"], path
    kinds = {doc["kind"] for doc in _chart_documents()}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "ScaledObject"} <= kinds
    assert {"NetworkPolicy", "ConfigMap", "Job"} <= kinds


def test_every_fengqiao_variable_set_is_a_setting() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    files = [p for p in DEPLOY.rglob("*") if p.suffix in (".yaml", ".yml", ".sh")]
    seen: set[str] = set()
    for path in files:
        for name in FENGQIAO_VAR.findall(path.read_text(encoding="utf-8")):
            if name in COMPOSE_ONLY:
                continue
            seen.add(name)
            assert name in fields, f"{path.name}: FENGQIAO_{name} is no setting"
    assert {"DATABASE_URL", "METRICS_TOKEN", "WORKER_METRICS_PORT", "TEMPORAL_NAMESPACE"} <= seen


def _images() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in [DEPLOY / "compose.yaml", HELM / "temporal-values.yaml", CHART / "values.yaml"]:
        text = path.read_text(encoding="utf-8")
        found += [(path.name, m) for m in re.findall(r"^\s*image:\s*(\S+)\s*$", text, re.M)]
        for repository, tag in re.findall(r"repository:\s*(\S+)\s*\n\s*tag:\s*\"?([^\"\s]+)", text):
            found.append((path.name, f"{repository}:{tag}"))
    return found


def test_images_are_pinned_to_a_version() -> None:
    images = _images()
    assert len(images) >= 10
    for where, image in images:
        name, _, tag = image.rpartition(":")
        assert name, f"{where}: {image} has no name"
        assert tag, f"{where}: {image} has no tag"
        assert tag not in ("latest", "main", "master"), f"{where}: {image}"
        assert re.match(r"v?\d+\.\d+", tag), f"{where}: {image}"


def test_health_checks_and_probes_name_real_routes(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    routes = set(app.openapi()["paths"])
    compose_check = " ".join(
        yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["api"]["healthcheck"][
            "test"
        ]
    )
    checked = re.findall(r"http://127\.0\.0\.1:8000(/\w+)", compose_check)
    probes = [
        probe["httpGet"]["path"]
        for doc in _chart_documents()
        if doc["kind"] == "Deployment" and "api" in doc["metadata"]["name"]
        for container in doc["spec"]["template"]["spec"]["containers"]
        for probe in (container["livenessProbe"], container["readinessProbe"])
    ]
    worker = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["worker"]
    worker_check = " ".join(worker["healthcheck"]["test"])
    port = worker["environment"]["FENGQIAO_WORKER_METRICS_PORT"]
    assert f"http://127.0.0.1:{port}/metrics" in worker_check  # the SDK's endpoint (tested)
    assert checked == ["/readyz"]
    assert sorted(probes) == ["/healthz", "/readyz"]
    assert set(checked + probes) <= routes


def test_only_the_api_is_published_and_scaled_to_two(compose: dict[str, Any]) -> None:
    services: dict[str, dict[str, Any]] = compose["services"]
    assert {name for name, s in services.items() if s.get("ports")} == {"api"}
    for name in ("api", "worker"):
        assert services[name]["deploy"]["replicas"] == 2
    # One host port per API replica, on the loopback address unless the county says otherwise.
    (port,) = services["api"]["ports"]
    assert port.startswith("${FENGQIAO_API_BIND:-127.0.0.1}:8000-8001:")
    kinds = {doc["kind"]: doc for doc in _chart_documents() if doc["kind"] == "Service"}
    assert kinds["Service"]["spec"].get("type", "ClusterIP") == "ClusterIP"


def test_no_password_or_key_is_written_in_a_file(compose: dict[str, Any]) -> None:
    secret_words = re.compile(r"(PASSWORD|PWD|SECRET|TOKEN|_KEYS)(__FILE|_FILE)?$")
    for name, service in compose["services"].items():
        env = service.get("environment", {})
        for key, value in env.items() if isinstance(env, dict) else []:
            if not secret_words.search(key) or value in ("true", "false"):  # a flag
                continue
            if key.endswith("_FILE"):
                assert str(value).startswith("/run/secrets/"), f"{name}.{key}"
            else:  # from the environment, and `up` refuses to start without it
                assert str(value).startswith("${"), f"{name}.{key}"
                assert ":?" in str(value), f"{name}.{key}"
        url = str(env.get("FENGQIAO_DATABASE_URL", "")) if isinstance(env, dict) else ""
        if url:  # the owner migrates; everyone else is the application role, owner of nothing
            owner = "FENGQIAO_DATABASE_APP_ROLE" in env
            login = "fengqiao:${FENGQIAO_DB_PASSWORD:?" if owner else "fengqiao_app:${FENGQIAO_APP"
            assert login in url, f"{name}: {url}"
    for secret, source in compose["secrets"].items():
        assert "environment" in source or source["file"].startswith("./certs/"), secret
    chart_values = (CHART / "values.yaml").read_text()
    assert not re.search(r"password\s*:", chart_values, re.I)
    temporal_values = yaml.safe_load((HELM / "temporal-values.yaml").read_text())
    for store in ("default", "visibility"):
        sql = temporal_values["server"]["config"]["persistence"][store]["sql"]
        assert "password" not in sql
        assert sql["existingSecret"]
    for doc in _chart_documents():
        if doc["kind"] == "Deployment":
            (container,) = doc["spec"]["template"]["spec"]["containers"]
            assert {"secretRef": {"name": "PLACEHOLDER"}} in container["envFrom"]


def test_temporal_schema_and_namespace_come_before_the_api_and_workers(
    compose: dict[str, Any],
) -> None:
    services: dict[str, dict[str, Any]] = compose["services"]
    assert not any("auto-setup" in s.get("image", "") for s in services.values())
    schema_script = (DEPLOY / "temporal" / "setup-schema.sh").read_text()
    for step in ("create-database", "setup-schema -v 0.0", "update-schema -d"):
        assert "temporal-sql-tool" in schema_script
        assert step in schema_script
    assert "temporal_visibility:visibility" in schema_script
    assert services["temporal"]["depends_on"]["temporal-schema"]["condition"] == (
        "service_completed_successfully"
    )
    namespace_script = (DEPLOY / "temporal" / "register-namespace.sh").read_text()
    assert "operator namespace create" in namespace_script
    assert "--retention" in namespace_script
    assert services["temporal-namespace"]["environment"]["TEMPORAL_RETENTION"]
    for name in ("api", "worker"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert needs["temporal-namespace"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["migrate"]
    values = yaml.safe_load((HELM / "temporal-values.yaml").read_text())
    config = values["server"]["config"]
    assert config["numHistoryShards"] == 512
    assert config["namespaces"]["create"] is True
    assert config["namespaces"]["namespace"][0]["retention"]
    assert config["archival"]["history"]["state"] == "enabled"


def _dashboard_series() -> set[str]:
    names: set[str] = set()
    for path in (DEPLOY / "grafana" / "dashboards").glob("*.json"):
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            for target in panel["targets"]:
                names.update(re.findall(r"\b((?:fengqiao|temporal)_[a-z0-9_]+)\b", target["expr"]))
    return names


def test_dashboards_query_only_metrics_the_code_exports() -> None:
    used = _dashboard_series()
    exported = metric_names() | set(SDK_SERIES)
    assert used, "the dashboards query nothing"
    assert used <= exported, sorted(used - exported)
    # Every domain gauge and the request metrics are on a dashboard.
    for name in (
        "fengqiao_open_cases",
        "fengqiao_clocks_overdue",
        "fengqiao_alerts_unacknowledged",
        "fengqiao_projection_lag_seconds",
        "fengqiao_history_archive_backlog",
        "fengqiao_cases_behind",
        "fengqiao_http_requests_total",
        "fengqiao_http_request_duration_seconds_bucket",
    ):
        assert name in used


def test_prometheus_scrapes_the_api_with_its_token_and_every_worker(
    compose: dict[str, Any],
) -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    api, worker = jobs["fengqiao-api"], jobs["fengqiao-worker"]
    assert api["authorization"]["credentials_file"] == "/run/secrets/metrics-token"
    assert "metrics-token" in compose["services"]["prometheus"]["secrets"]
    assert api["dns_sd_configs"][0]["port"] == 8000
    worker_env = compose["services"]["worker"]["environment"]
    assert worker["dns_sd_configs"][0]["port"] == int(worker_env["FENGQIAO_WORKER_METRICS_PORT"])
    datasource = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml").read_text()
    )["datasources"][0]
    for path in (DEPLOY / "grafana" / "dashboards").glob("*.json"):
        for panel in json.loads(path.read_text())["panels"]:
            assert panel["datasource"]["uid"] == datasource["uid"]
