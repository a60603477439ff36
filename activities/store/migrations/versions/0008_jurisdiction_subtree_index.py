"""cases: an index for jurisdiction subtrees (``LIKE '320102%'``) on PostgreSQL

Lists and counts are narrowed to the caller's reach and filtered by area, both a prefix of the
jurisdiction code. Under a non-C collation (the server's default, C.UTF-8 here) a plain btree
cannot answer a prefix LIKE; ``varchar_pattern_ops`` compares bytes and can. The stats columns
are included so a count within a reach is read from the index alone (an index-only scan).

SQLite needs nothing: its LIKE prefix is not indexable either way, and its tables are small.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_cases_jurisdiction_subtree "
            "ON cases (jurisdiction_code varchar_pattern_ops) "
            "INCLUDE (stage, kind, category, center_id)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_cases_jurisdiction_subtree")
