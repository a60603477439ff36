"""the search index as postings (检索索引): a term's cases newest first, for a million cases

``case_search_terms``: one row per case and index term (``domain.case.search_index``: the
words of ``cases.search_terms`` as they are, a phone's and an ID's shown digits posted as a
party's, a description's single Chinese characters left out), with the case's registration and
jurisdiction; its primary key ``(term, registered_at, case_id) INCLUDE (jurisdiction_code)``
gives each term's cases in recency order, so a search reads the first page of its rarest
word's postings instead of every match (the GIN index of revision 0021 answered a common word
with all its cases to sort, and a missing one by walking the store: it is dropped).

PostgreSQL only (SQLite, one office, keeps scanning ``cases.search_terms``): the rows are
filled here from the stored terms in one statement, the key built after; the projection keeps
them from then on. The keyed hashes stay as keyed as in ``cases.search_terms``.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# The frozen rule of this revision (``domain.case.search_index.postings``) in SQL: f_ and i_
# become p_, a description's lone Chinese character and any word over 100 characters are left
# out.
_FILL = r"""
INSERT INTO case_search_terms (term, registered_at, case_id, jurisdiction_code)
SELECT p.term, c.registered_at, c.case_id, c.jurisdiction_code
FROM cases AS c,
     LATERAL (SELECT DISTINCT regexp_replace(w.word, '^[fi]_', 'p_') AS term
              FROM unnest(string_to_array(c.search_terms, ' ')) AS w(word)
              WHERE w.word <> '' AND length(w.word) <= 100
                AND w.word !~ '^d_[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$') AS p
"""


def upgrade() -> None:
    columns = (
        sa.Column("term", sa.String(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("jurisdiction_code", sa.String(12), nullable=False),
    )
    if op.get_bind().dialect.name != "postgresql":
        key = sa.PrimaryKeyConstraint("term", "registered_at", "case_id")
        op.create_table("case_search_terms", *columns, key)
        return
    op.create_table("case_search_terms", *columns)
    op.execute("DROP INDEX IF EXISTS ix_cases_search_terms")
    op.execute("SET LOCAL maintenance_work_mem = '512MB'")
    op.execute(_FILL)
    # The key built after the rows are in (one sort, not a million inserts into a b-tree).
    op.execute(
        "ALTER TABLE case_search_terms ADD CONSTRAINT pk_case_search_terms "
        "PRIMARY KEY (term, registered_at, case_id) INCLUDE (jurisdiction_code)"
    )


def downgrade() -> None:
    op.drop_table("case_search_terms")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_cases_search_terms ON cases "
            "USING gin (array_to_tsvector(string_to_array(search_terms, ' ')))"
        )
