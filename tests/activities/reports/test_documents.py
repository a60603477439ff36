"""文书 printed from hand-built cases: each kind as PDF (read back with pdftotext) and .docx
(read back with python-docx) carries the parties, terms, dates and 文号 where they belong; one
page read by OCR proves the Chinese legible; a missing field refuses the document, named."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from activities.reports.documents.printing import check_printable, print_document
from activities.reports.documents.templates import TemplateError, TemplateSet, load_templates
from activities.reports.documents.word import docx_text
from domain.case.events import DocumentIssued
from domain.case.issued import DocumentKind
from domain.case.state import CaseState
from domain.errors import DomainError, ForbiddenTransition, InvalidCommand
from tests.activities.reports.documents_support import DISPUTE_AGREED, build, issued, petition

K = DocumentKind
TEMPLATES = load_templates()
NUMBER_TEXT = "（2026）玄调字第12号"


def _texts(body: DocumentIssued, state: CaseState, tmp_path: Path) -> tuple[str, str]:
    """(pdftotext of the PDF, text of the .docx), spaces and line breaks removed."""
    code = state.jurisdiction.code
    pdf = print_document(
        TEMPLATES, body.kind, body.fields, jurisdiction_code=code, masked=False, format="pdf"
    )
    word = print_document(
        TEMPLATES, body.kind, body.fields, jurisdiction_code=code, masked=False, format="docx"
    )
    path = tmp_path / f"{body.kind.value}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    squeeze = str.maketrans("", "", " \n\u3000")
    return out.stdout.decode().translate(squeeze), docx_text(word).translate(squeeze)


# kind, the case's actions, the words the document must carry (besides title and number)
DISPUTE = {
    K.APPLICATION: (
        [],
        [
            "申请人：张伟",
            "110101199003071233",
            "长江路12号",
            "被申请人：李娜",
            "堆放建材",
            "2026年3月2日",
        ],
    ),
    K.ORAL_APPLICATION: ([], ["申请人：张伟", "口头方式", "堆放建材", "登记日期：2026年3月2日"]),
    K.ACCEPTANCE: (["accept"], ["张伟：", "张某与李某相邻通行纠纷", "于2026年3月2日决定受理"]),
    K.DECLINE: (["decline"], ["张伟：", "不属于人民调解范围", "区人民法院"]),
    K.SESSION_RECORD: (
        ["accept", "start_mediation", "record_session"],
        [
            "调解时间：2026年3月2日（第1次调解）",
            "调解员：王芳",
            "参加人员：张伟、李娜",
            "李某同意考虑清理建材",
        ],
    ),
    K.AGREEMENT: (
        DISPUTE_AGREED,
        [
            "甲方（申请人）：张伟",
            "乙方（被申请人）：李娜",
            "李某于三日内清理通道建材",
            "李某清理通道建材",
            "2026年3月5日",
            "人民调解员：王芳、赵强",
            "梅园新村街道人民调解委员会（盖章）",
            "甲方（签名或盖章）",
        ],
    ),
    K.TERMINATION: (
        ["accept", "start_mediation", "record_mediation_failure"],
        ["申请人：张伟", "双方分歧较大", "仲裁、行政、司法等途径", "诉讼"],
    ),
    K.CONFIRMATION_APPLICATION: (
        [*DISPUTE_AGREED, "apply_judicial_confirmation"],
        [
            "请求玄武区人民法院确认",
            "于2026年3月2日经梅园新村街道人民调解委员会",
            "李某于三日内清理通道建材",
            "申请日期：2026年3月2日",
        ],
    ),
    K.FOLLOW_UP_RECORD: (
        [*DISPUTE_AGREED, "record_follow_up"],
        ["回访时间：2026年3月2日（第1次回访）", "李某清理通道建材", "已履行", "满意", "通道已清理"],
    ),
}
PETITION = {
    K.PETITION_ACCEPTANCE: (["accept"], ["张伟：", "已于2026年3月2日依法受理"]),
    K.PETITION_DECLINE: (["decline"], ["张伟：", "不属于人民调解范围", "本机关不予受理"]),
    K.HANDLING_OPINION: (
        ["accept", "reply"],
        ["信访人：张伟", "对信访人诉求依法予以支持", "请求复查"],
    ),
    K.REVIEW_OPINION: (
        ["accept", "reply", "request_review", "answer_review"],
        ["对处理意见不服", "经复查，维持原处理意见", "请求复核"],
    ),
    K.SECOND_REVIEW_OPINION: (
        [
            "accept",
            "reply",
            "request_review",
            "answer_review",
            "request_second_review",
            "answer_second_review",
        ],
        ["对复查意见不服", "经复核，维持复查意见", "不再受理"],
    ),
}


def test_every_kind_has_a_case_here() -> None:
    assert set(DISPUTE) | set(PETITION) == set(K)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) needed")
@pytest.mark.parametrize("kind", list(K), ids=lambda k: k.value)
def test_each_kind_prints_what_the_case_recorded(kind: DocumentKind, tmp_path: Path) -> None:
    actions, words = (DISPUTE | PETITION)[kind]
    state = petition(actions) if kind in PETITION else build(actions)
    body = issued(state, kind)
    pdf, word = _texts(body, state, tmp_path)
    for text in (pdf, word):
        assert body.fields.document_title in text
        assert NUMBER_TEXT in text
        for expected in words:
            assert expected in text, (kind, expected)
        assert "None" not in text


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract needed")
def test_the_chinese_of_a_printed_agreement_is_legible_to_ocr(tmp_path: Path) -> None:
    state = build(DISPUTE_AGREED)
    body = issued(state, K.AGREEMENT)
    pdf = print_document(
        TEMPLATES, body.kind, body.fields, jurisdiction_code="320102", masked=False, format="pdf"
    )
    (tmp_path / "a.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            str(tmp_path / "a.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    read = (
        subprocess.run(
            ["tesseract", str(page), "-", "-l", "chi_sim"], capture_output=True, check=True
        )
        .stdout.decode()
        .replace(" ", "")
    )
    for expected in ("人民调解协议书", "张伟", "李娜", "清理"):
        assert expected in read, expected


def test_a_template_field_the_case_lacks_refuses_naming_it() -> None:
    """The agreement's template asks for the applicant's address (当事人的基本情况)."""
    no_address = [{"name": "张伟", "phone": "13812345678"}]
    state = build(DISPUTE_AGREED, applicants=no_address)
    with pytest.raises(InvalidCommand) as refused:
        check_printable(TEMPLATES, state, K.AGREEMENT, None)
    assert refused.value.field == "applicants.address"
    assert "申请人住址" in refused.value.message_zh


def test_a_required_fact_not_recorded_refuses_naming_it() -> None:
    """A 司法确认申请书 needs the court: none recorded yet, the document is refused."""
    state = build(DISPUTE_AGREED)
    with pytest.raises(InvalidCommand) as refused:
        issued(state, K.CONFIRMATION_APPLICATION)
    assert refused.value.field == "court"
    assert "受理法院" in refused.value.message_zh


def test_a_document_of_a_step_not_reached_is_refused() -> None:
    with pytest.raises(ForbiddenTransition):
        issued(build(["accept"]), K.AGREEMENT)
    with pytest.raises(DomainError):
        issued(build(["accept"]), K.HANDLING_OPINION)  # a petition's paper on a dispute


def test_a_masked_copy_hides_ids_and_phones_and_says_so(tmp_path: Path) -> None:
    from domain.people.privacy import mask_document

    state = build(DISPUTE_AGREED)
    body = issued(state, K.AGREEMENT)
    masked, _ = mask_document(body.fields.model_dump(mode="json"))
    fields = type(body.fields).model_validate(masked)
    word = docx_text(
        print_document(
            TEMPLATES, body.kind, fields, jurisdiction_code="320102", masked=True, format="docx"
        )
    )
    assert "110101199003071233" not in word
    assert "13812345678" not in word
    assert "1101**********1233" in word
    assert "脱敏副本" in word


def _overlay(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_template_naming_an_unknown_field_refuses_to_load(tmp_path: Path) -> None:
    bad = '{"kind": "agreement", "blocks": [{"type": "text", "text": "{agreement_termz}"}]}'
    with pytest.raises(TemplateError, match="agreement_termz"):
        load_templates(_overlay(tmp_path, "agreement.json", bad))


def test_a_template_set_missing_a_kind_refuses_to_load(tmp_path: Path) -> None:
    shipped = load_templates()
    partial = TemplateSet(
        templates=tuple(t for t in shipped.templates if t.kind is not K.AGREEMENT)
    )
    assert partial  # the check is made when loading files: remove one from a copy of the folder
    folder = tmp_path / "set"
    folder.mkdir()
    from activities.reports.documents import templates as module

    for path in module.SHIPPED.glob("*.json"):
        if path.name != "agreement.json":
            (folder / path.name).write_bytes(path.read_bytes())
    original = module.SHIPPED
    module.SHIPPED = folder
    try:
        with pytest.raises(TemplateError, match="agreement.json"):
            load_templates()
    finally:
        module.SHIPPED = original


def test_a_jurisdiction_template_words_its_cases_only(tmp_path: Path) -> None:
    local = (
        '{"kind": "acceptance", "jurisdiction": "320102", "title": "玄武区人民调解受理通知书",'
        ' "blocks": [{"type": "title"}, {"type": "number"}, {"type": "closing"}]}'
    )
    overlay = load_templates(_overlay(tmp_path, "acceptance.320102.json", local))
    assert overlay.for_case(K.ACCEPTANCE, "320102001002").title == "玄武区人民调解受理通知书"
    assert overlay.for_case(K.ACCEPTANCE, "320104001").title is None


def test_the_api_refuses_to_start_with_a_broken_template_set(tmp_path: Path) -> None:
    from activities.runtime.settings import Settings
    from api.app import create_app

    bad = '{"kind": "decline", "blocks": [{"type": "text", "text": "{reason_why}"}]}'
    folder = _overlay(tmp_path, "decline.json", bad)
    with pytest.raises(TemplateError, match=r"decline\.json.*reason_why"):
        create_app(Settings(document_templates_dir=folder))
