"""Cases driven over HTTP against real processes; a killed worker loses nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from activities.store.engine import create_engine
from tests.api.helpers import act, create_case
from tests.e2e.conftest import Processes, until, wait_ready
from tests.samples import LIFECYCLE

pytestmark = pytest.mark.e2e


async def _event_counts(database_url: str, case_ids: list[str]) -> dict[str, list[int]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT case_id, seq FROM case_events ORDER BY case_id, seq")
            )
            seqs: dict[str, list[int]] = {case_id: [] for case_id in case_ids}
            for case_id, seq in rows:
                if case_id in seqs:
                    seqs[case_id].append(seq)
            return seqs
    finally:
        await engine.dispose()


async def test_full_lifecycle_against_real_processes(processes: Processes) -> None:
    await wait_ready(processes.api_url)
    async with processes.client(timeout=60) as api:
        case = await create_case(api)
        case_id = case["case_id"]
        states: list[dict[str, Any]] = [case]
        for action in LIFECYCLE:
            response = await act(api, case_id, action)
            assert response.status_code == 200, response.text
            states.append(response.json())
        assert states[-1]["stage"] == "closed"

        timeline = (await api.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
        assert [entry["seq"] for entry in timeline] == list(range(1, states[-1]["seq"] + 1))
        assert [entry["at"] for entry in timeline] == sorted(entry["at"] for entry in timeline)
        assert all(entry["actor"] for entry in timeline)
        stored = (await api.get(f"/v1/cases/{case_id}")).json()
        live = (await api.get(f"/v1/cases/{case_id}", params={"consistent": "true"})).json()
        assert stored == live == states[-1]
        counts = await _event_counts(processes.database_url, [case_id])
        assert counts[case_id] == list(range(1, states[-1]["seq"] + 1))


async def test_a_killed_worker_loses_nothing(processes: Processes) -> None:
    await wait_ready(processes.api_url)
    async with processes.client(timeout=120) as api:
        cases = [await create_case(api) for _ in range(4)]
        case_ids = [case["case_id"] for case in cases]

        done: dict[str, int] = dict.fromkeys(case_ids, 0)
        in_flight = [0]

        async def drive(case_id: str) -> list[int]:
            codes = []
            for n, action in enumerate(LIFECYCLE):
                for _attempt in range(10):
                    # The same key on every attempt: a retry after a timeout applies once.
                    in_flight[0] += 1
                    try:
                        response = await act(api, case_id, action, key=f"{case_id}-{n}")
                    finally:
                        in_flight[0] -= 1
                    if response.status_code != 503:
                        break
                codes.append(response.status_code)
                done[case_id] = n + 1
            return codes

        drivers = [asyncio.create_task(drive(case_id)) for case_id in case_ids]
        # Every case has moved, none has finished; a driver that fails ends the wait at once.
        await until(lambda: min(done.values()) >= 2, drivers, timeout=120)
        processes.kill_worker()
        assert max(done.values()) < len(LIFECYCLE)
        # Commands waiting at the API while no worker runs (each driver sends its next at once).
        await until(lambda: in_flight[0] > 0, drivers, timeout=60)
        processes.start_worker()
        results = await asyncio.gather(*drivers)

        assert all(code == 200 for codes in results for code in codes), results
        counts = await _event_counts(processes.database_url, case_ids)
        for case_id in case_ids:
            case = (await api.get(f"/v1/cases/{case_id}")).json()
            assert case["stage"] == "closed"
            # Every event exactly once, none missing: seq 1..N with N the case's own count.
            assert counts[case_id] == list(range(1, case["seq"] + 1)), (case_id, counts[case_id])
            live = (await api.get(f"/v1/cases/{case_id}", params={"consistent": "true"})).json()
            assert live["seq"] == case["seq"]
