"""The search index's postings (PostgreSQL's ``case_search_terms``): which of a case's search
terms (``domain.case.search``) are posted, and the terms a query asks the index for.

A party's name, its phone's and its ID number's shown digits are one field in the index
(``p_``): a query asks for any of them alike, so one posting list serves the party rank.
A description is posted by its Chinese character pairs and its letter/digit runs, not its
single characters (a lone Chinese character does not search descriptions): that halves the
largest part of the index. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CJK_ONE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$")
_PARTY = ("f", "i")
LONGEST = 100  # a longer run of letters or digits (a pasted link) is not posted


def posting_term(term: str) -> str:
    """``term`` as the index holds it (a phone's or ID's shown digits are a party's term)."""
    field, _, token = term.partition("_")
    return "p_" + token if field in _PARTY else term


def posted(term: str) -> bool:
    """Whether the index holds ``term`` (a description's single Chinese characters it does not,
    nor a run longer than ``LONGEST``)."""
    field, _, token = term.partition("_")
    return len(term) <= LONGEST and not (field == "d" and _CJK_ONE.match(token) is not None)


def postings(search_terms: str | None) -> list[str]:
    """The index terms of a case whose ``cases.search_terms`` are ``search_terms``, sorted."""
    return sorted({posting_term(t) for t in (search_terms or "").split() if posted(t)})


def clause_terms(clause: Iterable[str]) -> tuple[str, ...]:
    """A query clause's terms as the index holds them (any of which satisfies it)."""
    return tuple(dict.fromkeys(posting_term(term) for term in clause))
