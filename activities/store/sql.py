"""Dialect helpers: the same upsert statements on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for_dialect(dialect: str, table: Any) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support for a dialect (PostgreSQL or SQLite)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_for(session: AsyncSession, table: Any) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support for the session's dialect."""
    return insert_for_dialect(session.get_bind().dialect.name, table)


def utc(value: datetime) -> datetime:
    """Stored datetimes are UTC; SQLite hands them back naive."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def like_escape(text: str) -> str:
    """``text`` as a literal inside a ``LIKE`` pattern escaped with a backslash."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
