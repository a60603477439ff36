"""The codec endpoint the Temporal UI (and operators' tools) decode payloads through."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Request, Response
from fastapi.responses import JSONResponse

from activities.runtime.engine_keys import engine_keys
from activities.runtime.payload_codec import EncryptionCodec
from api.deps import ResourcesDep
from api.errors import ERROR_RESPONSES
from api.services.codec import codec_caller, transcode

router = APIRouter(tags=["codec 编解码"])

ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace"


def _cors(request: Request, resources: ResourcesDep) -> dict[str, str]:
    """CORS headers for an origin listed in settings (the Temporal UI's), else none."""
    origin = request.headers.get("origin")
    if origin is None or origin not in resources.settings.codec_cors_origins:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Vary": "Origin",
    }


def _codec(request: Request, resources: ResourcesDep) -> EncryptionCodec:
    codec: EncryptionCodec | None = getattr(request.app.state, "payload_codec", None)
    if codec is None:
        codec = EncryptionCodec(engine_keys(resources.settings).payload)
        request.app.state.payload_codec = codec
    return codec


@router.options("/codec/{operation}", include_in_schema=False)
async def preflight(request: Request, resources: ResourcesDep) -> Response:
    return Response(status_code=204, headers=_cors(request, resources))


@router.post(
    "/codec/{operation}",
    responses=ERROR_RESPONSES,
    summary="解码/加密流程引擎载荷 / Temporal codec server (system administrator or operator)",
)
async def codec(
    operation: Literal["encode", "decode"],
    request: Request,
    resources: ResourcesDep,
    body: Annotated[dict[str, Any], Body()],
    authorization: Annotated[str | None, Header()] = None,
    x_namespace: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    caller = await codec_caller(authorization, settings=resources.settings, auth=resources.auth)
    answer = await transcode(
        operation,
        body,
        caller=caller,
        namespace=x_namespace,
        codec=_codec(request, resources),
        sessionmaker=resources.sessionmaker,
    )
    return JSONResponse(answer, headers=_cors(request, resources))
