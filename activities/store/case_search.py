"""案件检索: the ``q`` of the case list, over ``cases.search_terms`` (``domain.case.search``).

A query is asked rank by rank (exact number, a party, a number's tail, the title, the
description), each rank excluding the cases an earlier rank found, newest first within a rank.
On PostgreSQL the words are posted in ``case_search_terms`` and a search walks its rarest
word's postings newest first (``search_postings``); Chinese is indexed as character pairs (and
a name's or title's single characters), so two-character words (鱼塘, 工资) are whole index
keys. SQLite (one office) scans the column, rank by rank.

Readers who may not reveal personal data are given no keyed-hash terms to ask for, so they find
only what the masked list shows; how each hit of a page was found (its rank, the personal data
it matched for the access trail, the masked part of it its list line shows) is asked here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, false, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from activities.store import search_postings
from activities.store.tables import CaseRow
from domain.case.search import PARTY_RANK, SearchPlan, hit_snippet, personal_fields, rank_of

Clauses = tuple[tuple[str, ...], ...]
# Every term is a field prefix, an underscore and Chinese characters, lower-case letters and
# digits, or hex: safe to write into the statement (a changing literal also keeps PostgreSQL
# planning each search for its own words, never a generic plan).
_SAFE_TERM = re.compile(r"^[A-Za-z]{1,2}_[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


class TermsMatch(ColumnElement[bool]):
    """The case's terms satisfy one of ``include`` and none of ``exclude`` (each a set of
    clauses: all must hold, a clause holds when any of its terms is present)."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, include: Sequence[Clauses], exclude: Sequence[Clauses] = ()) -> None:
        for clauses in (*include, *exclude):
            for clause in clauses:
                for term in clause:
                    if not _SAFE_TERM.match(term):
                        raise ValueError(f"not a search term: {term!r}")
        self.include = tuple(include)
        self.exclude = tuple(exclude)


def _tsquery(alternatives: Sequence[Clauses]) -> str:
    return " | ".join(
        "(" + " & ".join("(" + " | ".join(f"'{t}'" for t in clause) + ")" for clause in c) + ")"
        for c in alternatives
    )


@compiles(TermsMatch, "postgresql")
def _terms_match_postgresql(element: TermsMatch, compiler: Any, **kw: Any) -> str:
    column = compiler.process(CaseRow.search_terms, **kw)
    query = f"({_tsquery(element.include)})"
    if element.exclude:
        query += f" & !({_tsquery(element.exclude)})"
    literal = query.replace("'", "''")
    return f"array_to_tsvector(string_to_array({column}, ' ')) @@ '{literal}'::tsquery"


def _contains_sql(column: str, alternatives: Sequence[Clauses]) -> str:
    def term(t: str) -> str:
        return f"instr(' ' || {column} || ' ', ' {t} ') > 0"

    return " OR ".join(
        "(" + " AND ".join("(" + " OR ".join(term(t) for t in clause) + ")" for clause in c) + ")"
        for c in alternatives
    )


@compiles(TermsMatch)
def _terms_match_default(element: TermsMatch, compiler: Any, **kw: Any) -> str:
    column = compiler.process(CaseRow.search_terms, **kw)
    found = f"coalesce({_contains_sql(column, element.include)}, 0)"
    if element.exclude:
        found += f" AND NOT coalesce({_contains_sql(column, element.exclude)}, 0)"
    return f"({found})"


def rank_condition(plan: SearchPlan, rank_index: int) -> TermsMatch:
    """The cases the plan's ``rank_index``-th rank finds and no earlier rank does."""
    earlier = [alt for search in plan.classes[:rank_index] for alt in search.alternatives]
    return TermsMatch(plan.classes[rank_index].alternatives, earlier)


class AnyMatch(ColumnElement[bool]):
    """The cases any rank of ``plan`` finds: on PostgreSQL those its words are posted for
    (``search_postings``), elsewhere those whose terms hold them."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, plan: SearchPlan) -> None:
        self.plan = plan
        self.terms = TermsMatch([alt for search in plan.classes for alt in search.alternatives])


@compiles(AnyMatch, "postgresql")
def _any_match_postgresql(element: AnyMatch, compiler: Any, **kw: Any) -> str:
    for term in search_postings.plan_terms(element.plan):
        if not _SAFE_TERM.match(term):
            raise ValueError(f"not a search term: {term!r}")
    condition = CaseRow.case_id.in_(search_postings.matching_ids(element.plan))
    return str(compiler.process(condition, **kw))


@compiles(AnyMatch)
def _any_match_default(element: AnyMatch, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.terms, **kw))


def any_condition(plan: SearchPlan) -> ColumnElement[bool]:
    """The cases any rank of the plan finds (counts); none for a query of nothing searchable."""
    if plan.empty:
        return false()
    return AnyMatch(plan)


@dataclass(frozen=True)
class SearchHit:
    """How a case of a search page was found: its rank, the personal data it matched (for the
    access trail) and what its list line shows of the hit (masked)."""

    case_id: str
    jurisdiction_code: str
    rank: int | None
    personal_fields: tuple[str, ...]
    snippet: str | None


_SIDES = ("applicants", "respondents", "third_parties")


def _people(side: str, found: Any) -> list[tuple[str, str, str | None, str | None]]:
    listed = found if isinstance(found, list) else json.loads(found or "[]")
    people: list[tuple[str, str, str | None, str | None]] = []
    for party in listed or []:
        people.append(
            (side, str(party.get("name") or ""), party.get("phone"), party.get("id_number"))
        )
        people.extend(
            ("representatives", str(p.get("name") or ""), p.get("phone"), p.get("id_number"))
            for p in party.get("representatives") or []
        )
    return people


async def _parties(
    case_ids: list[str], session: AsyncSession
) -> dict[str, list[tuple[str, str, str | None, str | None]]]:
    """The parties of the cases found through a party (only those lists of the document)."""
    if not case_ids:
        return {}
    rows = await session.execute(
        select(CaseRow.case_id, *(CaseRow.state[side] for side in _SIDES)).where(
            CaseRow.case_id.in_(case_ids)
        )
    )
    return {
        row[0]: [
            person
            for side, listed in zip(_SIDES, row[1:], strict=True)
            for person in _people(side, listed)
        ]
        for row in rows
    }


async def search_hits(
    case_ids: Sequence[str], plan: SearchPlan, *, key: bytes | None, session: AsyncSession
) -> dict[str, SearchHit]:
    """How each of ``case_ids`` (a page found by ``plan``) was found."""
    if not case_ids or plan.empty:
        return {}
    rows = list(
        await session.execute(
            select(
                CaseRow.case_id,
                CaseRow.jurisdiction_code,
                CaseRow.search_terms,
                CaseRow.masked_description,
            ).where(CaseRow.case_id.in_(list(case_ids)))
        )
    )
    ranks = {row.case_id: rank_of(row.search_terms or "", plan) for row in rows}
    parties = await _parties([case for case, rank in ranks.items() if rank == PARTY_RANK], session)
    hits: dict[str, SearchHit] = {}
    for row in rows:
        rank = ranks[row.case_id]
        snippet = (
            None
            if rank is None
            else hit_snippet(
                rank,
                plan,
                parties=parties.get(row.case_id, []),
                masked_description=row.masked_description or "",
                key=key,
            )
        )
        hits[row.case_id] = SearchHit(
            row.case_id,
            row.jurisdiction_code,
            rank,
            personal_fields(row.search_terms or "", plan),
            snippet,
        )
    return hits
