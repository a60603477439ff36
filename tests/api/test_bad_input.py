"""Malformed and hostile input gets a clear error in the documented shape and changes nothing."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.api.helpers import create_case
from tests.samples import intake_body


def _shape(body: dict[str, object]) -> None:
    assert {"code", "message", "message_zh", "message_en"} <= set(body)


async def test_an_oversized_body_is_413(api: httpx.AsyncClient) -> None:
    huge = intake_body(description="纠" * 300_000)
    response = await api.post("/v1/cases", json=huge)
    assert response.status_code == 413
    _shape(response.json())
    assert response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("raw_title", "reason"),
    [
        ('"标题\\u0007响铃"', "控制字符"),
        ('"孤立代理\\ud800"', "unicode"),
    ],
)
async def test_control_characters_and_invalid_unicode_are_422(
    api: httpx.AsyncClient, raw_title: str, reason: str
) -> None:
    body = json.dumps(intake_body(), ensure_ascii=False)
    body = body.replace(json.dumps(intake_body()["title"], ensure_ascii=False), raw_title, 1)
    response = await api.post(
        "/v1/cases", content=body.encode("utf-8"), headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    error = response.json()
    _shape(error)
    assert error["field"] == "title"
    assert reason in error["errors"][0]["reason"].lower()


async def test_malformed_json_is_422(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/cases", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    _shape(response.json())


async def test_unknown_routes_and_methods_answer_in_our_shape(api: httpx.AsyncClient) -> None:
    missing = await api.get("/v1/nothing-here")
    assert missing.status_code == 404
    _shape(missing.json())
    wrong = await api.delete("/v1/cases")
    assert wrong.status_code == 405
    _shape(wrong.json())


async def test_a_refused_intake_creates_nothing(api: httpx.AsyncClient) -> None:
    before = (await api.get("/v1/cases", params={"limit": 200})).json()["items"]
    bad = await api.post("/v1/cases", json=intake_body(category="外星纠纷"))
    assert bad.status_code == 422
    after = (await api.get("/v1/cases", params={"limit": 200})).json()["items"]
    assert after == before
    assert (await create_case(api))["stage"] == "registered"


async def test_an_oversized_chunked_body_is_413(api: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: sent chunked
        for _ in range(40):
            yield b" " * 10_000

    response = await api.post(
        "/v1/cases", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    _shape(response.json())


async def test_a_refusal_never_quotes_an_id_number_or_phone_in_clear(
    api: httpx.AsyncClient,
) -> None:
    """A refusal names what it could not find; a phone or ID number typed into that field (the
    wrong one) comes back masked, as everywhere else."""
    case = await create_case(api)
    for typed in ("13812345678", "110101199003071233"):
        refused = await api.post(
            f"/v1/cases/{case['case_id']}/plan",
            json={
                "responsible_unit": "大行宫社区人民调解委员会",
                "responsible_person": "王芳",
                "unit_id": typed,
                "measures": ["入户走访"],
                "deadline": "2026-12-31",
            },
        )
        assert refused.status_code == 422, refused.text
        assert typed not in refused.text
        assert typed[-4:] in refused.json()["message_zh"]  # masked, not dropped
