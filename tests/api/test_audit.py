"""Auditors through the API (issue 5): state as of any moment, verification, dossier, replay,
and the access trail every audit read lands in."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from api.gateway import query_state
from tests.api.helpers import act, create_case
from tests.conftest import Stack
from tests.samples import LIFECYCLE

PURPOSE = {"purpose": "区政法委专项督查复核"}


async def test_state_as_of_five_instants_equals_the_workflows_state_then(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    mediator, auditor = clients["mediator"], clients["auditor"]
    case = await create_case(mediator, risk_level="major")
    case_id = case["case_id"]
    captured: list[tuple[datetime, dict[str, Any]]] = []
    capture_after = {"accept", "plan", "start_mediation", "record_agreement", "close"}
    for action in LIFECYCLE:
        response = await act(mediator, case_id, action)
        assert response.status_code == 200, response.text
        if action in capture_after:
            state = await query_state(stack.client, case_id)  # the workflow's own state
            assert state is not None
            captured.append((datetime.now(UTC), state))
    assert len(captured) == 5
    for instant, expected in captured:
        answer = await auditor.get(
            f"/v1/cases/{case_id}/state",
            params={"as_of": instant.isoformat(), "reveal": "true", **PURPOSE},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        shown = {key: value for key, value in body["state"].items() if key != "labels"}
        assert shown == expected
        assert body["stage"] == expected["stage"]
        assert body["seq"] == expected["seq"]
        assert body["policy_version"] == expected["policy"]["version"]
        assert body["open_alerts"] == [a for a in expected["alerts"] if a["status"] == "open"]
    first = captured[0][1]
    assert first["plans"] == []
    planned = (
        await auditor.get(
            f"/v1/cases/{case_id}/state", params={"as_of": captured[1][0].isoformat(), **PURPOSE}
        )
    ).json()
    assert planned["plan_revision"] == 1
    assert planned["stage"] == captured[1][1]["stage"]
    before = captured[0][1]["registered"]["at"]
    too_early = await auditor.get(
        f"/v1/cases/{case_id}/state",
        params={
            "as_of": (datetime.fromisoformat(before) - timedelta(days=1)).isoformat(),
            **PURPOSE,
        },
    )
    assert too_early.status_code == 404
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    refused = await auditor.get(f"/v1/cases/{case_id}/state", params={"as_of": future, **PURPOSE})
    assert refused.status_code == 422
    assert refused.json()["field"] == "as_of"


async def test_audit_reads_need_a_purpose_and_land_in_the_access_trail(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator, auditor = clients["mediator"], clients["auditor"]
    case_id = (await create_case(mediator))["case_id"]
    reads = [
        f"/v1/cases/{case_id}/verify",
        f"/v1/cases/{case_id}/state",
        f"/v1/cases/{case_id}/timeline",
        f"/v1/cases/{case_id}/dossier",
        f"/v1/cases/{case_id}/replay",
    ]
    for path in reads:
        for stated in ({}, {"purpose": "    "}, {"purpose": " 查 "}):  # blanks state nothing
            refused = await auditor.get(path, params=stated)
            assert refused.status_code == 422, (path, stated)
            assert "purpose" in refused.json()["field"]
    purpose = f"纪检复查 {case_id}"
    for path in reads:
        response = await auditor.get(path, params={"purpose": f"  {purpose} "})
        assert response.status_code == 200, (path, response.text)
    trail = await auditor.get(
        "/v1/audit/access-trail", params={"case_id": case_id, "purpose": "查阅留痕"}
    )
    assert trail.status_code == 200, trail.text
    # The trail read itself comes first: it is recorded before the answer (finding 12).
    read_itself, *entries = trail.json()["items"]
    assert (read_itself["endpoint"], read_itself["purpose"]) == (
        "GET /v1/audit/access-trail",
        "查阅留痕",
    )
    assert len(entries) == len(reads)
    assert {entry["purpose"] for entry in entries} == {purpose}
    assert {entry["principal_id"] for entry in entries} == {"wuming"}
    assert {entry["endpoint"].split("?")[0] for entry in entries} == {
        "GET /v1/cases/{id}/" + path.rsplit("/", 1)[1] for path in reads
    }
    # Another district's auditor sees neither the case nor its trail.
    other = clients["other_auditor"]
    assert (await other.get(reads[0], params={"purpose": purpose})).status_code == 404
    theirs = await other.get(
        "/v1/audit/access-trail", params={"case_id": case_id, "purpose": "查阅留痕"}
    )
    # Only their own read of the trail (recorded in their district), none of the case's reads.
    assert [entry["principal_id"] for entry in theirs.json()["items"]] == ["zhengyu"]


async def test_timeline_filters_by_type_and_time_and_reads_in_chinese(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    case_id = (await create_case(mediator))["case_id"]
    for action in ("accept", "plan"):
        assert (await act(mediator, case_id, action)).status_code == 200
    whole = (await mediator.get(f"/v1/cases/{case_id}/timeline")).json()["entries"]
    assert all(entry["summary"] and entry["label"] and entry["actor"] for entry in whole)
    plans = await mediator.get(f"/v1/cases/{case_id}/timeline", params={"type": "plan_revised"})
    assert [entry["type"] for entry in plans.json()["entries"]] == ["plan_revised"]
    assert plans.json()["entries"][0]["label"] == "一案一策"
    accepted_at = next(e["at"] for e in whole if e["type"] == "case_accepted")
    later = await mediator.get(f"/v1/cases/{case_id}/timeline", params={"since": accepted_at})
    assert {entry["type"] for entry in later.json()["entries"]} >= {"case_accepted", "plan_revised"}
    assert "case_registered" not in {entry["type"] for entry in later.json()["entries"]}
    unknown = await mediator.get(f"/v1/cases/{case_id}/timeline", params={"type": "nonsense"})
    assert unknown.status_code == 422


async def test_verify_through_the_api_names_an_edited_event(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    mediator, auditor = clients["mediator"], clients["auditor"]
    case_id = (await create_case(mediator))["case_id"]
    assert (await act(mediator, case_id, "accept")).status_code == 200
    intact = (await auditor.get(f"/v1/cases/{case_id}/verify", params=PURPOSE)).json()
    assert intact["ok"] is True
    async with stack.engine.begin() as connection:
        # Only the database owner can write past the append-only triggers.
        triggers: list[Any] = []
        if stack.backend == "postgresql":
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            triggers = list(
                await connection.execute(
                    text(
                        "SELECT name, sql FROM sqlite_master "
                        "WHERE type = 'trigger' AND tbl_name = 'case_events'"
                    )
                )
            )
            for name, _ in triggers:
                await connection.execute(text(f"DROP TRIGGER {name}"))
        await connection.execute(
            text("UPDATE case_events SET actor = '某人' WHERE case_id = :c AND seq = 2"),
            {"c": case_id},
        )
        for _, sql in triggers:
            await connection.execute(text(sql))
    broken = (await auditor.get(f"/v1/cases/{case_id}/verify", params=PURPOSE)).json()
    assert broken["ok"] is False
    assert broken["first_broken"]["seq"] == 2


async def test_the_dossier_is_json_or_a_printable_chinese_pdf(
    clients: dict[str, httpx.AsyncClient], tmp_path: Path
) -> None:
    mediator, auditor = clients["mediator"], clients["auditor"]
    case = await create_case(mediator, title="王某与赵某宅基地通道纠纷")
    case_id = case["case_id"]
    for action in ("accept", "plan", "assign_package_leader", "start_mediation"):
        assert (await act(mediator, case_id, action)).status_code == 200
    document = await auditor.get(f"/v1/cases/{case_id}/dossier", params=PURPOSE)
    assert document.status_code == 200, document.text
    body = document.json()
    assert body["verification"]["ok"] is True
    assert body["purpose"] == PURPOSE["purpose"]
    assert "110101199003071233" not in document.text  # masked unless revealed
    pdf = await auditor.get(f"/v1/cases/{case_id}/dossier", params={"format": "pdf", **PURPOSE})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "dossier.pdf"
    path.write_bytes(pdf.content)
    for tool in ("pdftoppm", "pdftotext"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install poppler-utils"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page-*.png"))
    extracted = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "案件卷宗" in extracted
    assert "宅基地通道纠纷" in extracted


@pytest.mark.parametrize("role", ["mediator", "town_leader", "system_admin"])
async def test_only_auditors_use_the_audit_endpoints(
    clients: dict[str, httpx.AsyncClient], role: str
) -> None:
    case_id = (await create_case(clients["mediator"]))["case_id"]
    for path in ("verify", "state", "dossier", "replay"):
        response = await clients[role].get(f"/v1/cases/{case_id}/{path}", params=PURPOSE)
        assert response.status_code == 403, (role, path)
    trail = await clients[role].get("/v1/audit/access-trail", params=PURPOSE)
    assert trail.status_code == 403
