"""Driving cases through the HTTP API in tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from domain.case.stages import Stage
from tests.principals import CENTER
from tests.samples import (
    ACTION_PATHS,
    PATH_TO_STAGE,
    PETITION_INTAKE,
    PETITION_PATH_TO_STAGE,
    action_bodies,
    china_today,
    intake_body,
    step_action,
)

# 分流 kept with 王芳's center whatever the registry holds then (a test that loaded the demo county
# has a labour room, a medical committee… to which the shipped rules route such disputes).
STAY_WITH_CENTER: dict[str, str] = {"organisation": CENTER, "reason": "由本中心直接办理"}


async def create_case(
    api: httpx.AsyncClient, key: str | None = None, **intake: Any
) -> dict[str, Any]:
    headers = {"Idempotency-Key": key} if key else {}
    response = await api.post("/v1/cases", json=intake_body(**intake), headers=headers)
    assert response.status_code == 201, response.text
    case: dict[str, Any] = response.json()
    return case


async def create_petition(api: httpx.AsyncClient, **intake: Any) -> dict[str, Any]:
    """A petition from a petitioner of its own, so it is never a repeat of another test's."""
    petitioner = {"name": f"信访人{uuid.uuid4().hex[:6]}", "phone": "13900001111"}
    return await create_case(api, **{**PETITION_INTAKE, "applicants": [petitioner], **intake})


async def act(
    api: httpx.AsyncClient,
    case_id: str,
    action: str,
    body: dict[str, Any] | None = None,
    *,
    key: str | None = None,
) -> httpx.Response:
    payload = action_bodies(china_today())[action] if body is None else body
    return await api.post(
        f"/v1/cases/{case_id}/{ACTION_PATHS[action]}",
        json=payload,
        headers={"Idempotency-Key": key or str(uuid.uuid4())},
    )


async def case_in_stage(
    api: httpx.AsyncClient, stage: Stage, kind: str = "dispute"
) -> dict[str, Any]:
    if kind == "petition":
        case = await create_petition(api)
        path = PETITION_PATH_TO_STAGE[stage]
    else:
        case = await create_case(api)
        path = PATH_TO_STAGE[stage]
    for step in path:
        action, body = step_action(step, china_today())
        response = await act(api, case["case_id"], action, body)
        assert response.status_code == 200, response.text
        case = response.json()
    assert case["stage"] == stage.value
    return case
