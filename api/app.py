"""The FastAPI app factory: the lifespan owns the Temporal client and the database engine."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from temporalio.client import Client

from activities.files.store import file_store
from activities.identity.hashing import HashPool
from activities.identity.oidc import OidcClient, OidcConfig
from activities.identity.passwords import verify_password
from activities.identity.tokens import TokenConfig, TokenVerifier
from activities.policy.indicators import load_indicators
from activities.reports.documents.templates import load_templates
from activities.runtime.party_keys import party_keyring
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect
from activities.store.engine import create_engine, create_sessionmaker
from api.access import CaseScopes
from api.auth import Authenticator
from api.console.routes import install_console
from api.deps import Resources
from api.errors import install_error_handlers
from api.limits import BodyLimit
from api.routes import (
    admin,
    alerts,
    attachments,
    audit,
    cases,
    clocks,
    codec,
    documents,
    health,
    indicators,
    leader_acts,
    ledger,
    listing,
    metrics,
    monthly_reports,
    organisations,
    parties,
    petitions,
    registers,
    screening,
    sessions,
    users,
    watched,
    worklist,
)
from api.routes.attachments import STREAMED_UPLOADS
from api.services.gauges import collect_periodically
from api.telemetry import RequestTelemetry


def _token_verifier(settings: Settings, http: httpx.AsyncClient) -> TokenVerifier | None:
    if not (settings.jwt_issuer and settings.jwt_audience and settings.jwt_jwks_url):
        return None
    config = TokenConfig(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        jwks_url=settings.jwt_jwks_url,
        algorithms=settings.jwt_algorithms,
    )
    return TokenVerifier(config, http)


def _oidc_client(settings: Settings, http: httpx.AsyncClient) -> OidcClient | None:
    if not (settings.oidc_issuer and settings.oidc_client_id):
        return None
    issuer = settings.oidc_issuer.rstrip("/")
    config = OidcConfig(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        discovery_url=settings.oidc_discovery_url or f"{issuer}/.well-known/openid-configuration",
    )
    return OidcClient(config, http)


def create_app(
    settings: Settings, *, temporal: Client | None = None, workflows: Sequence[type] = ()
) -> FastAPI:
    """Build the app; ``temporal`` lets tests hand in a client they already hold.

    ``workflows`` are the workflow classes the audit replay checks histories against, handed in
    by the composition root (the API never imports workflow code); without them replay answers
    503.
    """

    # Checked before anything starts: a template naming an unknown field, or a kind without a
    # template, stops the service here with the file and field named (TemplateError).
    templates = load_templates(settings.document_templates_dir)
    # Likewise the indicator definitions (IndicatorDataError names the file and the field).
    indicator_set = load_indicators(settings.policy_dir)
    # And the party key: production without FENGQIAO_PARTY_KEY_SECRET does not start.
    party_keyring(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.resolved_database_url, pool_size=settings.db_pool_size)
        client = temporal or await connect(settings, lazy=True)
        sessionmaker = create_sessionmaker(engine)
        http = httpx.AsyncClient(timeout=10)
        app.state.resources = Resources(
            settings=settings,
            engine=engine,
            sessionmaker=sessionmaker,
            temporal=client,
            scopes=CaseScopes(sessionmaker, client),
            hashes=HashPool(
                verify_password,
                threads=settings.sign_in_hash_threads,
                queue=settings.sign_in_hash_queue,
            ),
            workflows=tuple(workflows),
            auth=Authenticator(
                sessionmaker,
                _token_verifier(settings, http),
                settings.auth_cache_seconds,
                settings.auth_stale_seconds,
            ),
            oidc=_oidc_client(settings, http),
            files=file_store(settings),
            templates=templates,
            indicators=indicator_set,
        )
        # What exists now (modules, models, routes) lives as long as the process: out of the
        # collector's way, so a full collection during a page walks only the requests' objects
        # (a page of the registry's thousand rows spent 140 ms in such collections at p95).
        gc.freeze()
        # The domain gauges for /metrics, read from the store now and then (not per scrape).
        gauges = (
            asyncio.create_task(
                collect_periodically(engine, interval_seconds=settings.metrics_interval_seconds),
                name="domain-gauges",
            )
            if settings.metrics_interval_seconds > 0 and settings.metrics_token.get_secret_value()
            else None
        )
        try:
            yield
        finally:
            if gauges is not None:
                gauges.cancel()
                await asyncio.gather(gauges, return_exceptions=True)
            gc.unfreeze()  # an app that stops (tests start many) leaves nothing uncollectable
            app.state.resources.hashes.close()
            await http.aclose()
            await engine.dispose()

    app = FastAPI(
        title="枫桥 Fengqiao case API",
        description="矛盾纠纷与信访事项全流程 / dispute and petition case workflows",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, streamed=STREAMED_UPLOADS)
    # Outermost: every answer (a refused body too) is counted and carries its request id.
    app.add_middleware(RequestTelemetry)
    install_error_handlers(app)
    for feature in (
        health,
        metrics,
        cases,
        attachments,
        documents,
        clocks,
        codec,
        petitions,
        alerts,
        admin,
        audit,
        organisations,
        worklist,
        parties,
        users,
        leader_acts,
        listing,
        registers,
        watched,
        sessions,
        ledger,
        indicators,
        monthly_reports,
        screening,
    ):
        app.include_router(feature.router)
    app.include_router(worklist.notices_router)
    install_console(app)  # the web console (工作台) under /, beside the JSON API under /v1
    return app
