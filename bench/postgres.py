"""The PostgreSQL server the database benchmarks make their throw-away databases on."""

from __future__ import annotations

import os
import sys

from tests.databases import PostgresAdmin


def postgres_admin() -> PostgresAdmin | None:
    """``BENCH_DATABASE_URL``'s server, else ``TEST_DATABASE_URL``'s; None (and a line saying
    what to set) when neither names a PostgreSQL server."""
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        print("set TEST_DATABASE_URL (or BENCH_DATABASE_URL) to a PostgreSQL URL", file=sys.stderr)
        return None
    return PostgresAdmin(base)
