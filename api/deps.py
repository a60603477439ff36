"""Annotated dependencies: everything a route needs comes from the app's lifespan, not globals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.runtime.settings import Settings

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
    # The workflow classes audit replay runs histories through (from the composition root).
    workflows: tuple[type, ...] = ()
    # case id → (jurisdiction code, center): fixed at registration, so safe to keep.
    scopes: dict[str, tuple[str, str | None]] = field(default_factory=dict)


# Dependencies are ``async def``: FastAPI runs plain ``def`` ones in a threadpool, a thread hop
# per request on the hot path.
async def _resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


async def _settings(request: Request) -> Settings:
    return (await _resources(request)).settings


async def _sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return (await _resources(request)).sessionmaker


async def _temporal(request: Request) -> Client:
    return (await _resources(request)).temporal


SettingsDep = Annotated[Settings, Depends(_settings)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessionmaker)]
TemporalDep = Annotated[Client, Depends(_temporal)]
ResourcesDep = Annotated[Resources, Depends(_resources)]
