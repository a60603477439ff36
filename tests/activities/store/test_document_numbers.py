"""文号 on PostgreSQL and SQLite: each organisation's series per year is gap-free and unique
under concurrent issues, and a document keeps the number it was given."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store.document_numbers import assign_document_number, numbers_of
from domain.case.issued import DocumentNumber

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


async def _assign(
    sessionmaker: async_sessionmaker[AsyncSession], org: str, case: str, key: str, year: int
) -> DocumentNumber:
    return await assign_document_number(
        sessionmaker,
        case_id=case,
        document_key=key,
        org_id=org,
        org_name=f"{org} 调委会",
        year=year,
        at=AT,
        prefixes={"org-a": "玄调字", "org-b": "秦调字"},
    )


async def test_200_concurrent_issues_across_two_organisations_are_gap_free_and_unique(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    year = 2031
    # 200 documents, alternating organisations; every tenth asked twice at once (a retried
    # activity racing its first attempt) must get one number, not two.
    asks = [
        ("org-a" if n % 2 else "org-b", f"JF-{year}-{n:06d}", "agreement:1") for n in range(200)
    ]
    repeats = asks[::10]
    results = await asyncio.gather(
        *(_assign(sessionmaker, org, case, key, year) for org, case, key in [*asks, *repeats])
    )
    given = dict(zip([(c, k) for _, c, k in asks], results[: len(asks)], strict=True))
    for (_, case, key), again in zip(repeats, results[len(asks) :], strict=True):
        assert again == given[(case, key)]
    async with sessionmaker() as session:
        for org, prefix in (("org-a", "玄调字"), ("org-b", "秦调字")):
            stored = await numbers_of(org, year, session=session)
            seqs = [seq for seq, _, _ in stored]
            assert seqs == list(range(1, 101))  # gap-free, each once
            mine = sorted(n.seq for (o, _, _), n in zip(asks, results, strict=False) if o == org)
            assert mine == seqs
            assert {n.prefix for (o, _, _), n in zip(asks, results, strict=False) if o == org} == {
                prefix
            }


async def test_a_document_keeps_its_number_and_each_year_starts_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first = await _assign(sessionmaker, "org-c", "JF-2032-000001", "session_record:1", 2032)
    second = await _assign(sessionmaker, "org-c", "JF-2032-000001", "session_record:2", 2032)
    again = await _assign(sessionmaker, "org-c", "JF-2032-000001", "session_record:1", 2032)
    next_year = await _assign(sessionmaker, "org-c", "JF-2033-000001", "agreement:1", 2033)
    assert (first.seq, second.seq, again, next_year.seq) == (1, 2, first, 1)
    assert first.text == "（2032）调字第1号"  # no registry entry, no setting: the bare 调字
