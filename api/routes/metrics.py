"""Prometheus metrics for the monitoring system: only with the deployment's metrics token."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import SettingsDep
from api.telemetry import exposition

router = APIRouter(tags=["health 健康检查"])


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, settings: SettingsDep) -> Response:
    token = settings.metrics_token.get_secret_value()
    presented = request.headers.get("authorization", "")
    # No token configured: there is no /metrics. A wrong one: the same answer, nothing to probe.
    if not token or not hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
        return Response(status_code=404)
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
