"""案件检索: the terms a case is found by, and what a search box query asks for.

One string of terms per case (``cases.search_terms``), each term ``<field>_<token>``:

- ``N_`` the whole case number, ``n_`` its tails of three characters or more (``000012``,
  ``2026000012``), letters and digits only, lower case;
- ``p_`` party names, ``t_`` the title, ``d_`` the description: each run of Chinese characters
  as its single characters and its two-character pairs (鱼塘纠纷 → 鱼 塘 纠 纷 鱼塘 塘纠 纠纷),
  each run of letters or digits whole; title and description as the masked list shows them, so
  a hidden digit is never a term;
- ``f_`` a party's phone and ``i_`` a party's ID number: only the digits the mask shows (a
  phone's first three and last four, an ID's first four and last four);
- ``h_`` (a party's number), ``ht_`` / ``hd_`` (a number written in the title / description):
  a keyed hash (HMAC-SHA-256 with the deployment's search key) of the whole normalised number,
  for readers who may reveal personal data and type the whole number. Without the key a hash
  tells nothing; with it, only the whole number finds it.

A query becomes the same tokens (a run of two or more Chinese characters becomes its pairs, all
of which must be present), asked field by field in rank order: the exact number, a party (name,
phone, ID), a number's tail, the title, the description (a query holding a lone Chinese
character, a surname, does not search descriptions). A party comes before a number's tail so
that four digits find the phone that ends in them before the case numbers that do. Pure
functions; the store turns a ``SearchPlan`` into an index query.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from domain.case.state import CaseState
from domain.people.privacy import mask_id, mask_phone, personal_numbers, scrub_text

# Chinese characters (CJK unified ideographs, extension A, compatibility) or letters and digits.
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")
_ALNUM = re.compile(r"[0-9a-z]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
NUMBER_TAIL = 3  # a case number's tails of this length and longer are terms
PARTY_RANK = 1  # after the exact number, before a number's tail
_HASH_CHARS = 24  # 96 bits of the HMAC: no accidental collisions at a province's volume


def normalised(text: str) -> str:
    """Full-width forms folded (NFKC), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def text_tokens(text: str) -> set[str]:
    """A document's tokens: each Chinese character and each pair, each letter/digit run whole."""
    tokens: set[str] = set()
    for run in _RUN.findall(normalised(text)):
        if _CJK.match(run):
            tokens.update(run)
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.add(run)
    return tokens


def query_tokens(text: str) -> tuple[str, ...]:
    """A query's tokens, all of which must be found: a lone Chinese character itself, a longer
    run its pairs, a letter/digit run whole."""
    tokens: list[str] = []
    for run in _RUN.findall(normalised(text)):
        if _CJK.match(run) and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tuple(dict.fromkeys(tokens))


def number_key(text: str) -> str:
    """A case number's letters and digits (``JF-2026-000012`` → ``jf2026000012``)."""
    return "".join(_ALNUM.findall(normalised(text)))


def number_hash(digits: str, key: bytes) -> str:
    """The keyed hash of a whole personal number (digits, an ID's X upper case)."""
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()[:_HASH_CHARS]


def _digits(value: str) -> str:
    """A personal number's digits (an ID's X upper case), a mobile's country code dropped."""
    digits = "".join(ch for ch in normalised(value) if ch.isdigit() or ch == "x").upper()
    for code in ("0086", "86"):
        if len(digits) == 11 + len(code) and digits.startswith(code + "1"):
            return digits[len(code) :]
    return digits


def _visible(masked: str) -> list[str]:
    return re.findall(r"[0-9xX]+", masked)


def case_terms(state: CaseState, *, key: bytes | None) -> str:
    """The case's search terms, space separated, sorted (``cases.search_terms``)."""
    parties = [(name, phone, id_number) for _, name, phone, id_number in people_of(state)]
    return terms_for(state.case_id, parties, state.title, state.description, key=key)


