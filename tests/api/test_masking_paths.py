"""Personal data written in any common form is masked on every way out (issue 16, finding 7):
the case JSON, the list and search hits, the timeline, the alert, the dossier PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx

from tests.api.helpers import create_case
from tests.privacy_samples import DESCRIPTION, TITLE, clear_personal_data


async def test_every_way_out_masks_numbers_in_every_written_form(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], tmp_path: Path
) -> None:
    assert clear_personal_data(TITLE + DESCRIPTION)  # the check has teeth
    case = await create_case(api, title=TITLE, description=DESCRIPTION, risk_level="major")
    case_id = case["case_id"]
    leader, auditor = clients["town_leader"], clients["auditor"]
    purpose = {"purpose": "区政法委专项督查复核"}

    outputs = {
        "intake answer": str(case),
        "case JSON": (await api.get(f"/v1/cases/{case_id}")).text,
        "case JSON (consistent)": (
            await api.get(f"/v1/cases/{case_id}", params={"consistent": "true"})
        ).text,
        "leader's case JSON": (await leader.get(f"/v1/cases/{case_id}")).text,
        "timeline": (await api.get(f"/v1/cases/{case_id}/timeline")).text,
        "list": (await api.get("/v1/cases", params={"q": "相邻通行", "limit": 200})).text,
        "search hit": (await leader.get("/v1/cases", params={"q": "138"})).text,
        "alerts": (await leader.get("/v1/alerts", params={"case_id": case_id})).text,
        "dossier JSON": (await auditor.get(f"/v1/cases/{case_id}/dossier", params=purpose)).text,
    }
    [alert] = (await leader.get("/v1/alerts", params={"case_id": case_id})).json()["items"]
    outputs["alert"] = (await leader.get(f"/v1/alerts/{alert['alert_id']}")).text
    assert "相邻通行纠纷" in alert["title"]
    assert case_id in outputs["search hit"]

    pdf = await auditor.get(f"/v1/cases/{case_id}/dossier", params={"format": "pdf", **purpose})
    assert pdf.status_code == 200
    path = tmp_path / "dossier.pdf"
    path.write_bytes(pdf.content)
    assert shutil.which("pdftotext"), "pdftotext is missing: apt-get install poppler-utils"
    outputs["dossier PDF"] = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "相邻通行纠纷" in outputs["dossier PDF"]

    leaks = {name: found for name, text in outputs.items() if (found := clear_personal_data(text))}
    assert leaks == {}
    # Masked, not dropped: the reader still sees the shape and the last digits.
    assert "138-****-5678" in outputs["case JSON"]
    assert "3201 **** **** **12 32" in outputs["case JSON"]
    assert "12000元" in outputs["case JSON"]
    assert "2026-09-10" in outputs["case JSON"]
