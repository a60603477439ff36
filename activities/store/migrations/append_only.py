"""Append-only tables, enforced by the database itself (used by the migrations).

PostgreSQL: one trigger function refuses UPDATE, DELETE and TRUNCATE. SQLite: BEFORE UPDATE and
BEFORE DELETE triggers abort. A SQLite batch migration that rebuilds such a table drops its
triggers: it must call ``forbid_changes`` again afterwards.
"""

from __future__ import annotations

from alembic import op

FORBID_FUNCTION = """
CREATE OR REPLACE FUNCTION fengqiao_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (只允许追加，不得修改或删除)',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def create_forbid_function() -> None:
    if _postgresql():
        op.execute(FORBID_FUNCTION)


def forbid_changes(table: str) -> None:
    """Make ``table`` append-only (on PostgreSQL, after ``create_forbid_function``)."""
    if _postgresql():
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION fengqiao_append_only()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
        )


def allow_changes(table: str) -> None:
    if _postgresql():
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        return
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
