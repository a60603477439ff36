"""文书 over HTTP with the real workflow: issuing records an event on the case's chain with its
文号, reprinting answers the same number and content, a changed case makes version 2 under the
same number; a missing field refuses before any number is taken; downloads are masked unless
revealed, and recorded."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import httpx
from docx import Document

from tests.api.helpers import act, create_case
from tests.samples import REJECTED_DECISION, action_bodies, china_today

NUMBER = re.compile(r"^（\d{4}）\S*调字第(\d+)号$")


async def _agreed(api: httpx.AsyncClient, **intake: Any) -> str:
    case_id: str = (await create_case(api, **intake))["case_id"]
    for action in ("accept", "start_mediation", "record_session", "record_agreement"):
        response = await act(api, case_id, action)
        assert response.status_code == 200, response.text
    return case_id


async def _issue(api: httpx.AsyncClient, case_id: str, kind: str, **more: Any) -> httpx.Response:
    return await api.post(
        f"/v1/cases/{case_id}/documents",
        json={"kind": kind, **more},
        headers={"Idempotency-Key": f"doc-{uuid.uuid4()}"},
    )


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def test_issuing_is_an_event_reprinting_gives_the_same_document(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient]
) -> None:
    case_id = await _agreed(api)
    first = await _issue(api, case_id, "agreement")
    assert first.status_code == 201, first.text
    issued = first.json()
    assert NUMBER.match(issued["number"]), issued["number"]
    assert issued["version"] == 1
    assert issued["key"] == "agreement:1"

    again = await _issue(api, case_id, "agreement")
    assert again.status_code == 200  # a reprint: nothing recorded
    assert {k: again.json()[k] for k in ("number", "version", "content_sha256")} == {
        k: issued[k] for k in ("number", "version", "content_sha256")
    }
    timeline = (await api.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
    issues = [e for e in timeline if e["type"] == "document_issued"]
    assert len(issues) == 1
    assert issued["number"] in issues[0]["summary"]
    assert "人民调解协议书" in issues[0]["summary"]

    listed = (await api.get(f"/v1/cases/{case_id}/documents")).json()["documents"]
    assert [(d["key"], d["version"]) for d in listed] == [("agreement:1", 1)]

    # Another document of the same case takes the next number of the series.
    record = await _issue(api, case_id, "session_record", subject=1)
    assert record.status_code == 201, record.text
    first_no = int(NUMBER.match(issued["number"]).group(1))  # type: ignore[union-attr]
    assert int(NUMBER.match(record.json()["number"]).group(1)) > first_no  # type: ignore[union-attr]

    verified = await clients["auditor"].get(
        f"/v1/cases/{case_id}/verify", params={"purpose": "文书出具后校验"}
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["ok"] is True, verified.text


async def test_a_changed_case_makes_a_new_version_under_the_same_number(
    api: httpx.AsyncClient,
) -> None:
    """The court rejects; a new agreement is reached and applied for again: the 司法确认申请书
    is drafted anew (version 2), keeping its 文号."""
    case_id = await _agreed(api)
    assert (await act(api, case_id, "apply_judicial_confirmation")).status_code == 200
    first = (await _issue(api, case_id, "confirmation_application")).json()
    rejected = {**action_bodies(china_today())["record_court_decision"], **REJECTED_DECISION}
    assert (await act(api, case_id, "record_court_acceptance")).status_code == 200
    assert (await act(api, case_id, "record_court_decision", rejected)).status_code == 200
    assert (await act(api, case_id, "start_mediation")).status_code == 200
    terms = {**action_bodies(china_today())["record_agreement"], "terms": "李某当日清理通道。"}
    assert (await act(api, case_id, "record_agreement", terms)).status_code == 200
    assert (await act(api, case_id, "apply_judicial_confirmation")).status_code == 200
    second = await _issue(api, case_id, "confirmation_application")
    assert second.status_code == 201, second.text
    assert second.json()["number"] == first["number"]
    assert second.json()["version"] == 2
    assert second.json()["content_sha256"] != first["content_sha256"]
    old = await api.get(f"/v1/cases/{case_id}/documents/confirmation_application/docx?version=1")
    new = await api.get(f"/v1/cases/{case_id}/documents/confirmation_application/docx")
    assert "李某于三日内清理通道建材" in _docx_text(old.content)
    assert "李某当日清理通道" in _docx_text(new.content)


async def test_a_missing_field_refuses_naming_it_and_takes_no_number(
    api: httpx.AsyncClient,
) -> None:
    no_address = [{"name": f"张{uuid.uuid4().hex[:4]}", "phone": "13812345678"}]
    case_id = await _agreed(api, applicants=no_address)
    refused = await _issue(api, case_id, "agreement")
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert "申请人住址" in body["message_zh"]
    assert body["field"] == "applicants.address"
    court = await _issue(api, case_id, "confirmation_application")
    assert court.status_code == 422
    assert "受理法院" in court.json()["message_zh"]
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert case["documents"] == []
    timeline = (await api.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
    assert not [e for e in timeline if e["type"] == "document_issued"]


async def test_downloads_are_masked_unless_revealed_and_recorded(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient]
) -> None:
    case_id = await _agreed(api)
    assert (await _issue(api, case_id, "agreement")).status_code == 201
    url = f"/v1/cases/{case_id}/documents/agreement:1/docx"
    masked = await api.get(url)
    assert masked.status_code == 200
    text = _docx_text(masked.content)
    assert "110101199003071233" not in text
    assert "脱敏副本" in text
    clear = await api.get(url, params={"reveal": "true"})
    assert "110101199003071233" in _docx_text(clear.content)
    pdf = await api.get(f"/v1/cases/{case_id}/documents/agreement:1/pdf", params={"reveal": "true"})
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    # A leader reads the case but may not reveal: a masked copy, never the clear one.
    assert (await clients["county_leader"].get(url)).status_code == 200
    assert (await clients["county_leader"].get(url, params={"reveal": "true"})).status_code == 403
    trail = await clients["auditor"].get(
        "/v1/audit/access-trail", params={"purpose": "文书下载留痕", "case_id": case_id}
    )
    assert trail.status_code == 200, trail.text
    entries = [e for e in trail.json()["items"] if e["case_id"] == case_id]
    endpoints = {e["endpoint"] for e in entries}
    assert "GET /v1/cases/{id}/documents/{doc}/docx" in endpoints
    revealed = [e for e in entries if any("id_number" in f for f in e["fields"])]
    assert revealed, entries
