"""Who is signed in to the console (会话), the form token every POST carries (CSRF), and the
route class that turns the services' refusals into pages.

The session cookie holds a random token (HttpOnly, SameSite=Lax, Secure over https); the table
keeps its SHA-256. Every POST must carry the session's form token and come from this origin.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError

from activities.identity import passwords
from activities.runtime.settings import Settings
from api.console.templating import render
from api.deps import ResourcesDep
from api.errors import ApiError, from_domain, unavailable
from api.services import notices
from api.services.worklist import WORKLIST_ROLES
from domain.errors import DomainError
from domain.people.access import Permission, Principal
from domain.people.privacy import scrub_text
from domain.people.sign_in import SignInPolicy, Throttle

COOKIE = "fq_session"
FORM_LIMIT = 256 * 1024


def sign_in_policy(settings: Settings) -> SignInPolicy:
    longest = timedelta(minutes=settings.sign_in_lockout_minutes)
    window = timedelta(minutes=settings.sign_in_window_minutes)
    first = timedelta(seconds=settings.sign_in_first_delay_seconds)

    def throttle(free: int) -> Throttle:
        return Throttle(free=free, first_delay=first, max_delay=longest, window=window)

    return SignInPolicy(
        per_account_address=throttle(settings.sign_in_max_failures),
        per_address=throttle(settings.sign_in_address_max_failures),
        per_account=throttle(settings.sign_in_account_max_failures),
        idle=timedelta(minutes=settings.console_idle_minutes),
        absolute=timedelta(hours=settings.console_absolute_hours),
    )


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in person: the same Principal the JSON API authenticates, and the form token."""

    principal: Principal
    csrf_token: str

    def may(self, permission: Permission) -> bool:
        return self.principal.may(permission)


class SignInRequired(Exception):
    """No live session: the page sends the browser to the sign-in form."""


class PasswordChangeRequired(Exception):
    """Someone else set this user's password: every page waits until the user changes it."""


# What a user who must change their password may still open.
_WHILE_CHANGING = frozenset({"/account/password", "/signout"})


class PageError(Exception):
    """A page refused outright (403 role, 404 out of reach): rendered as an error page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _signed_in(request: Request, resources: ResourcesDep) -> ConsoleUser:
    token = request.cookies.get(COOKIE)
    if not token:
        raise SignInRequired
    try:
        async with resources.sessionmaker.begin() as session:
            live = await passwords.live_session(
                token,
                now=datetime.now(UTC),
                policy=sign_in_policy(resources.settings),
                session=session,
            )
    except (SQLAlchemyError, OSError) as error:
        raise unavailable("用户目录", "user directory") from error
    if live is None:
        raise SignInRequired
    if live.must_change and request.url.path not in _WHILE_CHANGING:
        raise PasswordChangeRequired
    user = ConsoleUser(principal=live.principal, csrf_token=live.csrf_token)
    request.state.principal = live.principal
    request.state.console_user = user
    if request.method == "GET" and live.principal.role in WORKLIST_ROLES:
        # The menu's counts, once per page (the layout shows them beside the menu entries).
        try:
            request.state.notices = await notices.notices(
                live.principal, sessionmaker=resources.sessionmaker
            )
        except ApiError:
            request.state.notices = None  # the page still opens, without the counts
    return user


SignedIn = Annotated[ConsoleUser, Depends(_signed_in)]


def require(*any_of: Permission) -> Callable[[ConsoleUser], Awaitable[ConsoleUser]]:
    async def permitted(user: SignedIn) -> ConsoleUser:
        if not any(user.may(p) for p in any_of):
            raise PageError(403, "当前角色无权使用此页面")
        return user

    return permitted


def same_origin(request: Request) -> bool:
    """The POST came from a page of this server (Origin, else Referer, names this host)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    found = urlsplit(source)
    return (found.scheme, found.netloc) == (request.url.scheme, request.url.netloc)


async def form_of(request: Request) -> dict[str, list[str]]:
    """The posted form (application/x-www-form-urlencoded), every value of every name."""
    body = await request.body()
    if len(body) > FORM_LIMIT:
        raise PageError(413, "提交的内容过大")
    fields: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as error:
        raise PageError(400, "提交的内容不是有效的 UTF-8 文本") from error
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


async def checked_form(request: Request, user: ConsoleUser) -> dict[str, list[str]]:
    """The form of a POST from this origin carrying this session's form token; 403 otherwise."""
    form = await form_of(request)
    sent = (form.get("csrf_token") or [""])[0]
    if not same_origin(request) or not hmac.compare_digest(sent, user.csrf_token):
        raise PageError(403, "表单已失效或来源不明，请刷新页面后重试")
    return form


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def error_page(request: Request, status: int, message: str, user: ConsoleUser | None) -> Response:
    titles = {
        403: "无权访问",
        404: "页面或案件不存在",
        409: "当前阶段不允许此操作",
        503: "服务暂不可用",
    }
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": titles.get(status, "请求无法处理"),
            # A message may quote what was asked for (a case number typed into the address).
            "message": scrub_text(message),
            "user": user,
        },
        status=status,
    )


_PATH_PART = re.compile(r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]{1,200}")


class ConsoleRoute(APIRoute):
    """Console routes answer with pages: sign-in redirects and error pages instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            if not all(_PATH_PART.fullmatch(str(v)) for v in request.path_params.values()):
                # Ids in the console's paths are short and printable: anything else names no
                # page (and never reaches the store or Temporal).
                return error_page(request, 404, "页面不存在", None)
            try:
                return await handler(request)
            except PasswordChangeRequired:
                return RedirectResponse("/account/password?first=1", status_code=303)
            except SignInRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/signin?next={quote(target)}", status_code=303)
            except PageError as error:
                return error_page(request, error.status, error.message, _user_of(request))
            except ApiError as error:
                return error_page(request, error.status, error.body.message_zh, _user_of(request))
            except DomainError as error:
                mapped = from_domain(error)
                return error_page(request, mapped.status, mapped.body.message_zh, _user_of(request))

        return page


def _user_of(request: Request) -> Any:
    return getattr(request.state, "console_user", None)
