"""检索 on PostgreSQL: the search box over ``case_search_terms`` (``search_tables``).

Each term's postings come newest first from the table's key ``(term, registered_at, case_id)``.
A search asks first, in one statement, how many postings each of its terms has, counting no
further than ``CAP`` (index-only scans that stop there): a rank whose words are not all posted
is not asked at all, so a miss answers after that one statement. Each rank (and each of its
alternatives: a party's words, or a whole number's keyed hash) is then one walk of its rarest
word's postings, newest first, keeping a case when its other words are posted for it too (a
probe of the key each), it lies within the reader's reach (the posting's jurisdiction, or the
organisation's reach row) and no earlier rank found it, until the page is full. A page of
results so costs the postings walked to fill it, not the number of matches.

The projection rewrites a case's postings with the case, in its transaction: the old ones found
by the old terms (the key's probes), the new ones in one statement, and only when the terms,
the registration or the jurisdiction changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Row,
    String,
    and_,
    bindparam,
    delete,
    exists,
    insert,
    literal,
    not_,
    select,
    text,
    tuple_,
    union,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.expression import ColumnElement

from activities.store.search_tables import CaseSearchTermRow
from activities.store.sql import insert_for_dialect, like_escape, utc
from activities.store.tables import CaseOrganisationRow, CaseRow
from domain.case.search import SearchPlan
from domain.case.search_index import clause_terms, postings

CAP = 1000  # postings counted per term: enough to tell a rare word from a common one
TERMS: Any = CaseSearchTermRow.__table__
Clauses = tuple[tuple[str, ...], ...]

_COUNTS = text(
    "SELECT t.term, (SELECT count(*) FROM (SELECT 1 FROM case_search_terms AS s "
    "WHERE s.term = t.term LIMIT :cap) AS capped) AS postings "
    "FROM unnest(CAST(:terms AS varchar[])) AS t(term)"
).bindparams(bindparam("terms", type_=ARRAY(String())), bindparam("cap"))


async def capped_counts(terms: set[str], session: AsyncSession) -> dict[str, int]:
    """Each term's postings, counted up to ``CAP``."""
    if not terms:
        return {}
    rows = await session.execute(_COUNTS, {"terms": sorted(terms), "cap": CAP})
    return {term: int(count) for term, count in rows}


@dataclass(frozen=True)
class Walk:
    """One alternative of one rank: every clause (a word, as any of its terms) must be posted;
    ``driver`` the rarest clause, whose postings are walked."""

    rank_index: int
    clauses: Clauses
    driver: int
    rare: bool = True  # the driver has fewer than CAP postings


def _indexed(alternative: Clauses) -> Clauses:
    return tuple(clause_terms(clause) for clause in alternative)


def walks(plan: SearchPlan, counts: dict[str, int]) -> tuple[list[Walk], list[list[Clauses]]]:
    """The walks of a plan, rank by rank (alternatives with a word nowhere posted left out),
    and for each rank the posted alternatives of the ranks before it (what it excludes)."""
    found: list[Walk] = []
    earlier: list[list[Clauses]] = []
    before: list[Clauses] = []
    for index, search in enumerate(plan.classes):
        earlier.append(list(before))
        for alternative in search.alternatives:
            clauses = _indexed(alternative)
            sizes = [sum(counts.get(term, 0) for term in clause) for clause in clauses]
            if not clauses or min(sizes) == 0:
                continue
            found.append(Walk(index, clauses, sizes.index(min(sizes)), min(sizes) < CAP))
            before.append(clauses)
    return found, earlier


def plan_terms(plan: SearchPlan) -> set[str]:
    return {
        term
        for search in plan.classes
        for alternative in search.alternatives
        for clause in _indexed(alternative)
        for term in clause
    }


def _probe(query: Any, rare: bool) -> Any:
    """A rare word's walk probes the key for each posting: an OFFSET keeps PostgreSQL from
    turning the EXISTS into a join, which, misjudging how few postings a word has, merged its 200
    postings with a town centre's 18,000 reach rows. Between common words a merge of their
    postings (newest first, both) is left to it: it beats probing 30,000 postings one by one."""
    return query.offset(0) if rare else query


def _posted(clause: tuple[str, ...], posting: Any, rare: bool = True) -> ColumnElement[bool]:
    """The posting's case holds one of ``clause``'s terms (probes of the key)."""
    other = TERMS.alias()
    return exists(
        _probe(
            select(literal(1))
            .select_from(other)
            .where(
                other.c.term.in_(clause),
                other.c.registered_at == posting.c.registered_at,
                other.c.case_id == posting.c.case_id,
            ),
            rare,
        )
    )


def _holds(clauses: Clauses, posting: Any) -> ColumnElement[bool]:
    return and_(*(_posted(clause, posting) for clause in clauses))


@dataclass(frozen=True)
class Scope:
    """Where a search looks: ``subtrees`` (jurisdiction prefixes, checked on the posting),
    ``organisation`` (its reach rows, probed by the posting's key) and ``narrow``: the list's
    other filters over ``cases`` (None when there are none: the walk then reads the index
    alone and only the page's cases are fetched)."""

    subtrees: list[str]
    organisation: str | None
    narrow: Callable[[Any], Any] | None


