"""The case dossier (卷宗): the JSON document, and a PDF whose Chinese a machine can read back.

Legibility is proven, not assumed: each PDF page is rasterised with ``pdftoppm`` and the first
page read back with Tesseract's simplified-Chinese model; tofu boxes would read as nothing.
``pdftoppm``, ``pdftotext`` and ``tesseract`` (with ``chi_sim``) are required: CI installs
them (``.ci/run``), and a machine without them fails here rather than skipping.
"""

from __future__ import annotations

import json
from datetime import timedelta

from activities.reports.dossier import build_dossier
from activities.reports.dossier_model import Dossier
from activities.reports.pdf.document import render_dossier_pdf
from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.state import CaseState
from domain.people.privacy import mask_document
from domain.values import china_date
from tests.activities.reports.dossier_support import (
    CASE_ID,
    CLEAR_ID,
    CLEAR_PHONE,
    T0,
    built_dossier,
    dispute,
    envelope,
    verification_facts,
)
from tests.samples import PETITION_INTAKE, command, intake_body

# ------------------------------------------------------------------------------------------
# The JSON document
# ------------------------------------------------------------------------------------------


def test_dossier_holds_the_whole_case_with_chinese_labels() -> None:
    state, events = dispute()
    dossier = built_dossier().model_dump(mode="json")

    case = dossier["case"]
    assert case["case_id"] == CASE_ID
    assert (case["kind_label"], case["category_label"], case["channel_label"]) == (
        "矛盾纠纷",
        "邻里纠纷",
        "来访",
    )
    assert (case["risk_label"], case["risk_flag_labels"]) == ("重大", ["群体性"])
    assert case["stage_label"] == "已销号"
    assert case["jurisdiction"]["label"] == "玄武区梅园新村街道长江路社区"
    assert case["registered"] == {"at": "2026-03-02T09:30:00+08:00", "by": "登记员 刘敏"}

    assert [p["name"] for p in dossier["parties"]["respondents"]] == [
        "李娜",
        "长江路社区居民委员会",
    ]
    assert dossier["parties"]["respondents"][1]["party_type_label"] == "法人或其他组织"
    assert len(dossier["plans"][0]["measures"]) == 4
    assert dossier["package_leaders"][0]["leader_name"] == "陈建国"
    sessions = dossier["mediation_rounds"][0]["sessions"]
    assert [s["session_no"] for s in sessions] == [1, 2]
    assert sessions[0]["counselling"] is True
    agreement = dossier["agreements"][0]
    assert [i["status_label"] for i in agreement["items"]] == ["已履行", "已履行"]
    assert agreement["all_performed"] is True
    confirmation = dossier["judicial_confirmations"][0]
    assert confirmation["accepted_on"] == "2026-03-14"
    assert confirmation["decision"]["decision_label"] == "确认有效"
    assert confirmation["decision"]["ruling_number"] == "(2026)苏0102民特45号"
    assert [v["satisfaction_label"] for v in dossier["follow_ups"]] == ["基本满意", "满意"]
    assert dossier["closure"]["outcome_label"] == "化解成功"
    assert dossier["petition"] is None

    assert state.policy is not None
    assert dossier["policy"]["version"] == state.policy.version
    clocks = {clock["clock_id"]: clock for clock in dossier["clocks"]}
    b2 = clocks["B2"]
    assert b2["pauses"][0]["reason_label"] == "鉴定"
    assert b2["status_label"] == "按期完成"
    assert clocks["PLAN-1"]["due_display"] == "2026-03-31 24:00"
    alerts = {alert["kind"]: alert for alert in dossier["alerts"]}
    assert alerts["major_report"]["status_label"] == "已签收"
    assert alerts["major_report"]["acknowledged_by"] == "陈建国"
    assert alerts["warning"]["kind_label"] == "预警"

    assert [t["seq"] for t in dossier["timeline"]] == [event.seq for event in events]
    by_type = {t["type"]: t for t in dossier["timeline"]}
    assert by_type["case_registered"]["at"] == "2026-03-02T09:30:00+08:00"
    assert by_type["session_recorded"]["label"] == "调解会"
    assert by_type["clock_paused"]["summary"] == f"{b2['name']}因鉴定中止计时"
    assert by_type["court_decision_recorded"]["summary"].startswith("法院裁定确认有效")
    assert by_type["alert_acknowledged"]["actor"] == "陈建国"
    assert all(t["summary"] for t in dossier["timeline"])

    assert dossier["verification"] == verification_facts(events)
    assert (dossier["generated_by"], dossier["purpose"]) == (
        "档案管理员 周丽",
        "司法局年度卷宗评查",
    )
    assert dossier["generated_at"] == "2026-04-01T09:30:00+08:00"
    json.dumps(dossier, ensure_ascii=False)  # JSON-ready as it stands


