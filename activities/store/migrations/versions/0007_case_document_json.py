"""cases.state as json, not jsonb, on PostgreSQL: the document keeps the workflow's key order

A command's answer is read back from the read model; jsonb stores an object's keys in an order of
its own, so the stored case had to be validated, re-ordered and serialised again on every answer.
json keeps the text as written (SQLite's JSON already did), so the answer is the stored document
as it is. No query reads inside the document (lists filter on their own columns).

Cases stored before this revision keep jsonb's key order until their next command rewrites them.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE cases ALTER COLUMN state TYPE json USING state::json")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE cases ALTER COLUMN state TYPE jsonb USING state::jsonb")
