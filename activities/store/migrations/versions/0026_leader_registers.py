"""the leaders' registers: 领导接访 logs and their cases, 约谈/通报 records, 重点人员

``leader_receptions`` holds each reception a leader records (the day, the place, the receiving
organisation, the visitors); ``reception_cases`` links it to the cases registered from it (the
case's own registration event names the reception too). ``accountability_records`` holds each
约谈 or 通报, append-only like ``case_events`` (a correction is a new row naming the one it
corrects). ``watched_persons`` is the 重点人员 register: a person by the keyed hash of their ID
number (unique; the number itself is never stored, only its masked form) and by the same-party
key ``case_parties`` uses, which finds their cases. Nothing existed before this revision, so
there is nothing to fill. The registers list by area (and day); accountability records are also
found by case (the case page and the dossier).

Revision ID: 0026
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from activities.store.migrations.append_only import (
    allow_changes,
    create_forbid_function,
    forbid_changes,
)

revision = "0026"
down_revision = "0023"
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
    op.create_table(
        "accountability_records",
        sa.Column("record_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("org_name", sa.String(200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("person_name", sa.String(100), nullable=True),
        sa.Column("person_user_id", sa.String(64), nullable=True),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("corrects", sa.String(32), nullable=True),
        sa.Column("by_user_id", sa.String(64), nullable=False),
        sa.Column("by_name", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_accountability_area_day", "accountability_records", ["jurisdiction_code", "held_on"]
    )
    op.create_index("ix_accountability_case", "accountability_records", ["case_id"])
    create_forbid_function()
    forbid_changes("accountability_records")
    op.create_table(
        "watched_persons",
        sa.Column("watched_id", sa.String(32), primary_key=True),
        sa.Column("lookup_key", sa.String(64), nullable=False, unique=True),
        sa.Column("party_key", sa.String(64), nullable=False),
        sa.Column("id_masked", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("person_type", sa.String(32), nullable=False),
        sa.Column("grade", sa.String(32), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("minder_user_id", sa.String(64), nullable=False),
        sa.Column("minder_name", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_watched_persons_party_key", "watched_persons", ["party_key"])
    op.create_index(
        "ix_watched_persons_jurisdiction_code", "watched_persons", ["jurisdiction_code"]
    )


def downgrade() -> None:
    op.drop_table("watched_persons")
    allow_changes("accountability_records")
    op.drop_table("accountability_records")
    op.drop_table("reception_cases")
    op.drop_index("ix_leader_receptions_leader", "leader_receptions")
    op.drop_index("ix_leader_receptions_area_day", "leader_receptions")
    op.drop_table("leader_receptions")
