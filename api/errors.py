"""One place maps domain, validation and Temporal errors to HTTP: a stable code, zh/en text.

Services raise a ``DomainError`` (a case's refusal) or an ``ApiError`` (the API's own: unknown
case, forbidden role, store away); the handlers installed here turn both into the error body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import (
    DomainError,
    ForbiddenTransition,
    InvalidCommand,
    NotYourTurn,
    UnknownCase,
)
from domain.people.privacy import scrub_text
from domain.text import CONTROL_CHARS_EN, CONTROL_CHARS_ZH, is_control_chars_error


class FieldError(BaseModel):
    field: str
    reason: str


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer has this shape."""

    code: str
    message: str
    message_zh: str
    message_en: str
    field: str | None = None
    errors: list[FieldError] = []


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message_zh: str,
        message_en: str,
        *,
        field: str | None = None,
        errors: list[FieldError] | None = None,
    ) -> None:
        # A refusal may quote what was sent (an unknown id, a name): never an ID number or a
        # phone in clear, whichever field it was typed into.
        message_zh, message_en = scrub_text(message_zh), scrub_text(message_en)
        errors = [FieldError(field=e.field, reason=scrub_text(e.reason)) for e in errors or ()]
        super().__init__(message_en)
        self.status = status
        self.body = ErrorBody(
            code=code,
            message=f"{message_zh} / {message_en}",
            message_zh=message_zh,
            message_en=message_en,
            field=field,
            errors=errors or ([FieldError(field=field, reason=message_en)] if field else []),
        )


_DOMAIN_STATUS: dict[type[DomainError], int] = {
    ForbiddenTransition: 409,
    InvalidCommand: 422,
    UnknownCase: 404,
    NotYourTurn: 403,
}


def from_domain(error: DomainError) -> ApiError:
    return ApiError(
        _DOMAIN_STATUS.get(type(error), 409),
        error.code,
        error.message_zh,
        error.message_en,
        field=error.field,
    )


def forbidden(message_zh: str, message_en: str) -> ApiError:
    return ApiError(403, "forbidden", message_zh, message_en)


def invalid_input(message_zh: str, message_en: str, *, field: str) -> ApiError:
    return ApiError(422, "invalid_input", message_zh, message_en, field=field)


def case_not_found(case_id: str) -> ApiError:
    return ApiError(404, "case_not_found", f"案件 {case_id} 不存在", f"case {case_id} not found")


@contextmanager
def database_errors() -> Iterator[None]:
    """The store is away (outage, restart): 503 with a retry hint, never a 500."""
    try:
        yield
    except (SQLAlchemyError, OSError) as error:
        raise unavailable("案件数据库", "case database") from error


def unavailable(what_zh: str, what_en: str) -> ApiError:
    return ApiError(
        503, "service_unavailable", f"{what_zh}暂不可用，请稍后重试", f"{what_en} unavailable"
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "未认证 / authentication required"},
    403: {"model": ErrorBody, "description": "无权访问 / not permitted for this role"},
    404: {"model": ErrorBody, "description": "案件不存在 / case not found"},
    409: {"model": ErrorBody, "description": "当前阶段不允许此操作 / forbidden transition"},
    422: {"model": ErrorBody, "description": "输入无效 / invalid input"},
    503: {"model": ErrorBody, "description": "依赖服务不可用 / dependency unavailable"},
}


# A union member's tag in an error location (``Jurisdiction``, ``constrained-str``,
# ``function-after[...]``): not a field, left out of the path the client is shown.
_FIELD_PART = re.compile(r"^([a-z_][a-z0-9_]*|\d+)$")


def _field_path(location: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] == "body":
        parts = [p for p in parts[1:] if _FIELD_PART.match(p)]
    return ".".join(parts) or "body"


def _reason(item: dict[str, Any]) -> str:
    if is_control_chars_error(item):
        return f"{CONTROL_CHARS_ZH} / {CONTROL_CHARS_EN}"
    return scrub_text(str(item.get("msg")))  # a validator's message may quote the input


_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    404: ("not_found", "资源不存在", "not found"),
    405: ("method_not_allowed", "不支持该请求方法", "method not allowed"),
    413: ("payload_too_large", "请求体过大", "request body too large"),
}


def _challenge(request: Request) -> dict[str, str]:
    """RFC 7235/6750: a 401 names how to authenticate; a credential that was sent and refused
    is an ``invalid_token`` (the reason stays in the body, not in a header a proxy may log)."""
    sent = "authorization" in request.headers or "x-api-key" in request.headers
    suffix = ', error="invalid_token"' if sent else ""
    return {"WWW-Authenticate": f'Bearer realm="fengqiao"{suffix}'}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code, zh, en = _HTTP_CODES.get(
            error.status_code, ("http_error", "请求无法处理", str(error.detail))
        )
        body = ErrorBody(code=code, message=f"{zh} / {en}", message_zh=zh, message_en=en)
        return JSONResponse(body.model_dump(), status_code=error.status_code, headers=error.headers)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> JSONResponse:
        headers = _challenge(request) if error.status == 401 else None
        return JSONResponse(error.body.model_dump(), status_code=error.status, headers=headers)

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, error: DomainError) -> JSONResponse:
        mapped = from_domain(error)
        return JSONResponse(mapped.body.model_dump(), status_code=mapped.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(field=_field_path(tuple(item.get("loc", ()))), reason=_reason(item))
            for item in error.errors()
        ]
        first = errors[0] if errors else FieldError(field="body", reason="invalid")
        body = ErrorBody(
            code="invalid_input",
            message=f"输入无效：{first.field} / invalid input: {first.field}: {first.reason}",
            message_zh=f"输入无效：{first.field}",
            message_en=f"invalid input: {first.field}: {first.reason}",
            field=first.field,
            errors=errors,
        )
        return JSONResponse(body.model_dump(), status_code=422)
