"""case_events written inside the workflow task: an attempt that never became history is set aside

Since ``local-projection-v1`` a case's events reach the store from inside the workflow task that
decided them (a local activity), before Temporal has made that task durable. A task that is then
lost (its worker killed, its speculative task dropped by a restarting server) is decided again,
at a later moment; its first attempt's events must leave the chain, and they must not vanish.

- ``case_events.history_length``: the length of the workflow's history when the batch was decided
  (NULL for batches of regular activities, which only durable tasks schedule). A later attempt
  is never shorter, so an attempt still running after its task was lost cannot displace it.
- ``case_events_superseded``: append-only; every row taken out of the chain, as it was, with when.
- A row of ``case_events`` may now be deleted, and only once the same row (case, seq, hash) is in
  ``case_events_superseded``: the database refuses any other DELETE. UPDATE and TRUNCATE stay
  refused. The application's role is granted DELETE on ``case_events`` for this (``grants``).

Revision ID: 0031
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from activities.store.migrations.append_only import forbid_changes

revision = "0031"
down_revision = "0025"
branch_labels = None
depends_on = None

JsonDocument = sa.JSON().with_variant(JSONB(), "postgresql")
EventId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_ARCHIVED = (
    "EXISTS (SELECT 1 FROM case_events_superseded s WHERE s.case_id = OLD.case_id "
    "AND s.seq = OLD.seq AND s.hash = OLD.hash)"
)

_DELETE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION fengqiao_case_events_delete() RETURNS trigger AS $$
BEGIN
    IF NOT {_ARCHIVED} THEN
        RAISE EXCEPTION 'case_events is append-only: DELETE refused (只允许追加，不得修改或删除)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql
"""


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    op.add_column("case_events", sa.Column("history_length", sa.Integer(), nullable=True))
    op.create_table(
        "case_events_superseded",
        sa.Column("id", EventId, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("command_id", sa.String(128), nullable=False),
        sa.Column("payload", JsonDocument, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("history_length", sa.Integer(), nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column(
            "superseded_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
    )
    op.create_index("ix_case_events_superseded_case", "case_events_superseded", ["case_id", "seq"])
    forbid_changes("case_events_superseded")
    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS case_events_append_only ON case_events")
        op.execute(
            "CREATE TRIGGER case_events_append_only BEFORE UPDATE OR TRUNCATE ON case_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION fengqiao_append_only()"
        )
        op.execute(_DELETE_FUNCTION)
        op.execute(
            "CREATE TRIGGER case_events_delete_superseded BEFORE DELETE ON case_events "
            "FOR EACH ROW EXECUTE FUNCTION fengqiao_case_events_delete()"
        )
        return
    op.execute("DROP TRIGGER IF EXISTS case_events_no_delete")
    op.execute(
        "CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events "
        f"WHEN NOT {_ARCHIVED} "
        "BEGIN SELECT RAISE(ABORT, 'case_events is append-only: DELETE refused'); END"
    )


def downgrade() -> None:
    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS case_events_delete_superseded ON case_events")
        op.execute("DROP FUNCTION IF EXISTS fengqiao_case_events_delete()")
        op.execute("DROP TRIGGER IF EXISTS case_events_append_only ON case_events")
        forbid_changes("case_events")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_events_no_delete")
        op.execute(
            "CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events "
            "BEGIN SELECT RAISE(ABORT, 'case_events is append-only: DELETE refused'); END"
        )
    op.drop_table("case_events_superseded")
    op.execute("ALTER TABLE case_events DROP COLUMN history_length")
