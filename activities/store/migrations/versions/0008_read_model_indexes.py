"""cases: indexes for lists and counts within a reach at a million cases

Jurisdiction subtrees (PostgreSQL only). Lists and counts are narrowed to the caller's reach and
filtered by area, both a prefix of the jurisdiction code (``LIKE '320102%'``). Under a non-C
collation (the server's default, C.UTF-8 here) a plain btree cannot answer a prefix LIKE;
``varchar_pattern_ops`` compares bytes and can. The stats columns are included so a count within
a reach is read from the index alone (an index-only scan). SQLite's LIKE is not indexable either
way, and its tables are small.

A center's list (both stores). A center role's list is always narrowed to its center: ordered
by (center_id, registered_at, case_id), a page is read in order from where it starts. With the
center alone the planner read the whole town's cases and sorted them (it takes the center and
the town for independent conditions); this index replaces ``ix_cases_center``.

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
        # Every code's share in the statistics (a county has a few hundred villages): with the
        # default 100 the planner guessed a village's share from a histogram bucket, and some
        # ANALYZE samples made it walk the date index through a million rows (~170 ms).
        op.execute("ALTER TABLE cases ALTER COLUMN jurisdiction_code SET STATISTICS 1000")
    op.create_index(
        "ix_cases_center_registered", "cases", ["center_id", "registered_at", "case_id"]
    )
    op.drop_index("ix_cases_center", table_name="cases")


def downgrade() -> None:
    op.create_index("ix_cases_center", "cases", ["center_id"])
    op.drop_index("ix_cases_center_registered", table_name="cases")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE cases ALTER COLUMN jurisdiction_code SET STATISTICS -1")
        op.execute("DROP INDEX ix_cases_jurisdiction_subtree")
