"""read model for reach, worklists and same parties

``cases`` gains ``holder_id`` (承办单位), ``incoming_id`` (待签收单位), ``reporter_id`` and
``grid_code``. Beside it: ``case_organisations`` (each organisation related to a case and how:
the reach of center roles' lists), ``work_items`` (待办, ``domain.case.worklist``) and
``case_parties`` (party keys: SHA-256 of the normalised ID number, else of name and phone).

Existing cases are backfilled from their stored documents with the projection's own row builders
(``activities.store.read_model``), 500 cases at a time: a case from before organisations is held
by the center that registered it (``holder_id = center_id``). On PostgreSQL the worklist's
jurisdiction index compares bytes (``varchar_pattern_ops``) so a subtree ``LIKE`` can use it, and
the cases' subtree index also includes ``registered_at`` (stats count 积案 from the index alone).

Revision ID: 0010
Revises: 0009
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 500
_SUBTREE = (
    "CREATE INDEX ix_cases_jurisdiction_subtree "
    "ON cases (jurisdiction_code varchar_pattern_ops) INCLUDE ({include})"
)
_LISTED = ("registered_at", "stage", "kind", "category", "jurisdiction_code")
# Columns of these tables that later revisions add (the row builders are live code).
_LATER_COLUMNS = frozenset({"due_rank"})
_EMPTY = {"holder_id": None, "incoming_id": None, "reporter_id": None, "grid_code": None}


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
    _backfill(op.get_bind())


def _backfill(bind: sa.Connection) -> None:
    """Every stored case's new columns and side rows, from its document (as the projection
    would write them)."""
    from pydantic import ValidationError

    from activities.store.read_model import case_rows
    from activities.store.tables import CaseOrganisationRow
    from domain.case.state import CaseState

    relations = CaseOrganisationRow.__table__

    cases = sa.table(
        "cases",
        sa.column("case_id", sa.String),
        sa.column("center_id", sa.String),
        sa.column("state", sa.JSON),
        sa.column("registered_at", sa.DateTime(timezone=True)),
        sa.column("stage", sa.String),
        sa.column("kind", sa.String),
        sa.column("category", sa.String),
        sa.column("jurisdiction_code", sa.String),
        sa.column("holder_id", sa.String),
        sa.column("incoming_id", sa.String),
        sa.column("reporter_id", sa.String),
        sa.column("grid_code", sa.String),
    )
    update = (
        cases.update()
        .where(cases.c.case_id == sa.bindparam("key"))
        .values(
            holder_id=sa.bindparam("holder_id"),
            incoming_id=sa.bindparam("incoming_id"),
            reporter_id=sa.bindparam("reporter_id"),
            grid_code=sa.bindparam("grid_code"),
        )
    )
    last = ""
    while True:
        batch = bind.execute(
            sa.select(
                cases.c.case_id,
                cases.c.center_id,
                cases.c.state,
                *(cases.c[name] for name in _LISTED),
            )
            .where(cases.c.case_id > last)
            .order_by(cases.c.case_id)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        columns: list[dict[str, Any]] = []
        side: dict[Any, list[dict[str, Any]]] = {}
        for case_id, center_id, document, *listed in batch:
            try:
                state = CaseState.model_validate(document)
            except ValidationError:
                # Not a case document (a row written by hand): held by its center, nothing due.
                columns.append({**_EMPTY, "key": case_id, "holder_id": center_id})
                side.setdefault(relations, []).extend(
                    {
                        "case_id": case_id,
                        "org_id": center_id,
                        "relation": relation,
                        "reach": relation == "holder",
                        **dict(zip(_LISTED, listed, strict=True)),
                    }
                    for relation in ("holder", "registrar")
                    if center_id is not None
                )
                continue
            columns.append(
                {
                    "key": case_id,
                    "holder_id": state.holder_id,
                    "incoming_id": state.incoming_id,
                    "reporter_id": state.reporter_id,
                    "grid_code": state.grid_code,
                }
            )
            for table, rows in case_rows(state):
                side.setdefault(table, []).extend(rows)
        bind.execute(update, columns)
        for table, rows in side.items():
            if rows:
                # Only the columns this revision created (later revisions add their own and
                # backfill them: 0020's due_rank).
                created = [c for c in table.c if c.name not in _LATER_COLUMNS]
                bind.execute(
                    sa.insert(sa.table(table.name, *(sa.column(c.name) for c in created))),
                    [{c.name: row[c.name] for c in created} for row in rows],
                )
        last = batch[-1][0]


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
