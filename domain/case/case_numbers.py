"""Case numbers (案件编号): ``JF-2026-000123`` for disputes, ``XF-2026-000123`` for petitions."""

from __future__ import annotations

import re

from domain.values import CaseKind

PREFIXES: dict[CaseKind, str] = {CaseKind.DISPUTE: "JF", CaseKind.PETITION: "XF"}
_PATTERN = re.compile(r"^(JF|XF)-(\d{4})-(\d{6,})$")


def series(kind: CaseKind, year: int) -> str:
    """The numbering series a new case draws from, e.g. ``JF-2026``."""
    return f"{PREFIXES[kind]}-{year:04d}"


def format_case_number(kind: CaseKind, year: int, number: int) -> str:
    if number < 1:
        raise ValueError("case numbers start at 1")
    return f"{series(kind, year)}-{number:06d}"


def parse_case_number(case_id: str) -> tuple[CaseKind, int, int]:
    """Split a case number into kind, year and running number; ValueError if malformed."""
    match = _PATTERN.match(case_id)
    if match is None:
        raise ValueError(f"not a case number: {case_id!r}")
    prefix, year, number = match.groups()
    kind = next(k for k, p in PREFIXES.items() if p == prefix)
    return kind, int(year), int(number)


def is_case_number(case_id: str) -> bool:
    return _PATTERN.match(case_id) is not None
