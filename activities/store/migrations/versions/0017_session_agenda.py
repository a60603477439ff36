"""调解日程 and the console user's roster entry

``session_agenda`` holds each session booked ahead on a case (调解会排期), rewritten with the
case by the projection like the other side tables; no case booked a session before this
revision, so there is nothing to fill. ``users.mediator_id`` links a console account to its
entry in the roster (调解员名册), so a mediator can pick herself; a plain ADD COLUMN (SQLite
too), without a foreign key: a batch rebuild of ``users`` would trip the keys other tables hold
on it, and the registry checks the entry when an administrator links it.

Revision ID: 0017
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_agenda",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("schedule_no", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.String(64), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mediators", sa.String(1000), nullable=False),
        sa.Column("mediator_ids", sa.String(1000), nullable=True),
        sa.Column("parties", sa.Integer(), nullable=False),
        sa.Column("postponed", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
    )
    op.create_index("ix_session_agenda_org_starts", "session_agenda", ["org_id", "starts_at"])
    op.create_index("ix_session_agenda_starts", "session_agenda", ["starts_at"])
    op.add_column("users", sa.Column("mediator_id", sa.String(64), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN on both stores (SQLite 3.35+): no rebuild of ``users``.
    op.execute("ALTER TABLE users DROP COLUMN mediator_id")
    op.drop_index("ix_session_agenda_starts", "session_agenda")
    op.drop_index("ix_session_agenda_org_starts", "session_agenda")
    op.drop_table("session_agenda")
