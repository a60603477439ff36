"""A burst of concurrent commands on one case, each also delivered twice: applied once each,
in one consistent order, none lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from api.idempotency import scoped_key
from domain.case.stages import Stage
from tests.api.helpers import act, case_in_stage
from tests.principals import USERS
from tests.samples import action_bodies, china_today


async def test_a_burst_of_commands_with_duplicates_is_applied_once_each_in_order(
    api: httpx.AsyncClient,
) -> None:
    case = await case_in_stage(api, Stage.ACCEPTED)
    case_id = case["case_id"]
    today = china_today()
    plans = [
        {
            **action_bodies(today)["plan"],
            "responsible_person": f"调解员{n:02d}",
            "deadline": (today + timedelta(days=30 + n)).isoformat(),
        }
        for n in range(15)
    ]
    sends = [
        act(api, case_id, "plan", plan, key=f"{case_id}-burst-{n}")
        for n, plan in enumerate(plans)
        for _ in range(2)  # every command delivered twice
    ]
    responses = await asyncio.gather(*sends)
    assert {r.status_code for r in responses} == {200}

    final = (await api.get(f"/v1/cases/{case_id}", params={"consistent": "true"})).json()
    assert [p["revision"] for p in final["plans"]] == list(range(1, 16))
    assert sorted(p["responsible_person"] for p in final["plans"]) == [
        f"调解员{n:02d}" for n in range(15)
    ]
    timeline = (await api.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
    assert [e["seq"] for e in timeline] == list(range(1, final["seq"] + 1))
    revisions = [e for e in timeline if e["type"] == "plan_revised"]
    # The case records each key as the sender's own (api/idempotency.py).
    assert sorted(e["command_id"] for e in revisions) == sorted(
        scoped_key(USERS["mediator"], f"{case_id}-burst-{n}") for n in range(15)
    )
    # Duplicates answered with the state right after their own command.
    for n in range(15):
        first, second = responses[2 * n], responses[2 * n + 1]
        assert first.json()["seq"] == second.json()["seq"]
    assert (await api.get(f"/v1/cases/{case_id}")).json() == final
