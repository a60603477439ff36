"""Settings (配置): one pydantic-settings model, read from ``FENGQIAO_*`` variables, built once."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The search key of development and tests, never of a deployment (see ``Settings.search_key``).
DEVELOPMENT_SEARCH_KEY = b"fengqiao-development-search-key"
# The party key of development and tests (``Settings.party_key_secret``), never of a deployment.
DEVELOPMENT_PARTY_KEY = b"fengqiao-development-party-key-0"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FENGQIAO_", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path(".fengqiao")
    # Empty means the embedded SQLite file under data_dir.
    database_url: str = ""
    # Production on PostgreSQL: ``fengqiao migrate`` runs as the schema's owner and then grants
    # this role (the one the API and workers connect as) the rows' verbs and nothing more; the
    # append-only tables only SELECT and INSERT (activities/store/grants.py). Empty: no grants.
    database_app_role: str = ""
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "fengqiao-cases"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    temporal_ui_port: int = 8233
    log_level: str = "INFO"
    log_json: bool | None = None
    # How long the API waits for a case to apply a command before answering 503.
    command_timeout_seconds: float = 30.0
    # How often each worker archives closed case runs' Temporal histories (0: not this worker).
    archive_interval_seconds: float = 30.0
    db_pool_size: int = 10
    # How many case workflows a worker keeps in memory (the SDK's sticky cache; 1,000 by default
    # there). A case out of the cache is rebuilt from its history on its next command or timer
    # (bench/scale.py measures both sides): size it for the open cases a worker serves, at
    # ~240 KiB each (measured; docs/deploy.md, "Sizing the workers for open cases").
    worker_max_cached_workflows: int = Field(default=5000, ge=0, le=1_000_000)
    # Larger request bodies are refused with 413 before they are parsed.
    max_body_bytes: int = 256 * 1024
    # Deployment overrides of the shipped clock rules, and extra holiday-notice data files.
    policy_dir: Path | None = None
    # The base rule set in place of the shipped one (activities/policy/data/default.json).
    policy_file: Path | None = None
    # 分流规则 in place of the shipped ones (activities/policy/data/routing.json).
    routing_rules_file: Path | None = None
    # 重点人员名册: who reads and writes it, its types and grades (default: the shipped data).
    watch_policy_file: Path | None = None
    calendar_dir: Path | None = None
    # 排查 cadences and their escalation chain in place of the shipped ones
    # (activities/policy/data/screening.json).
    screening_policy_file: Path | None = None
    # The worker creates the Schedules (排查 periods, holiday-data push) when it starts; a worker
    # started with this off (a test of one workflow) leaves them alone.
    create_schedules: bool = True
    # A CJK TrueType font (.ttf/.ttc) embedded in PDF documents such as the case dossier (卷宗);
    # unset means the font shipped with the package (activities/reports/pdf/fonts.py).
    pdf_font_path: Path | None = None
    # 证据材料: where files are kept ("folder": files_dir, default data_dir/files; "s3": a bucket
    # of an S3-compatible server), and the largest upload accepted (refused before it is kept).
    file_store: Literal["folder", "s3"] = "folder"
    files_dir: Path | None = None
    s3_endpoint_url: str = ""
    s3_bucket: str = "fengqiao-files"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")
    max_upload_bytes: int = 25 * 1024 * 1024
    # 文书模板: a folder whose JSON templates replace the shipped ones file by file (one per
    # kind, per jurisdiction where it differs), and numbering.json with 文号 prefixes
    # (activities/reports/documents/templates.py); checked when the API and the worker start.
    document_templates_dir: Path | None = None
    # Bearer tokens from an external identity provider (OIDC): all three set enables them.
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_jwks_url: str | None = None
    jwt_algorithms: tuple[str, ...] = ("RS256", "ES256")
    # How long a checked key or token subject is trusted before the directory is asked again
    # (a revoked key or disabled user stops working within this time on every API process).
    auth_cache_seconds: float = 5.0
    # While the directory (database) is unreachable, a caller checked within this time is still
    # let in, so commands keep reaching the cases during an outage.
    auth_stale_seconds: float = 900.0
    # The web console (工作台): sign-in delays and session lifetimes. Failed sign-ins are free up
    # to these counts (one account at one address; one address; one account from anywhere), then
    # each further attempt waits a delay doubling from the first up to the longest.
    sign_in_max_failures: int = 5
    sign_in_address_max_failures: int = 30
    sign_in_account_max_failures: int = 50
    sign_in_first_delay_seconds: float = 2.0
    sign_in_lockout_minutes: float = 15.0  # the longest delay
    sign_in_window_minutes: float = 30.0  # a count with no attempt for this long starts afresh
    # argon2id runs on this many threads, off the event loop; sign-ins beyond these threads and
    # this many waiting are refused at once (429) instead of stalling every other request.
    sign_in_hash_threads: int = 2
    sign_in_hash_queue: int = 16
    # The client's address is taken from X-Forwarded-For only when the connection comes from
    # one of these proxies (addresses or networks, e.g. 10.0.0.0/8).
    trusted_proxies: tuple[str, ...] = ()
    console_idle_minutes: float = 30.0
    console_absolute_hours: float = 12.0
    # OIDC sign-in to the console (authorization code + PKCE) when issuer and client are set.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    # Where the provider's discovery document is, when not under the issuer (tests, split hosts).
    oidc_discovery_url: str | None = None

    # 告警外发: the hosts alert channels may post to (DingTalk's and WeCom's robots by default; a
    # generic webhook's host must be listed), and hosts allowed on internal addresses (a receiver
    # on the intranet, a test's loopback receiver): none by default, internal addresses refused.
    alert_channel_hosts: tuple[str, ...] = ("oapi.dingtalk.com", "qyapi.weixin.qq.com")
    alert_channel_internal_hosts: tuple[str, ...] = ()
    # The engine's keys (activities/runtime/engine_keys.py): ``id:base64key,...``, the first is
    # current, the others still accepted. Payloads sent to Temporal are encrypted with the first;
    # commands the API sends to cases are signed with the first of the command keys. Required in
    # production; development keeps generated ones in data_dir/engine-keys.json. Rotation in two
    # steps: list the new key second on every API and worker, then first; a command key may go
    # once no process signs with it, a payload key only when no history or archive under it is
    # kept (the archive keeps closed cases' histories as they were written).
    payload_keys: SecretStr = SecretStr("")
    command_keys: SecretStr = SecretStr("")
    # Off only while an API of a release before signed commands still runs beside new workers
    # (a rolling upgrade): unsigned commands are then let through and recorded, never refused.
    command_signatures_required: bool = True
    # A signed command older than this (from its issue time to the case's clock) is refused.
    command_max_age_seconds: float = 3600.0
    # The codec endpoint (/codec/encode, /codec/decode) for the Temporal UI: the UI's origin
    # (CORS), and a token operators' tools present instead of a system administrator's key.
    codec_cors_origins: tuple[str, ...] = ()
    codec_operator_token: SecretStr = SecretStr("")
    # The key of the search index's hashes of whole phone and ID numbers (检索: a reader who may
    # reveal personal data finds a case by the whole number, nobody rebuilds a number from the
    # index): any long secret, the same on every API and worker, required in production. Cases
    # keep the hashes they were written with until rewritten (a new event, or migration 0021).
    search_key: SecretStr = SecretStr("")
    # The party key (当事人密钥, activities/runtime/party_keys.py): the same-party and
    # same-matter keys of the read model (同一当事人, 同一事项, 调解信访率, 重点人员's cases) are
    # HMACs under it, so nobody holding the database can try every ID number against them. A keyring
    # ``id:base64key,...`` (32-byte keys, the first current, the others still matched while
    # ``fengqiao keys rekey`` rewrites what was stored under them), the same on every API and
    # worker, required in production; development uses a fixed one.
    party_key_secret: SecretStr = SecretStr("")
    # The Ed25519 key that signs chain checkpoints (``fengqiao audit checkpoint``; base64 of the
    # 32-byte private key, ``fengqiao audit checkpoint-key`` makes one). Kept by whoever keeps the
    # checkpoints, not by the database's owner; checking a checkpoint needs only the public key.
    checkpoint_key: SecretStr = SecretStr("")
    # Temporal over TLS: the server's CA, this process's client certificate and key (mTLS), and
    # the name the server's certificate carries when it differs from the address's host.
    temporal_tls_ca: Path | None = None
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_server_name: str | None = None
    # Monitoring (docs/deploy.md): the API's /metrics answers only a bearer token equal to this
    # (empty: /metrics answers 404); it is scraped over the internal network, never published.
    metrics_token: SecretStr = SecretStr("")
    # How often each API process recomputes the domain gauges from the read model (0: never).
    metrics_interval_seconds: float = 30.0
    # The worker's Temporal SDK metrics (Prometheus text) on this address (port 0: not served).
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = 0

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'fengqiao.db').resolve()}"

    @property
    def search_hash_key(self) -> bytes:
        """The search key; development falls back to a fixed one (its hashes protect nothing)."""
        value = self.search_key.get_secret_value()
        if value:
            return value.encode()
        if self.env == "production":
            raise ValueError("FENGQIAO_SEARCH_KEY is required in production")
        return DEVELOPMENT_SEARCH_KEY

    @property
    def json_logs(self) -> bool:
        return self.env == "production" if self.log_json is None else self.log_json
