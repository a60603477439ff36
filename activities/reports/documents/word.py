"""A document as an editable Word file (.docx) the office finishes and prints in Word or WPS.

python-docx writes it: A4, 宋体 for the Chinese (the East Asian font slot, which Word and WPS read
for CJK text), the same blocks and blank places to sign and seal as the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from activities.reports.documents.compose import Laid

CHINESE_FONT = "宋体"
BLANK_PLACE = "＿＿＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日"
_ALIGN = {
    "title": WD_ALIGN_PARAGRAPH.CENTER,
    "note": WD_ALIGN_PARAGRAPH.CENTER,
    "number": WD_ALIGN_PARAGRAPH.RIGHT,
    "closing": WD_ALIGN_PARAGRAPH.RIGHT,
}


def render_document_docx(
    laid: list[Laid], *, title: str, number: str, images: Mapping[str, bytes] | None = None
) -> bytes:
    """The laid-out document as .docx bytes; ``images``: the handwritten signatures by SHA-256,
    placed at their places to sign (a place without its image stays blank)."""
    shown = images or {}
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(25))
    normal = document.styles["Normal"]
    normal.font.name = CHINESE_FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CHINESE_FONT)
    document.core_properties.title = f"{title} {number}"
    section.footer.paragraphs[0].text = number
    section.footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in laid:
        if block.kind == "table":
            table = document.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value
            continue
        if block.kind == "signatures":
            for line, marks in zip(block.lines, block.signed, strict=True):
                drawn = [m for m in marks if m.sha256 in shown]
                paragraph = document.add_paragraph()
                paragraph.paragraph_format.space_before = Pt(14)
                if not drawn:
                    paragraph.add_run(f"{line}：{BLANK_PLACE}")
                    continue
                paragraph.add_run(f"{line}：")
                for mark in drawn:  # the image, then the signer's name beside it
                    paragraph.add_run().add_picture(io.BytesIO(shown[mark.sha256]), height=Mm(12))
                    paragraph.add_run(f"（{mark.name}）　")
                paragraph.add_run(f"日期：{drawn[-1].signed_on}")
            continue
        if block.kind == "closing":
            document.add_paragraph().paragraph_format.space_before = Pt(24)  # the seal's place
            for line in block.lines:
                document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
            continue
        paragraph = document.add_paragraph()
        run = paragraph.add_run(block.text)
        if block.kind == "title":
            run.font.size = Pt(20)
            run.bold = True
        elif block.kind == "heading":
            run.bold = True
        elif block.kind == "note":
            run.font.size = Pt(9)
        elif block.kind == "text":
            paragraph.paragraph_format.first_line_indent = Pt(24)
        paragraph.alignment = _ALIGN.get(block.kind, WD_ALIGN_PARAGRAPH.JUSTIFY)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """The words of a .docx, paragraphs and table cells in order (for checks and search)."""
    document = Document(io.BytesIO(data))
    out = [p.text for p in document.paragraphs]
    for table in document.tables:
        out += ["　".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(out)
