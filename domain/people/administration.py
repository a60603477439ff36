"""Administration (系统管理) under 三员分立: who may hand whom a credential, and what is recorded.

Nobody alone creates, resets or reveals a credential of another user and then uses it unseen:

* an administrator never sees another user's password or API key. A password reaches a user only
  through a one-time link (一次性链接) that they redeem themselves, choosing their password; an API
  key is issued by its holder to themselves, signed in;
* a one-time link is asked for by one administrator (申请) and issued only when a *different*
  security administrator approves (批准); the link is shown once, to the approver;
* creating an administrator or an auditor (审计人员) needs the same second approval;
* every administrative act is appended to the administration trail (管理留痕), which auditors read
  and nobody edits; an auditor's read of either trail is recorded too.

Pure: the instant is an argument, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from domain.people.access import ADMIN_ROLES, Principal, Role

# How long a one-time link may be redeemed after it is issued.
LINK_LIFETIME = timedelta(minutes=30)
# How long a request waits for a second administrator before it lapses.
REQUEST_LIFETIME = timedelta(days=3)
# Roles whose creation needs a second security administrator's approval.
APPROVED_CREATION = ADMIN_ROLES | {Role.AUDITOR}


class AdminAction(StrEnum):
    """What the administration trail records (管理留痕的事项)."""

    USER_CREATED = "user_created"
    USER_ENABLED = "user_enabled"
    USER_DISABLED = "user_disabled"
    USER_UNLOCKED = "user_unlocked"
    REQUEST_OPENED = "request_opened"
    REQUEST_APPROVED = "request_approved"
    REQUEST_REFUSED = "request_refused"
    LINK_ISSUED = "link_issued"
    PASSWORD_SET = "password_set"
    PASSWORD_CHANGED = "password_changed"
    KEY_ISSUED = "key_issued"
    KEY_REVOKED = "key_revoked"
    RECIPIENT_SAVED = "recipient_saved"
    REGISTRY_CHANGED = "registry_changed"
    TRAIL_READ = "trail_read"
    ROLE_MODEL_SPLIT = "role_model_split"
    MEDIATOR_LINKED = "mediator_linked"
    PARTY_KEYS_REKEYED = "party_keys_rekeyed"


ADMIN_ACTION_LABELS: dict[AdminAction, str] = {
    AdminAction.USER_CREATED: "添加用户",
    AdminAction.USER_ENABLED: "启用用户",
    AdminAction.USER_DISABLED: "停用用户",
    AdminAction.USER_UNLOCKED: "解除锁定",
    AdminAction.REQUEST_OPENED: "发起申请",
    AdminAction.REQUEST_APPROVED: "批准申请",
    AdminAction.REQUEST_REFUSED: "驳回申请",
    AdminAction.LINK_ISSUED: "签发一次性链接",
    AdminAction.PASSWORD_SET: "设置密码",
    AdminAction.PASSWORD_CHANGED: "修改密码",
    AdminAction.KEY_ISSUED: "签发 API 密钥",
    AdminAction.KEY_REVOKED: "吊销 API 密钥",
    AdminAction.RECIPIENT_SAVED: "保存督办接收人",
    AdminAction.REGISTRY_CHANGED: "变更单位名录",
    AdminAction.TRAIL_READ: "查阅留痕",
    AdminAction.ROLE_MODEL_SPLIT: "三员分立升级",
    AdminAction.MEDIATOR_LINKED: "关联调解员名册",
    AdminAction.PARTY_KEYS_REKEYED: "重算当事人密钥",
}


# The administration trail's details, as the console names them.
DETAIL_LABELS: dict[str, str] = {
    "trail": "留痕",
    "purpose": "用途",
    "request": "申请",
    "kind": "事项",
    "requested_by": "发起人",
    "approved_by": "批准人",
    "expires_at": "链接有效期至",
    "role": "角色",
    "display_name": "姓名",
    "key_id": "密钥编号",
    "by": "方式",
    "must_change": "须本人修改",
    "channels": "通道",
    "change": "变更",
    "reason": "理由",
    "demo": "演示",
    "system_admins": "原系统管理员",
    "cases": "案件数",
    "changed": "重算案件数",
    "register": "重点人员条目",
    "after": "起始案件之后",
}


DETAIL_VALUE_LABELS: dict[str, str] = {
    "password_link": "一次性设置密码链接",
    "create_user": "添加用户",
    "one_time_link": "一次性链接",
    "command_line": "命令行",
    "administration": "管理留痕",
    "created": "新建",
    "load": "从文件载入",
    "yes": "是",
}


class RequestKind(StrEnum):
    """What an administrator may ask a second one to approve."""

    CREATE_USER = "create_user"  # an administrator or an auditor (with their first link)
    PASSWORD_LINK = "password_link"  # a one-time link for the user to set their own password


REQUEST_KIND_LABELS: dict[RequestKind, str] = {
    RequestKind.CREATE_USER: "添加用户并签发一次性链接",
    RequestKind.PASSWORD_LINK: "签发一次性设置密码链接",
}


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


REQUEST_STATUS_LABELS: dict[RequestStatus, str] = {
    RequestStatus.PENDING: "待批准",
    RequestStatus.APPROVED: "已批准",
    RequestStatus.REFUSED: "已驳回",
}


def creation_needs_approval(role: Role) -> bool:
    """Another administrator or an auditor is added only with a second approval."""
    return role in APPROVED_CREATION


def decision_refusal(
    *,
    requested_by: str,
    status: RequestStatus,
    opened_at: datetime,
    approver: Principal,
    now: datetime,
) -> str | None:
    """Why ``approver`` may not decide this request (None: they may)."""
    if approver.role is not Role.SECURITY_ADMIN:
        return "只有安全管理员可以审批"
    if status is not RequestStatus.PENDING:
        return "该申请已处理"
    if approver.user_id == requested_by:
        return "不能批准本人发起的申请，须由另一名安全管理员审批"
    if now - opened_at > REQUEST_LIFETIME:
        return "该申请已过期，请重新发起"
    return None


def link_usable(*, expires_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    """A one-time link works once, before it expires."""
    return used_at is None and now < expires_at
