"""The dossier printed as a PDF: legible Chinese (read back by pdftotext and OCR), the embedded
font, page layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageStat

import activities.reports
from activities.reports.dossier_model import Dossier
from activities.reports.pdf.document import render_dossier_pdf
from activities.reports.pdf.fonts import (
    PACKAGED_CJK_FONT,
    PdfFontUnavailable,
    find_cjk_font,
    register_cjk_font,
)
from tests.activities.reports.dossier_support import (
    CASE_ID,
    CLEAR_ID,
    TITLE,
    built_dossier,
    run,
    squeeze,
    tool,
)

# ------------------------------------------------------------------------------------------
# The PDF
# ------------------------------------------------------------------------------------------


def test_the_pdf_renders_chinese_that_reads_back(tmp_path: Path) -> None:
    pdftoppm = tool("pdftoppm", "poppler-utils")
    pdftotext = tool("pdftotext", "poppler-utils")
    tesseract = tool("tesseract", "tesseract-ocr")
    languages = run(tesseract, "--list-langs")
    if "chi_sim" not in languages.split():
        pytest.fail("tesseract has no chi_sim model (apt-get install tesseract-ocr-chi-sim)")

    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(render_dossier_pdf(built_dossier()))

    run(pdftoppm, "-r", "150", "-png", str(pdf), str(tmp_path / "page"))
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

    ocr = squeeze(run(tesseract, str(pages[0]), "stdout", "-l", "chi_sim", timeout=300))
    for expected in ("案件卷宗", "宅基地通道", "相邻通行纠纷", "链条完整", "当事人", "邻里纠纷"):
        assert expected in ocr, f"OCR did not read {expected!r} on page 1: {ocr[:400]}"

    text = run(pdftotext, "-layout", str(pdf), "-")
    flat = squeeze(text)
    for expected in (
        "案件卷宗",
        CASE_ID,
        TITLE,
        "全程记录",
        "苏0102民特45号",
        "第1页/共",
        "节假日数据版本",
        "国务院办公厅节假日安排",
    ):
        assert expected in flat, f"pdftotext did not extract {expected!r}"
    assert "司法局年度卷宗评查" in flat  # purpose in the footer
    assert CLEAR_ID not in flat
    assert "1101**********1233" in flat


def test_the_font_is_embedded(tmp_path: Path) -> None:
    pdffonts = tool("pdffonts", "poppler-utils")
    pdf = tmp_path / "dossier.pdf"
    # As stored or sent: the dossier after a JSON round trip prints the same.
    pdf.write_bytes(
        render_dossier_pdf(Dossier.model_validate_json(built_dossier().model_dump_json()))
    )
    listing = run(pdffonts, str(pdf)).splitlines()[2:]
    cjk = [line for line in listing if "WenQuanYi" in line or "CJK" in line or "+" in line]
    assert cjk, f"no CJK font in the PDF: {listing}"
    for line in cjk:
        columns = line.split()
        emb, sub, uni = columns[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line


def test_a_broken_chain_is_stated_on_the_first_page(tmp_path: Path) -> None:
    pdftotext = tool("pdftotext", "poppler-utils")
    broken = {
        "seq": 7,
        "reason": "hash_mismatch",
        "message_zh": "第 7 号事件的内容与其哈希不符（记录已被改动）",
        "message_en": "event 7: the stored hash does not match its content (altered)",
    }
    pdf = tmp_path / "tampered.pdf"
    pdf.write_bytes(render_dossier_pdf(built_dossier(ok=False, first_broken=broken)))

    first_page = squeeze(run(pdftotext, "-f", "1", "-l", "1", str(pdf), "-"))
    assert "发现篡改：第7号事件（seq7）" in first_page
    assert "记录已被改动" in first_page
    assert "链条完整" not in first_page


def test_long_text_wraps_inside_the_page(tmp_path: Path) -> None:
    pdftotext = tool("pdftotext", "poppler-utils")
    dossier = built_dossier().model_dump(mode="json")
    long_terms = "李某应当按期清理通道并承担相应费用。" * 60
    dossier["agreements"][0]["terms"] = long_terms
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_dossier_pdf(Dossier.model_validate(dossier)))
    text = run(pdftotext, "-layout", str(pdf), "-")
    # Every line of the A4 page stays short: the CJK text was broken, not run off the edge.
    assert max(len(line.strip()) for line in text.splitlines()) < 130
    assert squeeze(text).count("李某应当按期清理通道并承担相应费用。") == 60


def test_no_usable_font_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttf"
    with pytest.raises(PdfFontUnavailable) as raised:
        render_dossier_pdf(built_dossier(), font_path=missing)
    assert raised.value.code == "pdf_font_unavailable"
    assert "字体" in raised.value.message_zh
    assert "font" in raised.value.message_en
    assert raised.value.searched == (str(missing),)

    garbage = tmp_path / "garbage.ttf"
    garbage.write_bytes(b"not a font at all")
    with pytest.raises(PdfFontUnavailable, match="TrueType"):
        render_dossier_pdf(built_dossier(), font_path=garbage)


def test_a_cjk_font_is_found_without_configuration() -> None:
    found = find_cjk_font(None)
    assert found == PACKAGED_CJK_FONT, "the package ships WenQuanYi Micro Hei"
    assert found.is_relative_to(Path(activities.reports.__file__).parent)
    register_cjk_font(found)  # a TrueType font with Chinese glyphs, or PdfFontUnavailable