def _in_reach(organisation: str, posting: Any, rare: bool) -> ColumnElement[bool]:
    """The organisation's reach row of the posting's case (an index-only probe)."""
    reach = CaseOrganisationRow
    found = select(literal(1)).where(
        reach.org_id == organisation,
        reach.reach,
        reach.registered_at == posting.c.registered_at,
        reach.case_id == posting.c.case_id,
    )
    return exists(_probe(found, rare))


def walk_query(
    walk: Walk,
    excluded: list[Clauses],
    *,
    scope: Scope,
    after: tuple[datetime, str] | None,
    limit: int,
    columns: tuple[Any, ...],
) -> Any:
    """The walk's first ``limit`` cases within ``scope``, newest first."""
    posting = TERMS.alias("posting")
    driver = walk.clauses[walk.driver]
    others = [clause for i, clause in enumerate(walk.clauses) if i != walk.driver]
    conditions = [
        posting.c.term == driver[0] if len(driver) == 1 else posting.c.term.in_(driver),
        *(_posted(clause, posting, walk.rare) for clause in others),
        *(not_(_holds(clauses, posting)) for clauses in excluded),
        *(
            posting.c.jurisdiction_code.like(like_escape(prefix) + "%", escape="\\")
            for prefix in scope.subtrees
        ),
    ]
    if after is not None:
        conditions.append(tuple_(posting.c.registered_at, posting.c.case_id) < tuple_(*after))
    order = (posting.c.registered_at.desc(), posting.c.case_id.desc())
    if scope.narrow is not None:
        query = select(*columns, posting.c.registered_at.label("due_rank")).select_from(
            posting.join(CaseRow, CaseRow.case_id == posting.c.case_id)
        )
        return scope.narrow(query).where(*conditions).order_by(*order).limit(limit)
    if scope.organisation is not None:
        conditions.append(_in_reach(scope.organisation, posting, walk.rare))
    page = (
        select(posting.c.registered_at, posting.c.case_id)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .subquery("page")
    )
    return (
        select(*columns, page.c.registered_at.label("due_rank"))
        .select_from(page.join(CaseRow, CaseRow.case_id == page.c.case_id))
        .order_by(page.c.registered_at.desc(), page.c.case_id.desc())
    )


async def search_rows(
    plan: SearchPlan,
    *,
    scope: Scope,
    start: int,
    after: tuple[datetime, str] | None,
    limit: int,
    columns: tuple[Any, ...],
    session: AsyncSession,
) -> list[tuple[int, Row[Any]]]:
    """Up to ``limit`` cases the plan finds within ``scope``, as (rank index, row): best rank
    first, newest first within a rank, from rank ``start`` after ``after`` on."""
    found, earlier = walks(plan, await capped_counts(plan_terms(plan), session))
    rows: list[tuple[int, Row[Any]]] = []
    for index in range(start, len(plan.classes)):
        position = after if index == start else None
        merged: dict[str, Row[Any]] = {}
        for walk in (walk for walk in found if walk.rank_index == index):
            query = walk_query(
                walk,
                earlier[index],
                scope=scope,
                after=position,
                limit=limit - len(rows),
                columns=columns,
            )
            for row in await session.execute(query):
                merged.setdefault(row.case_id, row)
        ordered = sorted(merged.values(), key=lambda r: (utc(r.due_rank), r.case_id), reverse=True)
        rows.extend((index, row) for row in ordered[: limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


def matching_ids(plan: SearchPlan) -> Any:
    """The ids of the cases any rank of the plan finds (a count's condition): per alternative,
    the cases posted under every one of its words."""
    alternatives = [
        _indexed(alternative) for search in plan.classes for alternative in search.alternatives
    ]
    selects = []
    for clauses in alternatives:
        posting = TERMS.alias()
        first, *others = clauses
        selects.append(
            select(posting.c.case_id).where(
                posting.c.term.in_(first),
                *(_posted(clause, posting, rare=False) for clause in others),
            )
        )
    return union(*selects) if len(selects) > 1 else selects[0]


# -- the projection -----------------------------------------------------------------------------


async def rewrite_postings(
    case_id: str,
    old: tuple[str | None, datetime, str] | None,
    new: tuple[str | None, datetime, str],
    *,
    connection: AsyncConnection,
) -> None:
    """Replace the case's postings (``old``: the stored terms, ``repositories.case_head``)
    by ``new``'s."""
    if old == new:
        return
    if old is not None and (gone := postings(old[0])):
        await connection.execute(
            delete(TERMS).where(
                TERMS.c.term.in_(gone),
                TERMS.c.registered_at == old[1],
                TERMS.c.case_id == case_id,
            )
        )
    terms, registered_at, jurisdiction = new
    rows = [
        {
            "term": term,
            "registered_at": registered_at,
            "case_id": case_id,
            "jurisdiction_code": jurisdiction,
        }
        for term in postings(terms)
    ]
    if not rows:
        return
    if old is None:
        # No read-model row to tell the old postings by (a row removed by a repair): postings
        # left from before are kept, never inserted twice.
        statement = insert_for_dialect(connection.dialect.name, TERMS).on_conflict_do_nothing()
        await connection.execute(statement, rows)
        return
    await connection.execute(insert(TERMS), rows)
