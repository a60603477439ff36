"""The dossier's 风险研判 and 领导批示 sections: JSON and PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from activities.reports.dossier import build_dossier
from activities.reports.dossier_model import Dossier
from activities.reports.pdf.document import render_dossier_pdf
from domain.registers.accountability import AccountabilityRecord
from tests.activities.reports.dossier_support import run, squeeze, tool
from tests.domain.handoff_cases import Case

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


def _led() -> Case:
    case = Case()
    case.do("accept")
    case.do(
        "reassess_risk",
        risk_level="major",
        flags={"collective": True},
        reasons="四十余名工人聚集讨薪",
    )
    case.do("issue_instruction", text="请三日内化解并报告", deadline="2026-03-05")
    case.do("answer_instruction", instruction_no=1, result="已约见双方，达成分期支付意向")
    case.do("reassess_risk", risk_level="elevated", flags={}, reasons="已分期支付首笔工资")
    return case


def test_the_dossier_lists_every_assessment_and_instruction_with_its_answer() -> None:
    document = _dossier(_led()).model_dump(mode="json")
    first, second = document["risk_assessments"]
    assert (first["previous_level_label"], first["risk_level_label"]) == ("一般", "重大")
    assert first["flags"] == ["群体性"]
    assert len(first["alert_ids"]) == 2  # 直报 and the 群体性 report
    assert (second["risk_level_label"], second["alert_ids"]) == ("较大", [])
    (instruction,) = document["instructions"]
    assert instruction["source_label"] == "领导批示"
    assert instruction["deadline"] == "2026-03-05"
    assert instruction["result"] == "已约见双方，达成分期支付意向"
    assert [rule["rule_id"] for rule in document["policy"]["rules"]].count("I1") == 1


def test_a_case_without_them_has_empty_sections() -> None:
    dossier = _dossier(Case())
    assert (dossier.risk_assessments, dossier.instructions) == ([], [])


def test_the_pdf_prints_assessments_and_instructions(tmp_path: Path) -> None:
    pdftotext = tool("pdftotext", "poppler-utils")
    pdf = tmp_path / "leaders.pdf"
    pdf.write_bytes(render_dossier_pdf(_dossier(_led())))
    text = squeeze(run(pdftotext, str(pdf), "-"))
    assert "风险研判" in text
    assert "四十余名工人聚集讨薪" in text
    assert "领导批示" in text
    assert "已约见双方" in text


def test_the_pdf_prints_the_summonses_about_the_case(tmp_path: Path) -> None:
    case = _led()
    summons = AccountabilityRecord(
        record_id="YT-0123456789abcdef0123",
        kind="summon",
        subject_kind="organisation",
        organisation="xw-dxg-committee",
        organisation_name="大行宫社区人民调解委员会",
        jurisdiction_code="320102001002",
        case_id=case.state.case_id,
        held_on="2026-03-10",
        facts="批示落实迟缓",
        decisions="限期整改",
        by_user_id="zhoujun",
        by_name="周军",
    )
    dossier = build_dossier(
        case.state,
        case.events,
        {"ok": True},
        generated_at=GENERATED,
        generated_by="审计员 周敏",
        purpose="档案归档",
        accountability=[summons],
    )
    (entry,) = dossier.model_dump(mode="json")["accountability"]
    assert (entry["kind_label"], entry["subject"]) == ("约谈", "大行宫社区人民调解委员会")
    pdftotext = tool("pdftotext", "poppler-utils")
    pdf = tmp_path / "summons.pdf"
    pdf.write_bytes(render_dossier_pdf(dossier))
    text = squeeze(run(pdftotext, str(pdf), "-"))
    assert "约谈通报" in text
    assert "批示落实迟缓" in text