def people_of(state: CaseState) -> list[tuple[str, str, str | None, str | None]]:
    """(side, name, phone, ID number) of every applicant, respondent and 第三人, and of the
    代表人 a group chose (a search for one of them finds the group's case)."""
    people: list[tuple[str, str, str | None, str | None]] = []
    for side, parties in (
        ("applicants", state.applicants),
        ("respondents", state.respondents),
        ("third_parties", state.third_parties),
    ):
        for party in parties:
            people.append((side, party.name, party.phone, party.id_number))
            people.extend(
                ("representatives", person.name, person.phone, person.id_number)
                for person in party.representatives
            )
    return people


def terms_for(
    case_id: str,
    parties: Iterable[tuple[str, str | None, str | None]],
    title: str,
    description: str,
    *,
    key: bytes | None,
) -> str:
    """The search terms of a case number, its parties (name, phone, ID number), title and
    description (clear: masked here before they become terms)."""
    terms: set[str] = set()
    number = number_key(case_id)
    terms.add("N_" + number)
    terms.update("n_" + number[i:] for i in range(1, len(number) - NUMBER_TAIL + 1))
    for name, phone, id_number in parties:
        terms.update("p_" + token for token in text_tokens(name))
        if phone:
            terms.update("f_" + part.lower() for part in _visible(mask_phone(phone)))
        if id_number:
            terms.update("i_" + part.lower() for part in _visible(mask_id(id_number)))
        if key is not None:
            terms.update("h_" + number_hash(_digits(v), key) for v in (phone, id_number) if v)
    for field, text in (("t", title), ("d", description)):
        terms.update(f"{field}_{token}" for token in text_tokens(scrub_text(text)))
        if key is not None:
            terms.update(
                f"h{field}_{number_hash(_digits(found), key)}" for found in personal_numbers(text)
            )
    return " ".join(sorted(terms))


# -- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchClass:
    """One rank of a search: every clause must hold, a clause holds when any of its terms is
    present (the rank's alternatives are ORed)."""

    rank: int
    alternatives: tuple[tuple[tuple[str, ...], ...], ...]


@dataclass(frozen=True)
class SearchPlan:
    """The ranks of a search in order; ``hashed`` the keyed hash of a whole personal number
    asked for (a phone's or an ID's: ``whole_kind``)."""

    classes: tuple[SearchClass, ...]
    tokens: tuple[str, ...]
    hashed: str | None = None
    whole_kind: str | None = None

    @property
    def empty(self) -> bool:
        return not self.classes


def _whole_number(text: str) -> str | None:
    """The query as one personal number (a phone with or without +86, a landline, an ID)."""
    if re.fullmatch(r"[0-9x\s\-+().]*", normalised(text)) is None:
        return None
    digits = _digits(text)
    if re.fullmatch(r"1\d{10}|0\d{9,11}|\d{17}[0-9X]", digits):
        return digits
    return None


