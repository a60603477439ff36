"""Masking a case document for a response (``domain.people.privacy.mask_document``).

Every response, page and search hit passes the whole case document through the masking, so its
cost per document matters. The document here is a case with 200 timeline entries whose summaries
quote dates and amounts (the common case: nothing to mask), plus the parties' fields.

    python -m bench.masking [--entries 200] [--runs 300]

Prints the median and p95 in microseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from domain.people.privacy import mask_document


def case_document(entries: int) -> dict[str, Any]:
    return {
        "title": "张某与李某相邻通行纠纷",
        "description": "李某在两户之间的通道堆放建材，张某出入受阻，双方多次争吵。",
        "applicants": [{"name": "张伟", "id_number": "110101199003071233", "phone": "13812345678"}],
        "respondents": [{"name": "李娜", "phone": "13987654321"}],
        "timeline": [
            {
                "seq": n,
                "at": f"2026-03-{n % 28 + 1:02d}T01:30:00.000000+00:00",
                "summary": f"王芳 记录第 {n} 次调解会，双方同意于 2026-09-10 前清理，金额 12000元",
            }
            for n in range(entries)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    document = case_document(args.entries)
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        mask_document(document)
        timings.append((time.perf_counter() - started) * 1e6)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    median = statistics.median(timings)
    print(f"mask_document, {args.entries} entries: median {median:.0f} µs, p95 {p95:.0f} µs")  # noqa: T201


if __name__ == "__main__":
    main()
