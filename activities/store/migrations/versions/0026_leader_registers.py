"""the leaders' registers: 领导接访 logs and the cases registered from them

``leader_receptions`` holds each reception a leader records (the day, the place, the receiving
organisation, the visitors); ``reception_cases`` links it to the cases registered from it (the
case's own registration event names the reception too). Nothing existed before this revision,
so there is nothing to fill. The reception log lists by the leader's area and day.

Revision ID: 0026
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0026"
down_revision = "0021"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "leader_receptions",
        sa.Column("reception_id", sa.String(32), primary_key=True),
        sa.Column("leader_user_id", sa.String(64), nullable=False),
        sa.Column("leader_name", sa.String(100), nullable=False),
        sa.Column("leader_title", sa.String(200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("org_name", sa.String(200), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("visitors", _JSON, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_leader_receptions_area_day", "leader_receptions", ["jurisdiction_code", "received_on"]
    )
    op.create_index(
        "ix_leader_receptions_leader", "leader_receptions", ["leader_user_id", "received_on"]
    )
    op.create_table(
        "reception_cases",
        sa.Column("reception_id", sa.String(32), primary_key=True),
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reception_cases")
    op.drop_index("ix_leader_receptions_leader", "leader_receptions")
    op.drop_index("ix_leader_receptions_area_day", "leader_receptions")
    op.drop_table("leader_receptions")