def test_parties_are_shown_as_given_and_the_timeline_repeats_no_personal_data() -> None:
    _, events = dispute()
    assert CLEAR_ID in events[0].model_dump_json()  # the registration event holds it in clear
    dossier = built_dossier().model_dump(mode="json")
    text = json.dumps(dossier, ensure_ascii=False)

    applicant = dossier["parties"]["applicants"][0]
    assert applicant["id_number"] == "1101**********1233"
    assert applicant["phone"] == "138****5678"
    assert CLEAR_ID not in text
    assert CLEAR_PHONE not in text
    assert "13987654321" not in text


def test_the_document_reads_back_as_the_api_serves_it() -> None:
    """The API masks the JSON document and prints the PDF from it read back as the model:
    nothing is lost or added, also where masking removed the 重点人员 flag."""
    document = built_dossier().model_dump(mode="json")
    for see_watched in (True, False):
        masked, _ = mask_document(document, reveal=False, see_watched=see_watched)
        assert ("watched" in masked["parties"]["applicants"][0]) is see_watched
        again = Dossier.model_validate(masked).model_dump(mode="json")
        assert json.dumps(again, ensure_ascii=False) == json.dumps(masked, ensure_ascii=False)


def test_a_petition_dossier_carries_its_answers() -> None:
    now = T0
    state: CaseState | None = None
    events: list[Event] = []
    cmds: list[c.Command] = [
        c.Register.model_validate({**intake_body(**PETITION_INTAKE), "case_id": "XF-2026-000007"}),
        command("accept", china_date(now)),
        command("reply", china_date(now)),
        command("request_review", china_date(now)),
        command("answer_review", china_date(now)),
    ]
    for n, cmd in enumerate(cmds, start=1):
        recorded = decide(state, envelope(n, "信访干部 马丽", cmd), now=now + timedelta(hours=n))
        events += recorded
        state = fold(recorded, state)
    assert state is not None

    built = build_dossier(
        state,
        events,
        {"ok": True, "events": len(events), "head_hash": None, "first_broken": None},
        generated_at=now + timedelta(days=1),
        generated_by="信访干部 马丽",
        purpose=None,
    )
    dossier = built.model_dump(mode="json")

    petition = dossier["petition"]
    assert [a["level_label"] for a in petition["answers"]] == ["处理意见", "复查意见"]
    assert petition["answers"][1]["answer"] == "经复查，维持原处理意见。"
    assert dossier["case"]["kind_label"] == "信访事项"
    assert render_dossier_pdf(built).startswith(b"%PDF-")


def test_a_receipt_left_to_default_is_the_day_of_registration_in_the_dossier() -> None:
    """收到日期 left empty at intake is the day of registration, as on the case page."""
    from activities.reports.sections.case import summary

    state, _ = dispute()
    defaulted = state.model_copy(update={"received_on": None})
    assert summary(defaulted).received_on == china_date(state.registered.at)
    assert summary(state).received_on == state.received_on
