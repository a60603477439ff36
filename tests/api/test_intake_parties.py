"""A real dispute at intake over HTTP: a twelve-worker wage dispute with two representatives and
an agent, read back masked; a petition's parties named 信访人 / 被反映人 in its dossier."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx

from domain.parties import credit_code_check
from tests.api.helpers import create_case, create_petition
from tests.samples import intake_body

_BASE = "91320102MA1MXPQ75"
CREDIT_CODE = _BASE + credit_code_check(_BASE)
PURPOSE = {"purpose": "区政法委专项督查复核"}

WORKERS: dict[str, Any] = {
    "name": "周建华等12名工人",
    "headcount": 12,
    "address": "南京市玄武区某工地",
    "representatives": [
        {"name": "周建华", "id_number": "320102198506123454", "phone": "13912345678"},
        {"name": "李明", "phone": "13912340000"},
    ],
}
COMPANY: dict[str, Any] = {
    "name": "金陵建筑工程有限公司",
    "party_type": "organisation",
    "credit_code": CREDIT_CODE,
    "legal_representative": "钱海",
}
AGENT: dict[str, Any] = {
    "name": "王律师",
    "relation": "lawyer",
    "employer": "江苏某律师事务所",
    "authority": "special",
    "powers": "代为承认、放弃、变更请求，代为达成调解协议",
    "phone": "13800001234",
    "represents": [{"side": "applicants", "index": 0}],
}


async def test_a_twelve_worker_wage_dispute_is_registered_and_read_back_masked(
    api: httpx.AsyncClient,
) -> None:
    case = await create_case(
        api,
        title="十二名工人追索劳动报酬",
        category="labour",
        applicants=[WORKERS],
        respondents=[COMPANY],
        third_parties=[{"name": "张三", "gender": "male", "birth_date": "1985-06-12"}],
        agents=[AGENT],
    )
    read = (await api.get(f"/v1/cases/{case['case_id']}")).json()
    workers = read["applicants"][0]
    assert workers["headcount"] == 12
    assert [r["name"] for r in workers["representatives"]] == ["周建华", "李明"]
    assert workers["representatives"][0]["id_number"] == "3201**********3454"
    assert workers["representatives"][0]["phone"] == "139****5678"
    assert read["respondents"][0]["credit_code"] == CREDIT_CODE
    assert read["third_parties"][0]["birth_date"] == "1985-**-**"
    agent = read["agents"][0]
    assert agent["authority"] == "special"
    assert agent["phone"] == "138****1234"
    assert agent["represents"] == [{"side": "applicants", "index": 0}]
    assert "13912345678" not in str(read)
    assert "1985-06-12" not in str(read)
    assert workers["address"] == "南京市玄武区****"  # 住址 shown to the district, like a phone
    assert "某工地" not in str(read)


async def test_an_agent_for_no_party_and_a_bad_credit_code_are_refused(
    api: httpx.AsyncClient,
) -> None:
    stray = {**AGENT, "represents": [{"side": "respondents", "index": 3}]}
    refused = await api.post("/v1/cases", json=intake_body(applicants=[WORKERS], agents=[stray]))
    assert refused.status_code == 422
    assert "代理的当事人不存在" in refused.text
    bad = {**COMPANY, "credit_code": CREDIT_CODE[:17] + ("0" if CREDIT_CODE[17] != "0" else "1")}
    refused = await api.post("/v1/cases", json=intake_body(respondents=[bad]))
    assert refused.status_code == 422
    assert "credit_code" in refused.text
    assert "校验位错误" in refused.text


async def test_a_petition_names_its_parties_as_petitioner_and_the_one_complained_of(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient]
) -> None:
    petition = await create_petition(
        api,
        respondents=[COMPANY],
        agents=[{**AGENT, "authority": "general", "powers": ""}],
    )
    auditor = clients["auditor"]
    dossier = (await auditor.get(f"/v1/cases/{petition['case_id']}/dossier", params=PURPOSE)).json()
    agents = dossier["parties"]["agents"]
    assert agents[0]["represents"] == ["信访人1"]
    assert agents[0]["authority_label"] == "一般授权"
    assert dossier["parties"]["respondents"][0]["credit_code"] == CREDIT_CODE


async def test_the_dossier_shows_the_group_its_representatives_and_the_agent_masked(
    api: httpx.AsyncClient, clients: dict[str, httpx.AsyncClient], tmp_path: Path
) -> None:
    case = await create_case(
        api,
        title="十二名工人追索劳动报酬",
        category="labour",
        applicants=[WORKERS],
        respondents=[COMPANY],
        third_parties=[{"name": "张三", "gender": "male", "birth_date": "1985-06-12"}],
        agents=[AGENT],
    )
    path = f"/v1/cases/{case['case_id']}/dossier"
    auditor = clients["auditor"]
    dossier = (await auditor.get(path, params=PURPOSE)).json()
    parties = dossier["parties"]
    assert parties["applicants"][0]["headcount"] == 12
    assert parties["applicants"][0]["representatives"][0]["id_number"] == "3201**********3454"
    assert parties["third_parties"][0]["birth_date"] == "1985-**-**"
    assert parties["third_parties"][0]["gender_label"] == "男"
    assert parties["agents"][0]["represents"] == ["申请人1"]
    assert parties["agents"][0]["relation_label"] == "律师"

    pdf = await auditor.get(path, params={"format": "pdf", **PURPOSE})
    assert pdf.status_code == 200
    (tmp_path / "dossier.pdf").write_bytes(pdf.content)
    text = "".join(
        subprocess.run(
            ["pdftotext", str(tmp_path / "dossier.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    )
    for expected in ("人数12", "代表人周建华", "王律师", "第三人", "特别授权", "法定代表人钱海"):
        assert expected in text, expected
    for clear in ("13912345678", "320102198506123454", "1985-06-12", "某工地"):
        assert clear not in text
