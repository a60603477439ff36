"""case_people: who works an open case, by id, for 我的在办

我的在办 (``GET /v1/cases?holding=mine``) matched a name inside ``cases.persons``
(``LIKE '%|王芳|%'``), which no index serves: 394 ms at 100k cases, a scan of every case in
reach. ``case_people`` holds one row per person of an open case by id — ``user:<user id>`` for a
责任人 or 包案领导 chosen from the users, ``roster:<mediator id>`` for a mediator chosen from
the roster — indexed by ``(person_key, case_id)``, so the list starts from the caller's own
rows. Rows of existing open cases are filled in from their stored documents, 500 at a time, by a
frozen copy of the rule of this revision (plain JSON, not the live models). Same schema on
PostgreSQL and SQLite.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_BATCH = 500
_ENDED = ("closed", "withdrawn")


def upgrade() -> None:
    op.create_table(
        "case_people",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("person_key", sa.String(80), primary_key=True),
    )
    op.create_index("ix_case_people_key", "case_people", ["person_key", "case_id"])
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_case_people_key", table_name="case_people")
    op.drop_table("case_people")


def _last(document: dict[str, Any], key: str) -> dict[str, Any]:
    values = document.get(key) or []
    last = values[-1] if values else None
    return last if isinstance(last, dict) else {}


def person_keys(document: dict[str, Any]) -> list[str]:
    """Frozen copy of ``domain.case.list_columns.person_keys`` (revision 0022)."""
    if document.get("stage") in _ENDED:
        return []
    keys: list[str] = []
    if person := _last(document, "plans").get("responsible_person_id"):
        keys.append(f"user:{person}")
    keys.extend(
        f"roster:{m}" for m in _last(document, "mediation_rounds").get("mediator_ids") or []
    )
    if leader := _last(document, "package_leaders").get("leader_id"):
        keys.append(f"user:{leader}")
    return list(dict.fromkeys(keys))


def _backfill(bind: sa.Connection) -> None:
    cases = sa.table("cases", sa.column("case_id", sa.String), sa.column("state", sa.JSON))
    people = sa.table(
        "case_people", sa.column("case_id", sa.String), sa.column("person_key", sa.String)
    )
    last = ""
    while True:
        batch = bind.execute(
            sa.select(cases.c.case_id, cases.c.state)
            .where(cases.c.case_id > last)
            .order_by(cases.c.case_id)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        rows = [
            {"case_id": case_id, "person_key": key}
            for case_id, document in batch
            for key in person_keys(document if isinstance(document, dict) else {})
        ]
        if rows:
            bind.execute(people.insert(), rows)
        last = batch[-1][0]
