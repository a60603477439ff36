"""case lists: the next deadline, the holder's name, the parties and the people of a case

``cases`` gains the columns a list line shows (``domain.case.list_columns``): ``due_rank`` (the
nearest running clock's due time, or 9999-12-31 when no clock runs, so a list by deadline
walks an index and puts cases without a clock last), ``next_due_at`` / ``next_due_name`` /
``next_due_org`` / ``next_due_org_name`` (that clock, and whose it is), ``holder_name``
(承办单位), ``persons`` (``|王芳|李四|``: 承办人, mediators, 包案领导, for 我的在办) and
``parties_label`` (``张伟 等3人``, names only). ``case_organisations`` rows carry ``due_rank``
too, so an organisation's list by deadline reads its own reach rows in order.

Existing cases are backfilled from their stored documents, 500 at a time, with a frozen copy of
the logic as it stood at this revision (plain JSON, not the live models: a later change to the
models must not change what this migration wrote).

Revision ID: 0020
Revises: 0018
"""

import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None

_BATCH = 500
_NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)
_TZ = sa.DateTime(timezone=True)
# How SQLAlchemy stores that instant on SQLite (text, UTC, no offset).
_SQLITE_NO_DUE = "'9999-12-31 00:00:00.000000'"
_COLUMNS = (
    ("due_rank", _TZ),
    ("next_due_at", _TZ),
    ("next_due_name", sa.String(200)),
    ("next_due_org", sa.String(64)),
    ("next_due_org_name", sa.String(200)),
    ("holder_name", sa.String(200)),
    ("persons", sa.String(1000)),
    ("parties_label", sa.String(300)),
)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("case_organisations") as batch:
        batch.add_column(sa.Column("due_rank", _TZ, nullable=True))
    bind = op.get_bind()
    _backfill(bind)
    # A row written without it (by hand, an older writer) has no clock: last by deadline.
    never = "'9999-12-31 00:00:00+00'" if bind.dialect.name == "postgresql" else _SQLITE_NO_DUE
    for table in ("cases", "case_organisations"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "due_rank", existing_type=_TZ, nullable=False, server_default=sa.text(never)
            )
    op.create_index("ix_cases_due", "cases", ["due_rank", "case_id"])
    op.create_index("ix_cases_holder_due", "cases", ["holder_id", "due_rank", "case_id"])
    op.create_index(
        "ix_case_organisations_due",
        "case_organisations",
        ["org_id", "due_rank", "case_id"],
        postgresql_where=sa.text("reach"),
        sqlite_where=sa.text("reach"),
    )


# -- frozen copy of domain.case.list_columns (revision 0020) ------------------------------------

_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def _scrub(text: str) -> str:
    text = _ID_IN_TEXT.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3)[-4:], text)
    return _MOBILE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _last(document: dict[str, Any], key: str) -> dict[str, Any] | None:
    values = document.get(key) or []
    return values[-1] if values else None


def _answered_by(document: dict[str, Any], clock: dict[str, Any]) -> dict[str, Any] | None:
    """签收 (TAKE) by the awaited organisation, 反馈 (A4) by the assigned department."""
    pending = document.get("pending_transfer")
    if clock.get("rule_id") == "TAKE" and pending:
        awaited: dict[str, Any] | None = pending.get("to_organisation")
        return awaited
    if clock.get("rule_id") == "A4":
        for assignment in document.get("assignments") or []:
            if assignment.get("report") is None and clock["clock_id"].endswith(
                f"-{assignment.get('assignment_no')}"
            ):
                department: dict[str, Any] | None = assignment.get("department")
                return department
    holder = document.get("holder")
    return holder if isinstance(holder, dict) else None


def list_columns(document: dict[str, Any]) -> dict[str, Any]:
    """The new columns of one stored case document."""
    holder = document.get("holder")
    running = [c for c in document.get("clocks") or [] if c.get("status") == "running"]
    nearest = min(
        running,
        key=lambda c: (
            _instant(c["schedule"]["due"]["due_at"]),
            _instant(c["started_at"]),
            c["clock_id"],
        ),
        default=None,
    )
    due_at = _instant(nearest["schedule"]["due"]["due_at"]) if nearest else None
    owner = (nearest.get("organisation") or _answered_by(document, nearest)) if nearest else None
    names: list[str] = []
    plan = _last(document, "plans")
    if plan:
        names.append(plan.get("responsible_person") or "")
    mediation = _last(document, "mediation_rounds")
    if mediation:
        names.extend(mediation.get("mediators") or [])
    leader = _last(document, "package_leaders")
    if leader:
        names.append(leader.get("leader_name") or "")
    persons = [name.replace("|", "") for name in dict.fromkeys(n for n in names if n)]
    parties = [*(document.get("applicants") or []), *(document.get("respondents") or [])]
    label = ""
    if parties:
        first = str(parties[0].get("name") or "")
        label = first if len(parties) == 1 else f"{first} 等{len(parties)}人"
    return {
        "due_rank": due_at or _NO_DUE,
        "next_due_at": due_at,
        "next_due_name": str(nearest.get("name") or "")[:200] if nearest else None,
        "next_due_org": (owner["org_id"] if owner else document.get("center_id"))
        if nearest
        else None,
        "next_due_org_name": owner.get("name") if owner else None,
        "holder_name": holder.get("name") if holder else None,
        "persons": "|" + "|".join(persons) + "|" if persons else None,
        "parties_label": _scrub(label)[:300],
    }


def _backfill(bind: sa.Connection) -> None:
    cases = sa.table(
        "cases",
        sa.column("case_id", sa.String),
        sa.column("state", sa.JSON),
        *(sa.column(name, type_) for name, type_ in _COLUMNS),
    )
    relations = sa.table(
        "case_organisations", sa.column("case_id", sa.String), sa.column("due_rank", _TZ)
    )
    update = (
        cases.update()
        .where(cases.c.case_id == sa.bindparam("key"))
        .values({name: sa.bindparam(name) for name, _ in _COLUMNS})
    )
    update_relations = (
        relations.update()
        .where(relations.c.case_id == sa.bindparam("key"))
        .values(due_rank=sa.bindparam("rank"))
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
        rows: list[dict[str, Any]] = []
        for case_id, document in batch:
            try:
                columns = list_columns(document if isinstance(document, dict) else {})
            except (KeyError, TypeError, ValueError, AttributeError):
                # Not a case document (a row written by hand): nothing due, nothing to show.
                columns = {name: None for name, _ in _COLUMNS} | {"due_rank": _NO_DUE}
            rows.append({"key": case_id, **columns})
        bind.execute(update, rows)
        bind.execute(update_relations, [{"key": r["key"], "rank": r["due_rank"]} for r in rows])
        last = batch[-1][0]


def downgrade() -> None:
    op.drop_index("ix_case_organisations_due", table_name="case_organisations")
    op.drop_index("ix_cases_holder_due", table_name="cases")
    op.drop_index("ix_cases_due", table_name="cases")
    with op.batch_alter_table("case_organisations") as batch:
        batch.drop_column("due_rank")
    with op.batch_alter_table("cases") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
