"""三员分立: the administration trail, requests a second administrator approves, one-time links

``admin_trail`` (管理留痕) records every administrative act, hash-chained like the case events and
append-only (the same triggers as ``case_events``); ``prev_hash`` is unique so the chain cannot
fork. ``credential_requests`` holds what one administrator asked and another approved or refused;
``one_time_links`` the SHA-256 of each link a user redeems to set their own password.
``users.must_change_password`` marks a password someone else set (the command line).

Existing system administrators stay system administrators: they keep the registry and the alert
recipients and lose the user directory, which passes to security administrators (安全管理员),
the first ones added at the command line by whoever holds the database. Nobody gains a power
by the upgrade; the trail's first entry says so and names the system administrators found.

Revision ID: 0014
Revises: 0012
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from activities.store.migrations.append_only import create_forbid_function, forbid_changes
from activities.store.migrations.frozen import GENESIS_HASH, ROLE_MODEL_SPLIT, trail_hash

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

JsonDocument = sa.JSON().with_variant(JSONB(), "postgresql")
EventId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite too): a batch rebuild of ``users`` would trip the foreign keys
    # that api_keys and console_sessions hold on it.
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    trail = op.create_table(
        "admin_trail",
        sa.Column("id", EventId, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("actor_role", sa.String(24), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(64), nullable=False, server_default=""),
        sa.Column("details", JsonDocument, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    create_forbid_function()
    forbid_changes("admin_trail")
    op.create_table(
        "credential_requests",
        sa.Column("request_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("target_user_id", sa.String(64), nullable=False),
        sa.Column("new_user", JsonDocument, nullable=True),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_by_name", sa.String(100), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_credential_requests_status", "credential_requests", ["status", "opened_at"])
    op.create_table(
        "one_time_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_one_time_links_user_id", "one_time_links", ["user_id"])
    admins = [
        row[0]
        for row in op.get_bind().execute(
            sa.text("SELECT user_id FROM users WHERE role = 'system_admin' ORDER BY user_id")
        )
    ]
    at = datetime.now(UTC)
    details = {
        "说明": "三员分立：用户与密钥改由安全管理员管理，系统管理员保留单位名录和督办接收人",
        "system_admins": "、".join(admins) or "—",
    }
    entry = {
        "actor_id": "migration-0014",
        "actor_name": "升级程序",
        "actor_role": "system",
        "action": ROLE_MODEL_SPLIT,
        "target": "",
    }
    sealed = trail_hash(GENESIS_HASH, at=at, details=details, **entry)
    op.bulk_insert(
        trail,
        [{**entry, "at": at, "details": details, "prev_hash": GENESIS_HASH, "hash": sealed}],
    )


def downgrade() -> None:
    op.drop_table("one_time_links")
    op.drop_table("credential_requests")
    op.drop_table("admin_trail")
    # SQLite drops a column by rebuilding the table, refused while rows point at users (foreign
    # keys enforced): those rows wait aside meanwhile, as in 0011.
    sqlite = op.get_bind().dialect.name == "sqlite"
    aside = ("api_keys", "console_sessions")
    if sqlite:
        for table in aside:
            op.execute(f"CREATE TEMPORARY TABLE _{table}_aside AS SELECT * FROM {table}")
            op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
    if sqlite:
        for table in aside:
            op.execute(f"INSERT INTO {table} SELECT * FROM _{table}_aside")
            op.execute(f"DROP TABLE _{table}_aside")
