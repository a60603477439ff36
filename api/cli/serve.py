"""``fengqiao api``: the HTTP API under uvicorn."""

from __future__ import annotations

from collections.abc import Sequence

from activities.runtime.settings import Settings


def run_api(settings: Settings, *, workflows: Sequence[type]) -> None:
    import uvicorn

    from api.app import create_app

    uvicorn.run(
        create_app(settings, workflows=workflows),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
    )
