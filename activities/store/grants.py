"""The application's database role (应用账户): it reads and writes, it owns nothing.

Migrations run as the schema's owner; the API and the workers connect as a role granted only
the rows' verbs. The append-only tables get SELECT and INSERT alone, so even with their triggers
gone that role could not change the record; and only an owner (or a superuser) may drop a
trigger or set ``session_replication_role``, which that role is not. PostgreSQL only: SQLite,
the embedded default, has no roles.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# The record: rows are added, never changed or removed (the triggers refuse it too).
APPEND_ONLY_TABLES = (
    "case_events",
    "case_events_superseded",
    "access_trail",
    "admin_trail",
    "history_archives",
    "accountability_records",
)
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_role(role: str) -> str:
    """A plain lower-case role name (it is written into GRANT statements, not bound)."""
    if not _ROLE.fullmatch(role):
        raise ValueError(f"not a plain PostgreSQL role name: {role!r}")
    return role


async def grant_application_role(connection: AsyncConnection, role: str) -> None:
    """Grant ``role`` what the application needs on every table and sequence now in the schema,
    and the same on what later migrations create (default privileges of the owner)."""
    name = checked_role(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {name}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {name}",
        *(f"REVOKE UPDATE, DELETE ON {table} FROM {name}" for table in APPEND_ONLY_TABLES),
        # An event of an attempt that never became history leaves the chain for
        # case_events_superseded: the database lets only such a row go (0031's trigger).
        f"GRANT DELETE ON case_events TO {name}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {name}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {name}",
    ]
    for statement in statements:
        await connection.execute(text(statement))
