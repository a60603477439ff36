"""Sign-in and sign-out (登录与退出): password with growing delays, or the identity provider (OIDC).

The sign-in form is protected against login CSRF by a double-submit token (a cookie and a hidden
field that must match) and the Origin check; a session's own form token protects everything after.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from math import ceil

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from activities.identity import passwords, principals
from activities.identity.hashing import HashPoolBusy
from activities.identity.oidc import OidcError
from activities.identity.passwords import SignInOutcome
from api.console.session import (
    COOKIE,
    ConsoleRoute,
    PageError,
    SignedIn,
    checked_form,
    form_of,
    same_origin,
    set_session_cookie,
    sign_in_policy,
)
from api.console.templating import render
from api.deps import ResourcesDep
from api.errors import unavailable
from api.remote import client_address
from domain.people.access import CENTER_ROLES, Permission, Role, UserId

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

PRE_COOKIE = "fq_signin"
OIDC_COOKIE = "fq_oidc"


def _local(target: str | None) -> str:
    """Only a path on this server (never ``//elsewhere``) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


BAD_CREDENTIALS = "用户名或密码错误"


def _remote(request: Request) -> str:
    return client_address(request, request.app.state.resources.settings.trusted_proxies)


def _signin_page(
    request: Request,
    *,
    message: str = "",
    user_id: str = "",
    next_path: str = "/",
    status: int = 200,
) -> Response:
    token = secrets.token_urlsafe(24)
    resources = request.app.state.resources
    response = render(
        request,
        "signin.html",
        {
            "csrf_token": token,
            "message": message,
            "user_id": user_id,
            "next": _local(next_path),
            "oidc": resources.oidc is not None,
        },
        status=status,
    )
    response.set_cookie(
        PRE_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/signin",
    )
    return response


@router.get("/signin")
async def signin_form(request: Request, next: str = "/") -> Response:
    return _signin_page(request, next_path=next)


_USER_ID: TypeAdapter[str] = TypeAdapter(UserId)


def _is_user_id(text: str) -> bool:
    try:
        _USER_ID.validate_python(text)
    except ValidationError:
        return False
    return True


@router.post("/signin")
async def signin(request: Request, resources: ResourcesDep) -> Response:
    form = await form_of(request)
    sent = (form.get("csrf_token") or [""])[0]
    expected = request.cookies.get(PRE_COOKIE, "")
    next_path = _local((form.get("next") or ["/"])[0])
    if not same_origin(request) or not expected or not hmac.compare_digest(sent, expected):
        return _signin_page(
            request, message="登录表单已失效，请重新输入", next_path=next_path, status=403
        )
    user_id = (form.get("user_id") or [""])[0].strip()[:64]
    password = (form.get("password") or [""])[0]
    if not user_id or not password:
        return _signin_page(
            request,
            message="请输入用户名和密码",
            user_id=user_id,
            next_path=next_path,
            status=422,
        )
    if not _is_user_id(user_id):  # no account has such a name (a NUL would reach the store)
        return _signin_page(request, message=BAD_CREDENTIALS, next_path=next_path, status=401)
    now = datetime.now(UTC)
    policy = sign_in_policy(resources.settings)
    remote = _remote(request)
    try:
        result = await passwords.check_password(
            user_id,
            password,
            now=now,
            policy=policy,
            remote=remote,
            sessionmaker=resources.sessionmaker,
            hashes=resources.hashes,
        )
    except HashPoolBusy:
        return _wait_page(request, user_id, next_path, wait_seconds=1, busy=True)
    except (SQLAlchemyError, OSError) as error:
        raise unavailable("用户目录", "user directory") from error
    log = structlog.get_logger(__name__)
    if result.outcome is SignInOutcome.THROTTLED and result.retry_after is not None:
        return _wait_page(
            request, user_id, next_path, wait_seconds=ceil(result.retry_after.total_seconds())
        )
    if result.principal is None:
        # One answer for a wrong password, a name nobody holds, a disabled account.
        log.info("console_sign_in_refused", outcome=result.outcome.value)
        return _signin_page(
            request, message=BAD_CREDENTIALS, user_id=user_id, next_path=next_path, status=401
        )
    try:
        async with resources.sessionmaker.begin() as session:
            opened = await passwords.open_session(
                user_id, method="password", now=now, policy=policy, session=session
            )
    except (SQLAlchemyError, OSError) as error:
        raise unavailable("用户目录", "user directory") from error
    log.info("console_signed_in", user=user_id)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, request, opened.token, int(policy.absolute.total_seconds()))
    response.delete_cookie(PRE_COOKIE, path="/signin")
    return response


