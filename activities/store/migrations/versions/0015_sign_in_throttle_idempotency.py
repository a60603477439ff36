"""sign-in throttle counts and idempotency keys bound to their user and request

``sign_in_throttle`` counts failed console sign-ins per account at an address, per address and
per account (SHA-256 subjects, instants in epoch milliseconds so one atomic upsert counts an
attempt and sets its delay on PostgreSQL and SQLite alike). ``idempotency_keys`` binds each
caller's Idempotency-Key (scoped to the user) to the hash of the request it first came with.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Millis = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("blocked_until_ms", Millis, nullable=False, server_default="0"),
        sa.Column("updated_ms", Millis, nullable=False, server_default="0"),
    )
    op.create_index("ix_sign_in_throttle_account", "sign_in_throttle", ["account"])
    op.create_table(
        "idempotency_keys",
        sa.Column("scoped_key", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_index("ix_sign_in_throttle_account", table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
