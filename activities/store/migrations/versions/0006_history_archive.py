"""history_archives: every closed CaseWorkflow run's Temporal history, kept for good (append-only)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from activities.store.migrations.append_only import forbid_changes

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "history_archives",
        sa.Column("workflow_id", sa.String(64), primary_key=True),
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column(
            "archived_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        # WorkflowHistory.to_json() as Temporal gave it: Text, not JSON, so it stays byte-exact.
        sa.Column("history", sa.Text(), nullable=False),
    )
    op.create_index("ix_history_archives_closed", "history_archives", ["closed_at"])
    forbid_changes("history_archives")


def downgrade() -> None:
    # Dropping the table drops its triggers with it.
    op.drop_index("ix_history_archives_closed", table_name="history_archives")
    op.drop_table("history_archives")
