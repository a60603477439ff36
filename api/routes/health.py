"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import EngineDep, TemporalDep
from api.services.health import readiness

router = APIRouter(tags=["health 健康检查"])


@router.get("/healthz", summary="the process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Temporal and the database answer")
async def readyz(engine: EngineDep, temporal: TemporalDep) -> JSONResponse:
    checks = await readiness(engine, temporal)
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
