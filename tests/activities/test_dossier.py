"""The case dossier (卷宗): the JSON document, and a PDF whose Chinese a machine can read back.

Legibility is proven, not assumed: each PDF page is rasterised with ``pdftoppm`` and the first
page read back with Tesseract's simplified-Chinese model; tofu boxes would read as nothing.
``pdftoppm``, ``pdftotext`` and ``tesseract`` (with ``chi_sim``) are required: CI installs
them (``.ci/run``), and a machine without them fails here rather than skipping.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

import activities.reports
from activities.policy.book import PolicyBook
from activities.policy.calendar_data import package_calendar
from activities.reports.dossier import build_dossier
from activities.reports.dossier_model import Dossier
from activities.reports.pdf.document import render_dossier_pdf
from activities.reports.pdf.fonts import (
    PACKAGED_CJK_FONT,
    PdfFontUnavailable,
    find_cjk_font,
    register_cjk_font,
)
from activities.tasks.policy import calendar_slice
from domain import commands as c
from domain.decide import advance, decide, snapshot_policy
from domain.events import Event
from domain.evolve import fold
from domain.policy import case_policy
from domain.privacy import mask_document
from domain.stages import Stage
from domain.state import CaseState
from domain.values import china_date
from tests.samples import PETITION_INTAKE, command, intake_body, register

CASE_ID = "JF-2026-000123"
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in China
CLEAR_ID = "110101199003071233"
CLEAR_PHONE = "13812345678"
TITLE = "张某与李某宅基地通道相邻通行纠纷"

DESCRIPTION = (
    "申请人张某与被申请人李某系长江路社区前后相邻住户。自二〇二五年冬季起，李某在两户之间约"
    "一米五宽的公共通道内长期堆放翻建房屋所用的砖块、钢筋和木料，致使张某家中年逾八旬、行动"
    "不便的老人无法正常出入，救护车亦难以通行。双方为此多次发生争吵，并曾引发肢体冲突，社区"
    "网格员两次上门劝解未果。张某要求李某立即清理通道、恢复原状，并赔偿因绕行产生的交通费用；"
    "李某称建材仅为临时堆放，待房屋翻建完毕即行清理，且认为张某家的围墙亦占用部分公共通道。"
    "因涉及周边多户居民出行，矛盾有激化风险。"
)


def _envelope(n: int, actor: str, cmd: c.Command) -> c.CommandEnvelope:
    return c.CommandEnvelope(command_id=f"cmd-{n:03d}", actor=actor, command=cmd)


@cache
def _dispute() -> tuple[CaseState, tuple[Event, ...]]:
    """A neighbourhood dispute driven through its whole life, with clocks, alerts and Chinese.

    register (major risk: 直报) → accept → plan → package leader → mediation → appraisal pause →
    two sessions → agreement with two items → judicial confirmation → court acceptance →
    confirmed → a warning before an item falls due → two follow-ups → close.
    """
    events: list[Event] = []
    state: CaseState | None = None

    def record(recorded: list[Event]) -> None:
        nonlocal state
        events.extend(recorded)
        state = fold(recorded, state)

    def run(n: int, at: datetime, actor: str, cmd: c.Command) -> None:
        record(decide(state, _envelope(n, actor, cmd), now=at))

    def day(days: float) -> datetime:
        return T0 + timedelta(days=days)

    def on(days: float, action: str, **overrides: Any) -> c.Command:
        return command(action, china_date(day(days)), **overrides)

    intake = register(
        CASE_ID,
        title=TITLE,
        description=DESCRIPTION,
        risk_level="major",
        flags={"collective": True},
        received_on="2026-03-01",
        respondents=[
            {"name": "李娜", "phone": "13987654321", "address": "长江路14号"},
            {"name": "长江路社区居民委员会", "party_type": "organisation"},
        ],
    )
    run(1, T0, "登记员 刘敏", intake)
    assert state is not None
    calendar = calendar_slice(package_calendar(), 2026, 3)
    policy = case_policy(
        PolicyBook.load().for_jurisdiction(state.jurisdiction.code),
        calendar,
        kind=state.kind,
        category=state.category,
        channel=state.channel,
        risk=state.risk_level,
    )
    record(snapshot_policy(state, policy, actor="系统", command_id="cmd-001", now=T0))
    run(2, day(0.05), "王芳", on(0, "accept", note="属人民调解受理范围，予以受理"))
    run(
        3,
        day(1),
        "王芳",
        on(
            1,
            "plan",
            measures=[
                "实地查看通道堆放情况并拍照固定",
                "分别约谈张某、李某了解诉求，并邀请社区法律顾问释法",
                "组织双方及相邻住户召开面对面调解会",
                "协调街道城管中队督促清理超期堆放的建材",
            ],
            deadline="2026-03-31",
        ),
    )
    run(4, day(1.1), "王芳", on(1, "assign_package_leader", reason="涉及多户居民，矛盾易激化"))
    run(5, day(2), "王芳", on(2, "start_mediation"))
    run(6, day(3), "王芳", on(3, "pause_clock", note="委托测绘机构对通道宽度及围墙位置进行测量"))
    run(
        7,
        day(4),
        "王芳",
        on(
            4,
            "record_session",
            counselling=True,
            summary=(
                "双方陈述各自意见。张某情绪激动，调解员进行心理疏导；李某表示愿意在房屋翻建期间"
                "预留一米宽通道，但不同意赔偿交通费用。"
            ),
        ),
    )
    run(8, day(6), "王芳", c.ResumeClock(clock_id="B2"))
    run(
        9,
        day(9),
        "王芳",
        on(
            9,
            "record_session",
            mediators=["王芳", "赵强"],
            attendees=["张伟", "李娜", "社区法律顾问孙律师"],
            summary="测绘结果显示张某围墙未占用通道。经释法说理，李某同意清理建材并补偿交通费。",
        ),
    )
    run(10, day(9.2), "陈建国", c.AcknowledgeAlert(alert_id=f"{CASE_ID}-A1", note="已阅，亲自督办"))
    run(
        11,
        day(10),
        "王芳",
        on(
            10,
            "record_agreement",
            terms=(
                "一、李某于二〇二六年三月十七日前将通道内堆放的建材全部清理完毕，此后不再占用；"
                "二、李某于二〇二六年三月二十四日前一次性补偿张某交通费人民币八百元；"
                "三、双方今后友好相处，不再就此事发生争执。"
            ),
            items=[
                {"description": "李某清理通道内全部建材", "due_on": "2026-03-17"},
                {"description": "李某补偿张某交通费八百元", "due_on": "2026-03-24"},
            ],
        ),
    )
    run(12, day(11), "王芳", on(11, "apply_judicial_confirmation"))
    run(13, day(12), "王芳", on(12, "record_court_acceptance"))
    run(14, day(13), "王芳", on(13, "record_court_decision", ruling_number="(2026)苏0102民特45号"))
    # The first item's warning falls due two days before 2026-03-17 24:00.
    assert state is not None
    record(advance(state, now=day(13.9)))
    run(
        15,
        day(15),
        "王芳",
        on(
            15,
            "record_follow_up",
            performance=[
                {"item_no": 1, "status": "performed"},
                {"item_no": 2, "status": "partial"},
            ],
            satisfaction="basically_satisfied",
            notes="通道已清理，交通费已支付四百元，余款约定下周付清。",
        ),
    )
    run(
        16,
        day(22),
        "王芳",
        on(
            22,
            "record_follow_up",
            performance=[{"item_no": 2, "status": "performed"}],
            notes="余款已付清，双方关系缓和。",
        ),
    )
    run(17, day(23), "王芳", on(23, "close", remark="协议履行完毕，矛盾纠纷化解"))
    assert state is not None
    assert state.stage is Stage.CLOSED
    return state, tuple(events)


def _masked(state: CaseState) -> CaseState:
    """What the API hands over: personal data masked (model_copy: masked text fails validation)."""

    def mask(party: Any) -> Any:
        update: dict[str, Any] = {}
        if party.id_number:
            update["id_number"] = party.id_number[:4] + "*" * 10 + party.id_number[-4:]
        if party.phone:
            update["phone"] = party.phone[:3] + "****" + party.phone[-4:]
        return party.model_copy(update=update)

    return state.model_copy(
        update={
            "applicants": tuple(mask(p) for p in state.applicants),
            "respondents": tuple(mask(p) for p in state.respondents),
        }
    )


def _verification(events: tuple[Event, ...], **overrides: Any) -> dict[str, Any]:
    return {
        "ok": True,
        "events": len(events),
        "head_hash": "9f2c" + "0" * 56 + "a1b2",
        "first_broken": None,
        "read_model_matches": True,
        **overrides,
    }


def _dossier(**verification: Any) -> Dossier:
    state, events = _dispute()
    return build_dossier(
        _masked(state),
        events,
        _verification(events, **verification),
        generated_at=T0 + timedelta(days=30),
        generated_by="档案管理员 周丽",
        purpose="司法局年度卷宗评查",
    )


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (apt-get install {package}); CI installs it")
    return path


def _run(*args: str, timeout: float = 120) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed: {done.stderr}"
    return done.stdout


def _squeeze(text: str) -> str:
    """OCR and pdftotext put spaces and line breaks between CJK characters: drop them."""
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------------------------------
# The JSON document
# ------------------------------------------------------------------------------------------


def test_dossier_holds_the_whole_case_with_chinese_labels() -> None:
    state, events = _dispute()
    dossier = _dossier().model_dump(mode="json")

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

    assert dossier["verification"] == _verification(events)
    assert (dossier["generated_by"], dossier["purpose"]) == (
        "档案管理员 周丽",
        "司法局年度卷宗评查",
    )
    assert dossier["generated_at"] == "2026-04-01T09:30:00+08:00"
    json.dumps(dossier, ensure_ascii=False)  # JSON-ready as it stands


def test_parties_are_shown_as_given_and_the_timeline_repeats_no_personal_data() -> None:
    _, events = _dispute()
    assert CLEAR_ID in events[0].model_dump_json()  # the registration event holds it in clear
    dossier = _dossier().model_dump(mode="json")
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
    document = _dossier().model_dump(mode="json")
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
        recorded = decide(state, _envelope(n, "信访干部 马丽", cmd), now=now + timedelta(hours=n))
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


# ------------------------------------------------------------------------------------------
# The PDF
# ------------------------------------------------------------------------------------------


def test_the_pdf_renders_chinese_that_reads_back(tmp_path: Path) -> None:
    pdftoppm = _tool("pdftoppm", "poppler-utils")
    pdftotext = _tool("pdftotext", "poppler-utils")
    tesseract = _tool("tesseract", "tesseract-ocr")
    languages = _run(tesseract, "--list-langs")
    if "chi_sim" not in languages.split():
        pytest.fail("tesseract has no chi_sim model (apt-get install tesseract-ocr-chi-sim)")

    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(render_dossier_pdf(_dossier()))

    _run(pdftoppm, "-r", "150", "-png", str(pdf), str(tmp_path / "page"))
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2, "a whole case does not fit on one page"
    for page in pages:
        with Image.open(page) as image:
            width, height = image.size
            assert width == pytest.approx(1240, abs=1)  # A4 at 150 dpi
            assert height == pytest.approx(1754, abs=1)
            grey = image.convert("L")
            low, _high = grey.getextrema()
            assert low < 100, f"{page.name} has no dark ink: blank"
            assert ImageStat.Stat(grey).mean[0] < 253, f"{page.name} is nearly blank"

    ocr = _squeeze(_run(tesseract, str(pages[0]), "stdout", "-l", "chi_sim", timeout=300))
    for expected in ("案件卷宗", "宅基地通道", "相邻通行纠纷", "链条完整", "当事人", "邻里纠纷"):
        assert expected in ocr, f"OCR did not read {expected!r} on page 1: {ocr[:400]}"

    text = _run(pdftotext, "-layout", str(pdf), "-")
    flat = _squeeze(text)
    for expected in ("案件卷宗", CASE_ID, TITLE, "全程记录", "苏0102民特45号", "第1页/共"):
        assert expected in flat, f"pdftotext did not extract {expected!r}"
    assert "司法局年度卷宗评查" in flat  # purpose in the footer
    assert CLEAR_ID not in flat
    assert "1101**********1233" in flat


def test_the_font_is_embedded(tmp_path: Path) -> None:
    pdffonts = _tool("pdffonts", "poppler-utils")
    pdf = tmp_path / "dossier.pdf"
    # As stored or sent: the dossier after a JSON round trip prints the same.
    pdf.write_bytes(render_dossier_pdf(Dossier.model_validate_json(_dossier().model_dump_json())))
    listing = _run(pdffonts, str(pdf)).splitlines()[2:]
    cjk = [line for line in listing if "WenQuanYi" in line or "CJK" in line or "+" in line]
    assert cjk, f"no CJK font in the PDF: {listing}"
    for line in cjk:
        columns = line.split()
        emb, sub, uni = columns[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line


def test_a_broken_chain_is_stated_on_the_first_page(tmp_path: Path) -> None:
    pdftotext = _tool("pdftotext", "poppler-utils")
    broken = {
        "seq": 7,
        "reason": "hash_mismatch",
        "message_zh": "第 7 号事件的内容与其哈希不符（记录已被改动）",
        "message_en": "event 7: the stored hash does not match its content (altered)",
    }
    pdf = tmp_path / "tampered.pdf"
    pdf.write_bytes(render_dossier_pdf(_dossier(ok=False, first_broken=broken)))

    first_page = _squeeze(_run(pdftotext, "-f", "1", "-l", "1", str(pdf), "-"))
    assert "发现篡改：第7号事件（seq7）" in first_page
    assert "记录已被改动" in first_page
    assert "链条完整" not in first_page


def test_long_text_wraps_inside_the_page(tmp_path: Path) -> None:
    pdftotext = _tool("pdftotext", "poppler-utils")
    dossier = _dossier().model_dump(mode="json")
    long_terms = "李某应当按期清理通道并承担相应费用。" * 60
    dossier["agreements"][0]["terms"] = long_terms
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_dossier_pdf(Dossier.model_validate(dossier)))
    text = _run(pdftotext, "-layout", str(pdf), "-")
    # Every line of the A4 page stays short: the CJK text was broken, not run off the edge.
    assert max(len(line.strip()) for line in text.splitlines()) < 130
    assert _squeeze(text).count("李某应当按期清理通道并承担相应费用。") == 60


def test_no_usable_font_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttf"
    with pytest.raises(PdfFontUnavailable) as raised:
        render_dossier_pdf(_dossier(), font_path=missing)
    assert raised.value.code == "pdf_font_unavailable"
    assert "字体" in raised.value.message_zh
    assert "font" in raised.value.message_en
    assert raised.value.searched == (str(missing),)

    garbage = tmp_path / "garbage.ttf"
    garbage.write_bytes(b"not a font at all")
    with pytest.raises(PdfFontUnavailable, match="TrueType"):
        render_dossier_pdf(_dossier(), font_path=garbage)


def test_a_cjk_font_is_found_without_configuration() -> None:
    found = find_cjk_font(None)
    assert found == PACKAGED_CJK_FONT, "the package ships WenQuanYi Micro Hei"
    assert found.is_relative_to(Path(activities.reports.__file__).parent)
    register_cjk_font(found)  # a TrueType font with Chinese glyphs, or PdfFontUnavailable
