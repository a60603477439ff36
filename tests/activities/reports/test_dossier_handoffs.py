"""The dossier's hand-offs section (承办单位与转办交办): JSON and PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from activities.reports.dossier import build_dossier
from activities.reports.dossier_model import Dossier
from activities.reports.pdf.document import render_dossier_pdf
from tests.activities.reports.dossier_support import run, squeeze, tool
from tests.domain.handoff_cases import HRSS, LABOUR_ROOM, POLICE, TOWN, Case, org

GENERATED = datetime(2026, 4, 1, 2, tzinfo=UTC)


def _dossier(case: Case) -> Dossier:
    return build_dossier(
        case.state,
        case.events,
        {"ok": True},
        generated_at=GENERATED,
        generated_by="审计员 周敏",
        purpose="档案归档",
    )


def _handed_off() -> Case:
    case = Case()
    case.do("accept")
    case.do("transfer", to_organisation=org(TOWN), reason="误转乡镇")
    case.do("return", reason="应由村调委会先行调解")
    case.do("assign", department=org(HRSS), deadline="2026-03-10", instructions="核查欠薪情况")
    case.do("report_back", result="已责令企业限期支付工资")
    case.do("assign", department=org(LABOUR_ROOM), deadline="2026-03-12")
    case.do("add_co_handler", organisation=org(POLICE))
    case.do("start_mediation")
    for _ in range(3):
        case.do("record_session")
    case.do("transfer", to_organisation=org(LABOUR_ROOM))
    return case


def test_the_dossier_states_holder_incoming_assignments_and_every_hand_off() -> None:
    document = _dossier(_handed_off()).model_dump(mode="json")
    section = document["handoffs"]
    assert section["holder"]["name"] == "长江路社区人民调解委员会"
    assert section["holder"]["level_label"] == "村（社区）级"
    assert section["incoming"]["org_id"] == LABOUR_ROOM.org_id
    assert [o["org_id"] for o in section["co_handlers"]] == [POLICE.org_id]
    first, second = section["assignments"]
    assert first["result"] == "已责令企业限期支付工资"
    assert first["deadline"] == "2026-03-10"
    assert second["result"] is None
    assert "3次未达成协议" in section["lift_suggestion"]
    assert [entry["kind_label"] for entry in section["log"]] == [
        "分流",
        "转办",
        "退回",
        "交办",
        "办理结果反馈",
        "交办",
        "联合调处",
        "转办",
    ]
    assert section["log"][2]["reason"] == "应由村调委会先行调解"
    rules = {rule["rule_id"]: rule for rule in document["policy"]["rules"]}
    assert rules["A4"]["period_label"] == "按交办单位确定的反馈期限"
    assert rules["TAKE"]["period_label"] == "2个工作日"


def test_a_case_without_organisations_has_no_hand_off_section() -> None:
    assert _dossier(Case(holder=None)).handoffs is None


def test_the_pdf_prints_the_hand_offs(tmp_path: Path) -> None:
    pdftotext = tool("pdftotext", "poppler-utils")
    pdf = tmp_path / "handoffs.pdf"
    pdf.write_bytes(render_dossier_pdf(_dossier(_handed_off())))
    text = squeeze(run(pdftotext, str(pdf), "-"))
    assert "承办单位与转办交办" in text
    assert "待签收转办玄武区劳动争议调解室" in text
    assert "已责令企业限期支付工资" in text
    assert "流转记录" in text
    assert "应由村调委会先行调解" in text
