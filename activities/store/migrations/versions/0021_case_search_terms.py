"""search terms of every case (检索), indexed for Chinese on PostgreSQL

``cases`` gains ``search_terms``: the words a case is found by (``domain.case.search``): the case
number and its tails, party names, the digits a masked phone or ID number shows, the masked
title and description as Chinese characters and character pairs, and keyed hashes (HMAC-SHA-256
with the deployment's search key, ``FENGQIAO_SEARCH_KEY``) of whole phone and ID numbers. On
PostgreSQL a GIN index over ``array_to_tsvector(string_to_array(search_terms, ' '))`` serves the
search box. Existing cases are filled in here, 500 at a time, by a frozen copy of the term rules
of this revision (a later change of the rules must not rewrite what this migration wrote); the
projection writes the column from then on.

Revision ID: 0021
Revises: 0013
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from alembic import op

from activities.runtime.settings import Settings

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_BATCH = 500
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ALNUM = re.compile(r"[0-9a-z]+")
_SEP = r"[-\u2010-\u2015 \t\u00a0\u3000.]"
# Whole numbers written in free text: an ID whole or 6-8-4, a mobile (with +86) whole or 3-4-4,
# a landline with its area code set apart (the forms revision 0016's masking knows).
_NUMBERS = re.compile(
    rf"(?<![0-9A-Za-z])\d{{17}}[0-9Xx](?![0-9A-Za-z])"
    rf"|(?<![0-9A-Za-z])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[0-9Xx](?![0-9A-Za-z])"
    rf"|(?<!\d)(?:(?:\+|00)?86{_SEP}?)?1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}(?!\d)"
    rf"|(?<!\d)0\d{{2,3}}{_SEP}[2-9]\d{{2,3}}{_SEP}?\d{{4}}(?!\d)"
)


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _tokens(text: str) -> set[str]:
    tokens: set[str] = set()
    for run in _RUN.findall(_normalised(text)):
        if _CJK.match(run):
            tokens.update(run)
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.add(run)
    return tokens


def _digits(value: str) -> str:
    digits = "".join(ch for ch in _normalised(value) if ch.isdigit() or ch == "x").upper()
    for code in ("0086", "86"):
        if len(digits) == 11 + len(code) and digits.startswith(code + "1"):
            return digits[len(code) :]
    return digits


def _hash(digits: str, key: bytes) -> str:
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()[:24]


def _phone_shown(value: str) -> list[str]:
    digits = value.replace("-", "")
    return [] if len(digits) <= 7 else [digits[:3], digits[-4:]]


def _id_shown(value: str) -> list[str]:
    return [] if len(value) <= 8 else [value[:4].lower(), value[-4:].lower()]


def terms(row: Any, key: bytes) -> str:
    state = row.state if isinstance(row.state, dict) else json.loads(row.state or "{}")
    found: set[str] = set()
    number = "".join(_ALNUM.findall(_normalised(row.case_id)))
    found.add("N_" + number)
    found.update("n_" + number[i:] for i in range(1, len(number) - 3 + 1))
    parties = [
        person
        for side in ("applicants", "respondents", "third_parties")
        for party in state.get(side) or []
        for person in (party, *(party.get("representatives") or []))
    ]
    for party in parties:
        found.update("p_" + token for token in _tokens(party.get("name") or ""))
        phone, id_number = party.get("phone"), party.get("id_number")
        if phone:
            found.update("f_" + part for part in _phone_shown(phone))
        if id_number:
            found.update("i_" + part for part in _id_shown(id_number))
        found.update("h_" + _hash(_digits(value), key) for value in (phone, id_number) if value)
    for field, masked, clear in (
        ("t", row.masked_title, row.title),
        ("d", row.masked_description, row.description),
    ):
        found.update(f"{field}_{token}" for token in _tokens(masked or ""))
        found.update(f"h{field}_{_hash(_digits(m), key)}" for m in _NUMBERS.findall(clear or ""))
    return " ".join(sorted(found))


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("search_terms", sa.Text(), nullable=True))
    connection = op.get_bind()
    key = Settings().search_hash_key
    cases = sa.table(
        "cases",
        *(sa.column(name) for name in ("case_id", "title", "description", "state")),
        sa.column("masked_title"),
        sa.column("masked_description"),
        sa.column("search_terms"),
    )
    update = (
        cases.update()
        .where(cases.c.case_id == sa.bindparam("key"))
        .values(search_terms=sa.bindparam("terms"))
    )
    after = ""
    while True:
        rows = connection.execute(
            sa.select(
                cases.c.case_id,
                cases.c.title,
                cases.c.description,
                cases.c.masked_title,
                cases.c.masked_description,
                cases.c.state,
            )
            .where(cases.c.case_id > after)
            .order_by(cases.c.case_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(update, [{"key": r.case_id, "terms": terms(r, key)} for r in rows])
        after = rows[-1].case_id
    if connection.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_cases_search_terms ON cases "
            "USING gin (array_to_tsvector(string_to_array(search_terms, ' ')))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_cases_search_terms", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("search_terms")
