"""One's own credentials (本人凭据): redeem a one-time link and choose a password, change the
password (required at first sign-in when someone else set it), issue oneself an API key.

Nobody else sees what is chosen or issued here; each act is in the administration trail.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.console.session import (
    COOKIE,
    ConsoleRoute,
    PageError,
    SignedIn,
    checked_form,
    form_of,
    same_origin,
)
from api.console.templating import render
from api.deps import SessionmakerDep
from api.errors import ApiError
from api.services import account

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

_MISMATCH = "两次输入的新密码不一致"


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


@router.get("/welcome/{token}")
async def welcome(request: Request, token: str, sessionmaker: SessionmakerDep) -> Response:
    name = await account.link_is_usable(token[:100], sessionmaker=sessionmaker)
    return _welcome_page(request, token, name, status=200 if name else 410)


def _welcome_page(
    request: Request, token: str, name: str | None, *, error: str = "", status: int = 200
) -> Response:
    response = render(
        request,
        "welcome.html",
        {"user": None, "token": token, "name": name, "error": error},
        status=status,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"  # the link never leaves the server
    return response


@router.post("/welcome/{token}")
async def redeem(request: Request, token: str, sessionmaker: SessionmakerDep) -> Response:
    if not same_origin(request):
        raise PageError(403, "表单来源不明，请从链接重新打开")
    form = await form_of(request)
    name = await account.link_is_usable(token[:100], sessionmaker=sessionmaker)
    if name is None:
        return _welcome_page(request, token, None, status=410)
    password, again = _one(form, "password"), _one(form, "again")
    if password != again:
        return _welcome_page(request, token, name, error=_MISMATCH, status=422)
    try:
        await account.redeem_link(token[:100], password, sessionmaker=sessionmaker)
    except ApiError as refused:
        return _welcome_page(request, token, name, error=refused.body.message_zh, status=422)
    response = render(request, "welcome.html", {"user": None, "done": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/account/password")
async def password_page(request: Request, user: SignedIn, first: str | None = None) -> Response:
    return render(
        request, "account_password.html", {"user": user, "first": bool(first), "errors": {}}
    )


@router.post("/account/password")
async def change_password(
    request: Request, user: SignedIn, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    current, new, again = _one(form, "current"), _one(form, "password"), _one(form, "again")
    errors: dict[str, str] = {}
    if new != again:
        errors["again"] = _MISMATCH
    else:
        try:
            await account.change_own_password(
                user.principal, current, new, sessionmaker=sessionmaker
            )
        except ApiError as refused:
            errors[refused.body.field or "password"] = refused.body.message_zh
    if errors:
        return render(
            request,
            "account_password.html",
            {"user": user, "first": bool(form.get("first")), "errors": errors},
            status=422,
        )
    # Setting the password ended every session of the user: sign in again with the new one.
    response = render(request, "welcome.html", {"user": None, "done": True, "changed": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/account/key")
async def key_page(request: Request, user: SignedIn) -> Response:
    return render(request, "account_key.html", {"user": user, "issued": None})


@router.post("/account/key")
async def issue_key(request: Request, user: SignedIn, sessionmaker: SessionmakerDep) -> Response:
    await checked_form(request, user)
    issued = await account.issue_own_key(user.principal, sessionmaker=sessionmaker)
    response = render(request, "account_key.html", {"user": user, "issued": issued})
    response.headers["Cache-Control"] = "no-store"
    return response
