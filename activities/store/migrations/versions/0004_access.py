"""users, API keys, the access trail (append-only), cases.center_id

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from activities.store.migrations.append_only import create_forbid_function, forbid_changes

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JsonDocument = sa.JSON().with_variant(JSONB(), "postgresql")
EventId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=True),
        sa.Column("center_id", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("users.user_id"), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False, server_default=""),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_keys_user", "api_keys", ["user_id"])
    op.create_table(
        "access_trail",
        sa.Column("id", EventId, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("principal_id", sa.String(64), nullable=False),
        sa.Column("principal_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("fields", JsonDocument, nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
    )
    op.create_index("ix_access_trail_case", "access_trail", ["case_id", "at"])
    op.create_index("ix_access_trail_jurisdiction", "access_trail", ["jurisdiction_code", "at"])
    create_forbid_function()
    forbid_changes("access_trail")
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("center_id", sa.String(64), nullable=True))
    op.create_index("ix_cases_center", "cases", ["center_id"])


def downgrade() -> None:
    op.drop_index("ix_cases_center", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("center_id")
    op.drop_table("access_trail")
    op.drop_table("api_keys")
    op.drop_table("users")
