"""Annotated dependencies: everything a route needs comes from the app's lifespan, not globals.

``SessionmakerDep`` is the one way to the store (services open their own short transactions);
``TemporalDep`` the one way to the cases; ``ScopesDep`` where each case sits, for reach checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.files.store import FileStore
from activities.identity.hashing import HashPool
from activities.identity.oidc import OidcClient
from activities.policy.indicators import load_indicators
from activities.reports.documents.templates import TemplateSet, load_templates
from activities.runtime.settings import Settings
from api.access import CaseScopes
from api.errors import unavailable
from domain.indicators.definitions import IndicatorSet

if TYPE_CHECKING:
    from api.auth import Authenticator


@dataclass
class Resources:
    """What the lifespan owns for the app's life."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    temporal: Client
    auth: Authenticator
    scopes: CaseScopes
    # Password checks (argon2id) run here, off the event loop.
    hashes: HashPool
    # The workflow classes audit replay runs histories through (from the composition root).
    workflows: tuple[type, ...] = ()
    # The identity provider the console signs people in with (None: passwords only).
    oidc: OidcClient | None = None
    # 证据材料: the file store (a folder under the data directory, or an S3-compatible bucket).
    files: FileStore | None = None
    # 文书模板, loaded and checked when the app is built (a broken set refuses to start).
    templates: TemplateSet = field(default_factory=load_templates)
    # 考核指标 definitions, loaded and validated when the app is built.
    indicators: IndicatorSet = field(default_factory=load_indicators)


# Dependencies are ``async def``: FastAPI runs plain ``def`` ones in a threadpool, a thread hop
# per request on the hot path.
async def _resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(_resources)]


async def _settings(resources: ResourcesDep) -> Settings:
    return resources.settings


async def _engine(resources: ResourcesDep) -> AsyncEngine:
    return resources.engine


async def _sessionmaker(resources: ResourcesDep) -> async_sessionmaker[AsyncSession]:
    return resources.sessionmaker


async def _temporal(resources: ResourcesDep) -> Client:
    return resources.temporal


async def _scopes(resources: ResourcesDep) -> CaseScopes:
    return resources.scopes


async def _workflows(resources: ResourcesDep) -> Sequence[type]:
    return resources.workflows


async def _templates(resources: ResourcesDep) -> TemplateSet:
    return resources.templates


SettingsDep = Annotated[Settings, Depends(_settings)]
TemplatesDep = Annotated[TemplateSet, Depends(_templates)]
EngineDep = Annotated[AsyncEngine, Depends(_engine)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessionmaker)]
TemporalDep = Annotated[Client, Depends(_temporal)]
ScopesDep = Annotated[CaseScopes, Depends(_scopes)]


async def _files(resources: ResourcesDep) -> FileStore:
    if resources.files is None:
        raise unavailable("文件存储", "file store")
    return resources.files


FilesDep = Annotated[FileStore, Depends(_files)]


async def _indicators(resources: ResourcesDep) -> IndicatorSet:
    return resources.indicators


IndicatorsDep = Annotated[IndicatorSet, Depends(_indicators)]
ReplayWorkflowsDep = Annotated[Sequence[type], Depends(_workflows)]