def search_plan(text: str, *, reveal: bool, key: bytes | None) -> SearchPlan:
    """What ``text`` asks for, rank by rank: 0 the exact case number, 1 a party (name, phone,
    ID number), 2 a number's tail, 3 the title, 4 the description. ``reveal``: the reader
    may reveal personal data, so a whole phone or ID number is looked up by its keyed hash."""
    tokens = query_tokens(text)
    if not tokens:
        return SearchPlan((), ())
    whole = _whole_number(text) if reveal and key is not None else None
    hashed = number_hash(whole, key) if whole is not None and key is not None else None

    def extra(prefix: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
        return (((prefix + hashed,),),) if hashed else ()

    classes: list[SearchClass] = []
    number = number_key(text)
    if number:
        classes.append(SearchClass(0, ((("N_" + number,),),)))
    party = tuple(tuple(f"{field}_{token}" for field in ("p", "f", "i")) for token in tokens)
    classes.append(SearchClass(PARTY_RANK, (party, *extra("h_"))))
    if len(number) >= NUMBER_TAIL:
        classes.append(SearchClass(2, ((("n_" + number,),),)))
    # A lone Chinese character is a surname or a title's word, not a description's: those are
    # found by words of two characters or more (the index holds a description's pairs only).
    lone = any(len(token) == 1 and _CJK.match(token) for token in tokens)
    for rank, field in ((3, "t"),) if lone else ((3, "t"), (4, "d")):
        own = tuple((f"{field}_{token}",) for token in tokens)
        classes.append(SearchClass(rank, (own, *extra(f"h{field}_"))))
    kind = None if whole is None else ("id_number" if len(whole) == 18 else "phone")
    return SearchPlan(tuple(classes), tokens, hashed, kind)


def _holds(present: set[str], clauses: tuple[tuple[str, ...], ...]) -> bool:
    return all(any(term in present for term in clause) for clause in clauses)


def rank_of(terms: str, plan: SearchPlan) -> int | None:
    """The best rank whose terms ``terms`` holds, None when none."""
    present = set(terms.split())
    for search in plan.classes:
        if any(_holds(present, clauses) for clauses in search.alternatives):
            return search.rank
    return None


_PARTY_FIELDS = (("p_", "party_name"), ("f_", "phone"), ("i_", "id_number"))


def personal_fields(terms: str, plan: SearchPlan) -> tuple[str, ...]:
    """The personal data a case was found by (for the access trail): a party's name, phone or
    ID number matched by its tokens, or a whole number by its keyed hash (in a party, the title
    or the description)."""
    present = set(terms.split())
    fields: set[str] = set()
    party = tuple(tuple(f + token for f, _ in _PARTY_FIELDS) for token in plan.tokens)
    if _holds(present, party):
        for token in plan.tokens:
            fields.update(name for f, name in _PARTY_FIELDS if f + token in present)
    if plan.hashed is not None and plan.whole_kind is not None:
        for prefix, name in (("h_", plan.whole_kind), ("ht_", "title"), ("hd_", "description")):
            if prefix + plan.hashed in present:
                fields.add(name)
    return tuple(sorted(fields))


# -- the hit shown in a list line ---------------------------------------------------------------

SNIPPET_CHARS = 40
_PARTY_LABELS = {
    "applicants": "申请人",
    "respondents": "被申请人",
    "third_parties": "第三人",
    "representatives": "代表人",
}


def _found_in(text: str, tokens: tuple[str, ...]) -> int:
    """Where the first query token occurs in ``text`` (folded as tokens are), else -1."""
    folded = normalised(text)
    places = [folded.find(token) for token in tokens if token in folded]
    return min(places) if places else -1


def hit_snippet(
    rank: int,
    plan: SearchPlan,
    *,
    parties: list[tuple[str, str, str | None, str | None]],
    masked_description: str,
    key: bytes | None = None,
) -> str | None:
    """What a list line shows of the hit, masked as every list is: the party (``(role, name,
    phone, id_number)``; phone and ID masked) found, or the part of the description around the
    first word found. None for a number or title hit (the line shows those already). ``key``:
    the search key, to tell which party a whole number asked for belongs to."""
    if rank == PARTY_RANK:
        for role, name, phone, id_number in parties:
            shown = [name]
            if phone:
                shown.append(mask_phone(phone))
            if id_number:
                shown.append(mask_id(id_number))
            terms = text_tokens(name) | {
                part.lower() for value in shown[1:] for part in _visible(value)
            }
            hashes = {number_hash(_digits(v), key) for v in (phone, id_number) if v and key}
            if all(token in terms for token in plan.tokens) or plan.hashed in hashes:
                return f"{_PARTY_LABELS.get(role, '当事人')}：{'，'.join(shown)}"
        return None
    if rank == 4:
        at = max(_found_in(masked_description, plan.tokens), 0)
        start = max(at - SNIPPET_CHARS // 4, 0)
        end = start + SNIPPET_CHARS
        text = masked_description[start:end]
        return ("…" if start else "") + text + ("…" if end < len(masked_description) else "")
    return None
