"""read model for reach, worklists and same parties

``cases`` gains ``holder_id`` (承办单位), ``incoming_id`` (待签收单位), ``reporter_id`` and
``grid_code``. Beside it: ``case_organisations`` (each organisation related to a case and how:
the reach of center roles' lists), ``work_items`` (待办, ``domain.case.worklist``) and
``case_parties`` (party keys: SHA-256 of the normalised ID number, else of name and phone).

Existing cases get their rows from ``fengqiao migrate`` once the schema is at head, by the
projection's code of that day (``activities.store.read_model_rebuild``, revision 0030): a case
from before organisations is held by the center that registered it (``holder_id = center_id``).
On PostgreSQL the worklist's jurisdiction index compares bytes (``varchar_pattern_ops``) so a
subtree ``LIKE`` can use it, and
the cases' subtree index also includes ``registered_at`` (stats count 积案 from the index alone).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_SUBTREE = (
    "CREATE INDEX ix_cases_jurisdiction_subtree "
    "ON cases (jurisdiction_code varchar_pattern_ops) INCLUDE ({include})"
)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("holder_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("incoming_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("reporter_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("grid_code", sa.String(15), nullable=True))
    op.create_index(
        "ix_cases_holder_registered", "cases", ["holder_id", "registered_at", "case_id"]
    )
    op.create_index(
        "ix_cases_incoming_registered", "cases", ["incoming_id", "registered_at", "case_id"]
    )
    op.create_index("ix_cases_reporter_id", "cases", ["reporter_id"])
    if op.get_bind().dialect.name == "postgresql":
        # Stats count 积案 in the same pass (registered_at before the threshold): from the index.
        op.execute("DROP INDEX ix_cases_jurisdiction_subtree")
        op.execute(_SUBTREE.format(include="stage, kind, category, center_id, registered_at"))
    op.create_table(
        "case_organisations",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("org_id", sa.String(64), primary_key=True),
        sa.Column("relation", sa.String(16), primary_key=True),
        sa.Column("reach", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
    )
    op.create_index(
        "ix_case_organisations_reach",
        "case_organisations",
        ["org_id", "registered_at", "case_id"],
        postgresql_where=sa.text("reach"),
        sqlite_where=sa.text("reach"),
        postgresql_include=["stage", "kind", "category", "jurisdiction_code"],
    )
    op.create_table(
        "work_items",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("item_key", sa.String(80), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rank_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("assignment_no", sa.Integer(), nullable=True),
        sa.Column("clock_id", sa.String(64), nullable=True),
        sa.Column("person", sa.String(1000), nullable=True),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("case_kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_work_items_org_rank",
        "work_items",
        ["org_id", "rank_at", "since", "case_id", "item_key"],
    )
    op.create_index("ix_work_items_org_kind", "work_items", ["org_id", "kind"])
    op.create_index("ix_work_items_rank", "work_items", ["rank_at", "since", "case_id", "item_key"])
    op.create_index(
        "ix_work_items_jurisdiction_subtree",
        "work_items",
        ["jurisdiction_code"],
        postgresql_ops={"jurisdiction_code": "varchar_pattern_ops"},
        postgresql_include=["kind"],
    )
    op.create_table(
        "case_parties",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("party_key", sa.String(64), primary_key=True),
    )
    op.create_index("ix_case_parties_key", "case_parties", ["party_key", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_parties_key", table_name="case_parties")
    op.drop_table("case_parties")
    for index in (
        "ix_work_items_jurisdiction_subtree",
        "ix_work_items_rank",
        "ix_work_items_org_kind",
        "ix_work_items_org_rank",
    ):
        op.drop_index(index, table_name="work_items")
    op.drop_table("work_items")
    op.drop_index("ix_case_organisations_reach", table_name="case_organisations")
    op.drop_table("case_organisations")
    op.drop_index("ix_cases_reporter_id", table_name="cases")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_cases_jurisdiction_subtree")
        op.execute(_SUBTREE.format(include="stage, kind, category, center_id"))
    op.drop_index("ix_cases_incoming_registered", table_name="cases")
    op.drop_index("ix_cases_holder_registered", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        for column in ("grid_code", "reporter_id", "incoming_id", "holder_id"):
            batch.drop_column(column)
