"""console sign-in: users' password hashes and lock-out, server-side sessions, sign-in events

Users get an argon2id ``password_hash`` (NULL: no password; the user signs in through the
identity provider or with an API key only), the count of consecutive failed sign-ins and the
instant a lock-out ends. ``console_sessions`` holds the SHA-256 of each session token (the token
itself only ever lives in the browser's cookie) with the form token (CSRF) of that session and its
idle and absolute expiry. ``sign_in_events`` records each sign-in, failure and lock-out.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EventId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.user_id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_console_sessions_user", "console_sessions", ["user_id"])
    op.create_table(
        "sign_in_events",
        sa.Column("id", EventId, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("remote", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("ix_sign_in_events_user", "sign_in_events", ["user_id", "at"])


def downgrade() -> None:
    op.drop_table("sign_in_events")
    op.drop_table("console_sessions")
    # SQLite drops a column by rebuilding the table, refused while api_keys rows point at users
    # (foreign keys enforced): those rows wait aside meanwhile, as in 0009.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE _api_keys_aside AS SELECT * FROM api_keys")
        op.execute("DELETE FROM api_keys")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
        batch.drop_column("password_hash")
    if sqlite:
        op.execute("INSERT INTO api_keys SELECT * FROM _api_keys_aside")
        op.execute("DROP TABLE _api_keys_aside")