def _wait_page(
    request: Request, user_id: str, next_path: str, *, wait_seconds: int, busy: bool = False
) -> Response:
    """429: too many attempts (of any name, with any password), or too many at once."""
    message = (
        "登录请求较多，请稍后再试" if busy else f"登录尝试过于频繁，请于 {wait_seconds} 秒后再试"
    )
    response = _signin_page(
        request, message=message, user_id=user_id, next_path=next_path, status=429
    )
    response.headers["Retry-After"] = str(max(1, wait_seconds))
    return response


@router.post("/signout")
async def signout(request: Request, user: SignedIn, resources: ResourcesDep) -> Response:
    await checked_form(request, user)
    token = request.cookies.get(COOKIE, "")
    async with resources.sessionmaker.begin() as session:
        await passwords.close_session(token, session=session)
        await passwords.record_sign_in_event(
            user.principal.user_id,
            SignInOutcome.SIGNED_OUT,
            method="console",
            remote=_remote(request),
            at=datetime.now(UTC),
            session=session,
        )
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _redirect_uri(request: Request) -> str:
    return str(request.url_for("oidc_callback"))


@router.get("/signin/oidc")
async def oidc_start(request: Request, resources: ResourcesDep, next: str = "/") -> Response:
    if resources.oidc is None:
        raise PageError(404, "未配置统一身份认证")
    try:
        challenge = await resources.oidc.challenge(_redirect_uri(request))
    except OidcError as error:
        structlog.get_logger(__name__).warning("oidc_unavailable", reason=str(error))
        raise PageError(503, "统一身份认证服务暂不可用，请稍后重试或使用密码登录") from error
    response = RedirectResponse(challenge.url, status_code=303)
    carried = ".".join((challenge.state, challenge.verifier, challenge.nonce))
    response.set_cookie(
        OIDC_COOKIE,
        f"{carried}.{_local(next)}",
        max_age=600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/signin/oidc",
    )
    return response


@router.get("/signin/oidc/callback", name="oidc_callback")
async def oidc_callback(
    request: Request, resources: ResourcesDep, code: str = "", state: str = ""
) -> Response:
    if resources.oidc is None:
        raise PageError(404, "未配置统一身份认证")
    carried = request.cookies.get(OIDC_COOKIE, "").split(".", 3)
    if len(carried) != 4 or not code or not hmac.compare_digest(carried[0], state):
        return _signin_page(request, message="统一身份认证未完成，请重新登录", status=400)
    expected_state, verifier, nonce, next_path = carried
    try:
        subject = await resources.oidc.subject(
            code, verifier=verifier, nonce=nonce, redirect_uri=_redirect_uri(request)
        )
    except OidcError as error:
        structlog.get_logger(__name__).warning("oidc_refused", reason=str(error))
        return _signin_page(request, message="统一身份认证未通过，请重新登录", status=401)
    now = datetime.now(UTC)
    policy = sign_in_policy(resources.settings)
    async with resources.sessionmaker.begin() as session:
        principal = await principals.active_principal(subject, session=session)
        if principal is None:
            await passwords.record_sign_in_event(
                subject,
                SignInOutcome.BAD_CREDENTIALS,
                method="oidc",
                remote=_remote(request),
                at=now,
                session=session,
            )
            opened = None
        else:
            await passwords.record_sign_in_event(
                subject,
                SignInOutcome.SIGNED_IN,
                method="oidc",
                remote=_remote(request),
                at=now,
                session=session,
            )
            opened = await passwords.open_session(
                subject, method="oidc", now=now, policy=policy, session=session
            )
    if opened is None:
        return _signin_page(request, message="该身份认证账户不是本系统的有效用户", status=403)
    response = RedirectResponse(_local(next_path), status_code=303)
    set_session_cookie(response, request, opened.token, int(policy.absolute.total_seconds()))
    response.delete_cookie(OIDC_COOKIE, path="/signin/oidc")
    return response


@router.get("/")
async def home(user: SignedIn) -> Response:
    """Each role starts where its work is."""
    role = user.principal.role
    if role is Role.LEADER:
        target = "/leader"
    elif role is Role.AUDITOR:
        target = "/audit"
    elif role in CENTER_ROLES:  # mediation staff: 我的待办
        target = "/worklist"
    elif user.principal.may(Permission.LIST_CASES):
        target = "/cases"
    elif user.principal.may(Permission.READ_OWN_REPORTS):  # 网格员: 我上报的事项
        target = "/reports"
    elif user.principal.may(Permission.MANAGE_USERS):  # 安全管理员
        target = "/admin/users"
    else:  # 系统管理员: the registry
        target = "/admin/organisations"
    return RedirectResponse(target, status_code=303)
