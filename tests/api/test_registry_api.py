"""The registry over HTTP: who reads and manages it, what it refuses, and 分流 suggestions.

Expected statuses are written out by hand from the issue: every role that works with cases reads
the registry; the system administrator manages organisations; a center admin also manages its
own organisation's roster; registrars ask where a case should go.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from activities.policy.routing import DEMO_REGISTRY, load_registry_file
from activities.store import registry as store
from tests.conftest import Stack

ROLES = (
    "mediator",
    "center_admin",
    "town_leader",
    "county_leader",
    "auditor",
    "system_admin",
    "anonymous",
)
CHANGJIANG = "320102001001"  # 长江路社区, 梅园新村街道
ZHONGLING = "320102002002"  # 钟灵社区, 孝陵卫街道


@pytest.fixture(scope="module")
async def demo_county(stack: Stack) -> None:
    """The demo county (玄武区) in the registry; loading it again changes nothing."""
    async with stack.sessionmaker.begin() as session:
        await store.load_registry(load_registry_file(DEMO_REGISTRY), session=session)


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# role → status, by endpoint (an organisation's roster is xw-center's: the center admin's own).
MATRIX: dict[str, dict[str, int]] = {
    "jurisdictions": {
        "mediator": 200, "center_admin": 200, "town_leader": 200, "county_leader": 200,
        "auditor": 200, "system_admin": 200, "anonymous": 401,
    },
    "organisations": {
        "mediator": 200, "center_admin": 200, "town_leader": 200, "county_leader": 200,
        "auditor": 200, "system_admin": 200, "anonymous": 401,
    },
    "create_organisation": {
        "mediator": 403, "center_admin": 403, "town_leader": 403, "county_leader": 403,
        "auditor": 403, "system_admin": 201, "anonymous": 401,
    },
    "patch_organisation": {
        "mediator": 403, "center_admin": 403, "town_leader": 403, "county_leader": 403,
        "auditor": 403, "system_admin": 200, "anonymous": 401,
    },
    "own_roster_add": {
        "mediator": 403, "center_admin": 201, "town_leader": 403, "county_leader": 403,
        "auditor": 403, "system_admin": 201, "anonymous": 401,
    },
    "other_roster_add": {
        "mediator": 403, "center_admin": 403, "town_leader": 403, "county_leader": 403,
        "auditor": 403, "system_admin": 201, "anonymous": 401,
    },
    "suggestion": {
        "mediator": 200, "center_admin": 200, "town_leader": 403, "county_leader": 403,
        "auditor": 403, "system_admin": 403, "anonymous": 401,
    },
}  # fmt: skip


async def _call(client: httpx.AsyncClient, endpoint: str) -> httpx.Response:
    if endpoint == "jurisdictions":
        return await client.get("/v1/jurisdictions", params={"under": "320102001"})
    if endpoint == "organisations":
        return await client.get("/v1/organisations", params={"within": "320102"})
    if endpoint == "create_organisation":
        return await client.post(
            "/v1/organisations",
            json={
                "org_id": _new_id("grid-room"), "name": "长江路社区网格调解室",
                "type": "mediation_committee", "jurisdiction_code": CHANGJIANG,
                "parent_id": "xw-myxc-center", "active": False,
            },
        )  # fmt: skip
    if endpoint == "patch_organisation":
        return await client.patch("/v1/organisations/xw-court-desk", json={"active": True})
    if endpoint in ("own_roster_add", "other_roster_add"):
        org_id = "xw-center" if endpoint == "own_roster_add" else "xw-labour-room"
        return await client.post(
            f"/v1/organisations/{org_id}/mediators",
            json={"mediator_id": _new_id("m"), "name": "新调解员", "specialties": ["labour"]},
        )
    assert endpoint == "suggestion"
    return await client.post(
        "/v1/routing/suggestion",
        json={"category": "labour", "risk_level": "low", "jurisdiction": CHANGJIANG},
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
async def test_role_registry_endpoint_matrix(
    clients: dict[str, httpx.AsyncClient], demo_county: None, role: str, endpoint: str
) -> None:
    response = await _call(clients[role], endpoint)
    assert response.status_code == MATRIX[endpoint][role], response.text
    if response.status_code >= 400:
        assert response.json()["message_zh"]


async def test_places_and_organisations_are_listed_with_their_names(
    clients: dict[str, httpx.AsyncClient], demo_county: None
) -> None:
    places = await clients["mediator"].get("/v1/jurisdictions", params={"under": ZHONGLING})
    assert [(p["code"], p["name"], p["level_label"]) for p in places.json()["items"]] == [
        (ZHONGLING, "钟灵社区", "村（社区）"),
        (f"{ZHONGLING}001", "钟灵社区第一网格", "网格"),
        (f"{ZHONGLING}002", "钟灵社区第二网格", "网格"),
    ]
    covering = await clients["county_leader"].get(
        "/v1/organisations", params={"covering": ZHONGLING, "active": "true"}
    )
    by_id = {o["org_id"]: o for o in covering.json()["items"]}
    assert by_id["xw-zl-committee"]["jurisdiction_name"] == "钟灵社区"
    assert by_id["xw-zl-committee"]["type_label"] == "人民调解委员会"
    assert by_id["xw-labour-room"]["category_labels"] == ["劳动争议"]
    assert "xw-myxc-center" not in by_id  # 梅园新村's center does not cover 钟灵
    one = await clients["auditor"].get("/v1/organisations/xw-health")
    assert one.json()["name"] == "玄武区卫生健康委员会"
    assert (await clients["auditor"].get("/v1/organisations/nobody")).status_code == 404


async def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_organisation_that_does_not_fit_is_refused_with_its_field(
    clients: dict[str, httpx.AsyncClient], demo_county: None
) -> None:
    admin = clients["system_admin"]
    org_id = _new_id("police")
    entry = {
        "org_id": org_id, "name": "孝陵卫派出所调解室", "type": "police_room",
        "jurisdiction_code": "320102002", "parent_id": "xw-xlw-center",
        "categories": ["traffic"],
    }  # fmt: skip
    for change, field in [
        ({"parent_id": "nobody"}, "parent_id"),
        ({"parent_id": "xw-myxc-center"}, "jurisdiction_code"),  # 孝陵卫 under 梅园新村's center
        ({"jurisdiction_code": "320102009"}, "jurisdiction_code"),  # no such town
        ({"level": "county"}, "level"),
        ({"categories": ["weather"]}, "categories.0"),
    ]:
        body = await _error(await admin.post("/v1/organisations", json=entry | change), 422)
        assert body["field"] == field, body
        assert body["message_zh"]
    created = await admin.post("/v1/organisations", json=entry)
    assert created.status_code == 201, created.text
    assert created.json()["level"] == "town"  # from the code
    duplicate = await _error(await admin.post("/v1/organisations", json=entry), 409)
    assert duplicate["code"] == "duplicate_id"

    deactivated = await admin.patch(f"/v1/organisations/{org_id}", json={"active": False})
    assert deactivated.json()["active"] is False
    moved = await admin.patch(f"/v1/organisations/{org_id}", json={"parent_id": "xw-myxc-center"})
    assert (await _error(moved, 422))["field"] == "jurisdiction_code"
    missing = await admin.patch("/v1/organisations/nobody", json={"active": False})
    assert (await _error(missing, 404))["code"] == "organisation_not_found"


async def test_a_center_admin_keeps_its_own_roster(
    clients: dict[str, httpx.AsyncClient], demo_county: None
) -> None:
    center_admin = clients["center_admin"]  # 陈静 of xw-center
    mediator_id = _new_id("m")
    added = await center_admin.post(
        "/v1/organisations/xw-center/mediators",
        json={"mediator_id": mediator_id, "name": "周敏", "specialties": ["marriage_family"],
              "employment": "full_time"},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    assert added.json()["employment_label"] == "专职"
    again = await center_admin.post(
        "/v1/organisations/xw-center/mediators", json={"mediator_id": mediator_id, "name": "周敏"}
    )
    assert again.status_code == 409
    changed = await center_admin.patch(
        f"/v1/mediators/{mediator_id}", json={"employment": "part_time", "active": False}
    )
    assert changed.json()["employment_label"] == "兼职"
    assert changed.json()["active"] is False
    # Not to another organisation's roster, not even by moving its own mediator there.
    moved = await center_admin.patch(
        f"/v1/mediators/{mediator_id}", json={"org_id": "xw-labour-room"}
    )
    assert moved.status_code == 403
    assert (
        await center_admin.patch("/v1/mediators/xw-m-011", json={"name": "改名"})
    ).status_code == (403)  # 黄志刚 of the labour room
    roster = await clients["mediator"].get(
        "/v1/organisations/xw-center/mediators", params={"active": "false"}
    )
    assert mediator_id in [m["mediator_id"] for m in roster.json()["items"]]
    assert (await center_admin.patch("/v1/mediators/nobody", json={})).status_code == 404
    unknown_org = await clients["system_admin"].patch(
        f"/v1/mediators/{mediator_id}", json={"org_id": "nobody"}
    )
    assert (await _error(unknown_org, 422))["field"] == "org_id"


async def test_a_labour_dispute_at_a_village_is_routed_to_the_county_labour_room(
    clients: dict[str, httpx.AsyncClient], demo_county: None
) -> None:
    answer = await clients["mediator"].post(
        "/v1/routing/suggestion",
        json={
            "category": "labour",
            "jurisdiction": {"county_code": "320102", "town_code": "320102001",
                             "village_code": CHANGJIANG},
        },
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    suggestion = body["suggestion"]
    assert suggestion["organisation"] == {
        "org_id": "xw-labour-room",
        "name": "玄武区劳动争议调解室",
        "level": "county",
        "type": "sector_room",
    }
    assert suggestion["rule_id"] == "labour-to-county-room"
    assert "劳动争议" in suggestion["reason"]
    choices = [o["org_id"] for o in body["candidates"]]
    assert choices[:2] == ["xw-cjl-committee", "xw-myxc-center"]  # nearest first
    assert {"xw-center", "xw-labour-room", "xw-hrss", "xw-court-desk"} <= set(choices)
    assert not {"xw-medical-committee", "xw-xlw-center", "xw-health"} & set(choices)


async def test_a_case_no_rule_places_stays_with_the_registrar(
    clients: dict[str, httpx.AsyncClient], demo_county: None
) -> None:
    answer = await clients["mediator"].post(
        "/v1/routing/suggestion",
        json={"category": "contract", "risk_level": "major", "jurisdiction": ZHONGLING},
    )
    suggestion = answer.json()["suggestion"]
    assert suggestion["organisation"]["org_id"] == "xw-center"  # 王芳's own center
    assert suggestion["rule_id"] is None
    bad = await clients["mediator"].post(
        "/v1/routing/suggestion", json={"category": "labour", "jurisdiction": "32010"}
    )
    assert (await _error(bad, 422))["field"].startswith("jurisdiction")
