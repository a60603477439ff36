"""Issue 20's acceptance flow over HTTP, for any running system (real processes, or the console's
server): a case from a town leader's reception, the leader's 批示, the mediator's 落实反馈, the
county leader's 挂牌督办, a refused 摘牌 while unresolved, the agreement, the 摘牌; then the
timeline and the dossier (JSON and PDF) show all of it.

The case is registered from the town leader's reception log (channel 领导接访, the leader as
包案领导).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.samples import action_bodies, china_today, intake_body

PURPOSE = {"purpose": "挂牌督办案件归档核查"}
INSTRUCTION = "请包案领导三日内约见双方，当面化解并报告结果"
ANSWER = "已约见双方，达成分期支付意向"


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def _act(client: httpx.AsyncClient, case_id: str, path: str, body: dict[str, Any]) -> Any:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    return await client.post(f"/v1/cases/{case_id}/{path}", json=body, headers=headers)


async def run_listing_flow(clients: dict[str, httpx.AsyncClient]) -> dict[str, Any]:
    """The flow; ``clients``: mediator (王芳), town_leader (刘强), county_leader (周军), auditor.
    Returns the case as it ended (delisted)."""
    mediator, town, county = clients["mediator"], clients["town_leader"], clients["county_leader"]
    today = china_today()
    bodies = action_bodies(today)
    # 领导接访: the town leader receives a visitor and registers the case from the reception
    # (channel leader_reception, the receiving leader as 包案领导).
    visitor = {"name": "张伟", "phone": "13812345678", "matter": "反映工地拖欠工资"}
    reception = await _ok(
        await town.post(
            "/v1/receptions",
            json={
                "received_on": today.isoformat(),
                "place": "梅园新村街道综治中心接待室",
                "organisation": "xw-center",
                "visitors": [visitor],
                "note": "每周三领导接访日",
            },
        )
    )
    title = f"工地欠薪纠纷（领导接访）{uuid.uuid4().hex[:4]}"
    intake = intake_body(title=title, risk_level="elevated")
    body = {k: v for k, v in intake.items() if k not in ("channel", "applicants")}
    case = await _ok(
        await town.post(
            f"/v1/receptions/{reception['reception_id']}/cases",
            json={**body, "visitors": [0]},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    )
    assert case["channel"] == "leader_reception"
    assert [p["leader_name"] for p in case["package_leaders"]] == ["刘强"]
    case_id = case["case_id"]
    for path, step in (
        ("accept", bodies["accept"]),
        ("plan", bodies["plan"]),
        ("start-mediation", bodies["start_mediation"]),
    ):
        await _ok(await _act(mediator, case_id, path, step))

    # 批示 by the town leader, with a deadline; the mediator answers it (落实反馈).
    deadline = (today + timedelta(days=3)).isoformat()
    await _ok(
        await _act(town, case_id, "instructions", {"text": INSTRUCTION, "deadline": deadline})
    )
    due = await _ok(await mediator.get("/v1/worklist", params={"group": "instruction_due"}))
    assert case_id in {item["case_id"] for item in due["items"]}
    await _ok(
        await _act(
            mediator, case_id, "instructions/answer", {"instruction_no": 1, "result": ANSWER}
        )
    )

    # 挂牌督办 by the county leader; the town leader may not list (policy: county leaders).
    listing = {
        "deadline": (today + timedelta(days=30)).isoformat(),
        "supervising_unit": "xw-county-center",
        "reason": "欠薪人数多、久调未决，县级领导挂牌督办",
    }
    refused = await _act(town, case_id, "listing", listing)
    assert refused.status_code == 403, refused.text
    listed = await _ok(await _act(county, case_id, "listing", listing))
    assert [x["delisted_at"] for x in listed["listings"]] == [None]
    for who in (mediator, town, county):
        page = await _ok(await who.get("/v1/cases", params={"listed": "true", "limit": "200"}))
        assert case_id in {item["case_id"] for item in page["items"]}

    # Not resolved yet: 摘牌 refused, nothing changes.
    early = await _act(county, case_id, "delisting", {"note": "同意摘牌"})
    assert early.status_code == 409, early.text
    assert early.json()["message_zh"].startswith("案件尚未化解，不能摘牌")
    same = await _ok(await county.get(f"/v1/cases/{case_id}"))
    assert same["seq"] == listed["seq"]

    # Resolved (调解协议), then delisted by the lister.
    agreed = await _ok(await _act(mediator, case_id, "agreement", bodies["record_agreement"]))
    assert agreed["stage"] == "agreement_reached"
    ended = await _ok(await _act(county, case_id, "delisting", {"note": "已达成协议，同意摘牌"}))
    assert ended["listings"][0]["delisted_by"] == "周军 (zhoujun)"
    page = await _ok(await county.get("/v1/cases", params={"listed": "true", "limit": "200"}))
    assert case_id not in {item["case_id"] for item in page["items"]}
    await check_record(clients["auditor"], case_id)
    return ended


async def check_record(auditor: httpx.AsyncClient, case_id: str) -> None:
    """The timeline and the dossier (JSON and PDF) hold the instruction and its answer, the
    listing, the refused-then-approved delisting."""
    timeline = await _ok(await auditor.get(f"/v1/cases/{case_id}/timeline", params=PURPOSE))
    labels = [entry["label"] for entry in timeline["entries"]]
    for label in ("登记", "领导批示", "落实反馈", "挂牌督办", "摘牌"):
        assert any(label in text for text in labels), (label, labels)
    dossier = await _ok(await auditor.get(f"/v1/cases/{case_id}/dossier", params=PURPOSE))
    (instruction,) = dossier["instructions"]
    assert (instruction["text"], instruction["result"]) == (INSTRUCTION, ANSWER)
    (listing,) = dossier["listings"]
    assert (listing["listed"], listing["delist_note"]) == (False, "已达成协议，同意摘牌")
    pdf = await auditor.get(
        f"/v1/cases/{case_id}/dossier", params={**PURPOSE, "format": "pdf"}, timeout=120
    )
    assert pdf.status_code == 200, pdf.text
    text = _pdf_text(pdf.content)
    for expected in ("领导批示", INSTRUCTION[:12], ANSWER[:8], "挂牌督办", "已摘牌"):
        assert expected in text, expected


def _pdf_text(content: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext is not installed (apt-get install poppler-utils)"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dossier.pdf"
        path.write_bytes(content)
        done = subprocess.run(
            [pdftotext, str(path), "-"], capture_output=True, text=True, timeout=120, check=True
        )
    return re.sub(r"\s+", "", done.stdout)
