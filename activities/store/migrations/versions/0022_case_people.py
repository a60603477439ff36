"""case_people: who works an open case, by id, for 我的在办

我的在办 (``GET /v1/cases?holding=mine``) matched a name inside ``cases.persons``
(``LIKE '%|王芳|%'``), which no index serves: 155–255 ms a page at 100k cases (``bench.mine``),
a scan of every case in reach. ``case_people`` holds one row per person of an open case by id —
``user:<user id>`` for a 责任人 or 包案领导 chosen from the users, ``roster:<mediator id>`` for
a mediator chosen from the roster — indexed by ``(person_key, case_id)``, so the list starts from
the caller's own rows (6–12 ms). The rows are derived: this revision only makes the table, and
``fengqiao migrate`` fills it for the stored cases with the projection's own code
(``read_model.READ_MODEL_VERSION`` 2, ``read_model_rebuild``). Same schema on PostgreSQL and
SQLite.

Revision ID: 0022
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_people",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("person_key", sa.String(80), primary_key=True),
    )
    op.create_index("ix_case_people_key", "case_people", ["person_key", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_people_key", table_name="case_people")
    op.drop_table("case_people")
