"""Administration (系统管理): users — add, ask for a one-time link, enable/disable, unlock — for
security administrators (三员分立: never another user's password or key), and the alert recipients
with their channels for the system administrator (单位名录: ``pages_registry``; approvals:
``pages_requests``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import TypeAdapter, ValidationError

from activities.store import alert_store
from api.console.refusals import refusal_text
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import SessionmakerDep, SettingsDep
from api.errors import ApiError, database_errors
from api.services import recipients, roster_link, user_pickers, users
from domain.people.access import CENTER_ROLES, ROLE_LABELS, Permission, Principal, Role
from domain.people.administration import creation_needs_approval
from domain.text import ShortText

# A recipient's id and name as the JSON API checks them (one line, no control characters).
RecipientName: TypeAdapter[str] = TypeAdapter(ShortText)
RecipientId = RecipientName

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

UserAdmin = Annotated[ConsoleUser, Depends(require(Permission.MANAGE_USERS))]
RecipientAdmin = Annotated[ConsoleUser, Depends(require(Permission.MANAGE_RECIPIENTS))]

_DONE = {
    "added": "已添加用户。请为其申请一次性设置密码链接（须另一名安全管理员批准）",
    "pending": "已提交申请：添加管理员或审计人员须另一名安全管理员批准",
    "requested": "已提交一次性链接申请，待另一名安全管理员批准",
    "enabled": "已启用",
    "disabled": "已停用",
    "unlocked": "已解除锁定",
    "recipient": "已保存督办接收人",
    "mediator": "已保存调解员名册关联",
}
CHANNELS = (
    ("webhook", "Webhook（HMAC 签名）"),
    ("dingtalk", "钉钉机器人"),
    ("wecom", "企业微信机器人"),
)


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


async def _users_page(
    request: Request,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    *,
    flash: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lines = await users.list_users(admin=user.principal, sessionmaker=sessionmaker)
    # 调解员名册: the staff of an organisation may be linked to one of its roster entries.
    linkable = [u.center_id for u in lines if u.role in CENTER_ROLES and u.center_id]
    roster = await roster_link.roster_choices(linkable, sessionmaker=sessionmaker)
    choices = await user_pickers.user_choices(sessionmaker=sessionmaker)
    return render(
        request,
        "admin_users.html",
        {
            "user": user,
            "lines": lines,
            "roster": roster,
            "choices": choices,
            "center_roles": CENTER_ROLES,
            "flash": flash,
            "errors": errors or {},
            "values": values or {},
            "roles": [(r.value, ROLE_LABELS[r]) for r in Role],
            "approved_roles": "、".join(ROLE_LABELS[r] for r in Role if creation_needs_approval(r)),
        },
        status=status,
    )


@router.get("/admin/users")
async def users_page(
    request: Request, user: UserAdmin, sessionmaker: SessionmakerDep, done: str | None = None
) -> Response:
    return await _users_page(request, user, sessionmaker, flash=_DONE.get(done or ""))


@router.post("/admin/users")
async def add_user(request: Request, user: UserAdmin, sessionmaker: SessionmakerDep) -> Response:
    form = await checked_form(request, user)
    values = {
        k: _one(form, k) for k in ("user_id", "display_name", "role", "jurisdiction", "center_id")
    }
    if values["role"] not in {r.value for r in Role}:
        return await _users_page(
            request, user, sessionmaker, errors={"role": "请选择角色"}, values=values, status=422
        )
    # 辖区 and 单位 are chosen from the registry: a code posted that it does not offer is refused.
    choices = await user_pickers.user_choices(sessionmaker=sessionmaker)
    unknown = {
        name: text
        for name, text, offered in (
            ("jurisdiction", "区划名录中没有此辖区", choices.places),
            ("center_id", "单位名录中没有此在用单位", choices.organisations),
        )
        if values[name] and values[name] not in {value for value, _ in offered}
    }
    if unknown:
        return await _users_page(
            request, user, sessionmaker, errors=unknown, values=values, status=422
        )
    try:
        added = Principal(
            user_id=values["user_id"],
            display_name=values["display_name"],
            role=Role(values["role"]),
            jurisdiction=values["jurisdiction"] or None,
            center_id=values["center_id"] or None,
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else "user_id"
        where = where if where in {"jurisdiction", "center_id", "display_name"} else "user_id"
        reason = refusal_text(first) if where == "display_name" else "格式不正确"
        return await _users_page(
            request, user, sessionmaker, errors={where: reason}, values=values, status=422
        )
    if not values["display_name"]:
        return await _users_page(
            request,
            user,
            sessionmaker,
            errors={"display_name": "此项必填"},
            values=values,
            status=422,
        )
    try:
        outcome = await users.add_user(added, admin=user.principal, sessionmaker=sessionmaker)
    except ApiError as refused:
        return await _users_page(
            request,
            user,
            sessionmaker,
            errors={"user_id": _directory_message(refused)},
            values=values,
            status=refused.status,
        )
    done = "added" if outcome.request_id is None else "pending"
    return RedirectResponse(f"/admin/users?done={done}", status_code=303)


def _directory_message(refused: ApiError) -> str:
    text = refused.body.message_en
    if "already exists" in text:
        return "该用户名已存在"
    if "needs" in text:
        return "该角色须填写所属辖区" + ("和中心" if "center" in text else "")
    return refused.body.message_zh


@router.post("/admin/users/{user_id}/{what}")
async def user_action(
    request: Request, user_id: str, what: str, user: UserAdmin, sessionmaker: SessionmakerDep
) -> Response:
    form = await checked_form(request, user)
    admin = user.principal
    if what == "mediator":  # 关联调解员名册 (empty: unlink)
        chosen = _one(form, "mediator_id") or None
        try:
            await roster_link.link_mediator(user_id, chosen, admin=admin, sessionmaker=sessionmaker)
        except ApiError as refused:
            if refused.status != 422:
                raise
            errors = {f"mediator:{user_id}": refused.body.message_zh}
            return await _users_page(request, user, sessionmaker, errors=errors, status=422)
        return RedirectResponse("/admin/users?done=mediator", status_code=303)
    if what in ("password", "key"):
        # 三员分立: nobody sets another user's password or sees their key.
        raise users.another_users_credential()
    if what == "link":
        await users.request_password_link(user_id, admin=admin, sessionmaker=sessionmaker)
        return RedirectResponse("/admin/users?done=requested", status_code=303)
    if what in ("enable", "disable"):
        await users.set_active(user_id, what == "enable", admin=admin, sessionmaker=sessionmaker)
        return RedirectResponse(f"/admin/users?done={what}d", status_code=303)
    if what == "unlock":
        await users.unlock(user_id, admin=admin, sessionmaker=sessionmaker)
        return RedirectResponse("/admin/users?done=unlocked", status_code=303)
    raise PageError(404, "没有这项操作")


@router.get("/admin/recipients")
async def recipients_page(
    request: Request, user: RecipientAdmin, sessionmaker: SessionmakerDep, done: str | None = None
) -> Response:
    return await _recipients_page(request, user, sessionmaker, flash=_DONE.get(done or ""))


async def _recipients_page(
    request: Request,
    user: ConsoleUser,
    sessionmaker: SessionmakerDep,
    *,
    flash: str | None = None,
    error: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    with database_errors():
        async with sessionmaker() as session:
            rows = await alert_store.list_recipients(session=session)
    listed = [
        {
            "recipient_id": row.recipient_id,
            "display_name": row.display_name,
            # Which channels, never their URLs' secrets.
            "channels": [
                dict(CHANNELS).get(str(c.get("kind")), str(c.get("kind"))) for c in row.channels
            ],
        }
        for row in rows
    ]
    return render(
        request,
        "admin_recipients.html",
        {
            "user": user,
            "rows": listed,
            "flash": flash,
            "error": error,
            "values": values or {},
            "channels": CHANNELS,
        },
        status=status,
    )


@router.post("/admin/recipients")
async def put_recipient(
    request: Request, user: RecipientAdmin, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> Response:
    form = await checked_form(request, user)
    values = {k: _one(form, k) for k in ("recipient_id", "display_name", "kind", "url")}
    secret = _one(form, "secret")
    if not values["recipient_id"] or not values["display_name"]:
        return await _recipients_page(
            request, user, sessionmaker, error="接收人标识和名称必填", values=values, status=422
        )
    try:  # the JSON API's own checks of the id and the name
        named = RecipientName.validate_python(values["display_name"])
        RecipientId.validate_python(values["recipient_id"])
    except ValidationError as error:
        return await _recipients_page(
            request,
            user,
            sessionmaker,
            error=f"接收人标识或名称{refusal_text(error.errors()[0])}",
            values=values,
            status=422,
        )
    channel: dict[str, Any] = {"kind": values["kind"], "url": values["url"]}
    if secret:
        channel["secret"] = secret
    try:
        await recipients.put_recipient(
            values["recipient_id"],
            display_name=named,
            channels=[channel] if values["url"] else [],
            admin=user.principal,
            settings=settings,
            sessionmaker=sessionmaker,
        )
    except ApiError as refused:
        field = refused.body.field or ""
        return await _recipients_page(
            request,
            user,
            sessionmaker,
            error=refused.body.message_zh
            if field.endswith(".url")
            else "通道配置无效：请填写完整的 http(s) 地址；Webhook 和钉钉须填写签名密钥",
            values=values,
            status=refused.status,
        )
    return RedirectResponse("/admin/recipients?done=recipient", status_code=303)
