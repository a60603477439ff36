"""case_events as a hash chain (prev_hash, hash), append-only in the database itself

Revision ID: 0005
Revises: 0004
"""

from datetime import UTC

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

# The chain's definition itself, not a copy: the backfilled hashes must be the ones the audit
# recomputes. The canonical form is a permanent contract: changing it breaks every stored chain.
from activities.store.migrations.append_only import allow_changes, forbid_changes
from activities.store.migrations.frozen import GENESIS_HASH, canonical_event, event_hash

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JsonDocument = sa.JSON().with_variant(JSONB(), "postgresql")
BACKFILL_BATCH = 1_000


_events = sa.table(
    "case_events",
    sa.column("id", sa.BigInteger()),
    sa.column("case_id", sa.String()),
    sa.column("seq", sa.Integer()),
    sa.column("type", sa.String()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("command_id", sa.String()),
    sa.column("payload", JsonDocument),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _backfill() -> None:
    """Chain the events already stored, case by case in seq order, with the application's hash.

    Read in keyset pages (bounded memory, no cursor held open across the updates). The chain
    takes the rows as they are: a gap already in the data stays visible to the audit.
    """
    bind = op.get_bind()
    update = (
        sa.update(_events)
        .where(_events.c.id == sa.bindparam("row_id"))
        .values(prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash"))
    )
    query = sa.select(
        _events.c.id,
        _events.c.case_id,
        _events.c.seq,
        _events.c.type,
        _events.c.occurred_at,
        _events.c.actor,
        _events.c.command_id,
        _events.c.payload,
    ).order_by(_events.c.case_id, _events.c.seq)
    case_id: str | None = None
    prev = GENESIS_HASH
    after: tuple[str, int] | None = None
    while True:
        page = (
            query
            if after is None
            else query.where(sa.tuple_(_events.c.case_id, _events.c.seq) > sa.tuple_(*after))
        )
        rows = bind.execute(page.limit(BACKFILL_BATCH)).all()
        if not rows:
            return
        sealed: list[dict[str, object]] = []
        for row in rows:
            if row.case_id != case_id:
                case_id, prev = row.case_id, GENESIS_HASH
            occurred_at = row.occurred_at
            if occurred_at.tzinfo is None:  # SQLite hands stored UTC times back naive
                occurred_at = occurred_at.replace(tzinfo=UTC)
            digest = event_hash(
                prev,
                canonical_event(
                    case_id=row.case_id,
                    seq=row.seq,
                    type=row.type,
                    occurred_at=occurred_at,
                    actor=row.actor,
                    command_id=row.command_id,
                    payload=row.payload,
                ),
            )
            sealed.append({"row_id": row.id, "new_prev": prev, "new_hash": digest})
            prev = digest
        bind.execute(update, sealed)
        after = (rows[-1].case_id, rows[-1].seq)


def upgrade() -> None:
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    _backfill()
    with op.batch_alter_table("case_events") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
    # After the SQLite batch rebuild above, which would drop triggers made before it.
    forbid_changes("case_events")


def downgrade() -> None:
    allow_changes("case_events")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
