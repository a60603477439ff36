"""Tables of people and their access: users, console sessions, sign-in events and throttle,
idempotency keys, API keys, the access and administration trails, credential requests and
one-time links (re-exported by ``activities.store.tables``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.table_base import Base, EventId, JsonDocument


class UserRow(Base):
    """用户: a person and the role, jurisdiction and center they act in."""

    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(24))
    jurisdiction_code: Mapped[str | None] = mapped_column(String(12))
    center_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("organisations.org_id", name="fk_users_center_organisation")
    )
    active: Mapped[bool] = mapped_column(Boolean, server_default="1")
    # 网格员: the grid (village code + 3 digits) a grid worker reports from.
    grid_code: Mapped[str | None] = mapped_column(String(15))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # argon2id (None: no password; identity provider or API key only), and the lock-out state.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    failed_sign_ins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A password someone else set (the command line): changed by the user at first sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default="0")
    mediator_id: Mapped[str | None] = mapped_column(String(64))  # 调解员名册: linked entry


class ConsoleSessionRow(Base):
    """A console sign-in (会话): only the SHA-256 of its token is stored, with its form token."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    csrf_token: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(16))  # password | oidc
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the absolute end

    __table_args__ = (Index("ix_console_sessions_user", "user_id"),)


class SignInEventRow(Base):
    """登录记录: each sign-in, failed attempt, lock-out and sign-out of the console."""

    __tablename__ = "sign_in_events"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(24))
    method: Mapped[str] = mapped_column(String(16))
    remote: Mapped[str] = mapped_column(String(64), server_default="")

    __table_args__ = (Index("ix_sign_in_events_user", "user_id", "at"),)


class SignInThrottleRow(Base):
    """登录限速: one count of failed sign-ins (an account at an address, an address, an account).

    ``subject`` is a SHA-256 of what is counted (never the typed name or the address in clear,
    and bounded whatever was typed); ``account`` the SHA-256 of the account name, so a new
    password or an administrator's unlock clears every count of that account. Instants are
    milliseconds since the epoch: the count and the delay are one atomic statement on both stores.
    """

    __tablename__ = "sign_in_throttle"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str | None] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, server_default="0")
    blocked_until_ms: Mapped[int] = mapped_column(EventId, server_default="0")
    updated_ms: Mapped[int] = mapped_column(EventId, server_default="0")

    __table_args__ = (Index("ix_sign_in_throttle_account", "account"),)


class IdempotencyKeyRow(Base):
    """A caller's Idempotency-Key bound to the request it first came with (幂等键).

    ``scoped_key`` is derived from the user and the key (a key is only ever looked up within its
    user's own scope); ``request_hash`` the SHA-256 of the command, its target and its body.
    """

    __tablename__ = "idempotency_keys"

    scoped_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApiKeyRow(Base):
    """An API key: only its SHA-256 is stored; ``key_id`` is the public prefix used to find it."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AccessTrailRow(Base):
    """访问留痕: a read that showed clear personal data, or any audit read (append-only)."""

    __tablename__ = "access_trail"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    principal_id: Mapped[str] = mapped_column(String(64))
    principal_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(24))
    case_id: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    endpoint: Mapped[str] = mapped_column(String(200))
    fields: Mapped[list[str]] = mapped_column(JsonDocument)
    purpose: Mapped[str | None] = mapped_column(Text)


class AdminTrailRow(Base):
    """管理留痕: every administrative act, hash-chained and append-only (auditors read it).

    ``prev_hash`` is unique: two entries never follow the same one, so the chain cannot fork.
    """

    __tablename__ = "admin_trail"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(64), server_default="")
    details: Mapped[dict[str, str]] = mapped_column(JsonDocument)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))


class CredentialRequestRow(Base):
    """申请: an administrator's request that a second security administrator approves."""

    __tablename__ = "credential_requests"

    request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    target_user_id: Mapped[str] = mapped_column(String(64))
    # The user to create (CREATE_USER): the Principal's fields.
    new_user: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_by_name: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_credential_requests_status", "status", "opened_at"),)


class OneTimeLinkRow(Base):
    """一次性链接: only its SHA-256; the user redeems it once, before it expires."""

    __tablename__ = "one_time_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
