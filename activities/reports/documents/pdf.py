"""A document printed as an A4 PDF in Chinese: the shipped CJK font embedded, places to sign and
seal left blank (or carrying the handwritten signatures captured on the tablet), 第 N 页 / 共 M 页
and the 文号 on every page."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from activities.reports.documents.compose import Laid
from activities.reports.pdf.fonts import find_cjk_font, register_cjk_font, teach_line_breaking
from activities.reports.pdf.styles import INK, MUTED, RULE
from domain.case.issued import SignatureMark

MARGIN = 25 * mm
WIDTH = A4[0] - 2 * MARGIN
SIGNATURE_HEIGHT = 14 * mm


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "doc-body",
        fontName=font,
        fontSize=12,
        leading=21,
        textColor=INK,
        wordWrap="CJK",
        firstLineIndent=24,
    )
    return {
        "text": body,
        "title": ParagraphStyle(
            "doc-title",
            parent=body,
            fontSize=20,
            leading=30,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceAfter=6,
        ),
        "number": ParagraphStyle(
            "doc-number", parent=body, alignment=TA_RIGHT, firstLineIndent=0, spaceAfter=8
        ),
        "heading": ParagraphStyle(
            "doc-heading", parent=body, firstLineIndent=0, spaceBefore=6, fontSize=12.5
        ),
        "note": ParagraphStyle(
            "doc-note",
            parent=body,
            fontSize=9.5,
            leading=14,
            textColor=MUTED,
            alignment=TA_CENTER,
            firstLineIndent=0,
        ),
        "closing": ParagraphStyle(
            "doc-closing", parent=body, alignment=TA_RIGHT, firstLineIndent=0
        ),
        "cell": ParagraphStyle(
            "doc-cell", parent=body, fontSize=10.5, leading=15, firstLineIndent=0
        ),
        "sign": ParagraphStyle("doc-sign", parent=body, firstLineIndent=0, leading=34),
        "cell-sign": ParagraphStyle("doc-cell-sign", parent=body, firstLineIndent=0),
        "signer": ParagraphStyle(
            "doc-signer",
            parent=body,
            fontSize=9,
            leading=12,
            firstLineIndent=0,
            alignment=TA_CENTER,
        ),
    }


def _markup(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def _signature_image(data: bytes, max_width: float) -> Image:
    """A signature image scaled to the line's height (narrower when the place is shared)."""
    width, height = ImageReader(io.BytesIO(data)).getSize()
    shown_height = SIGNATURE_HEIGHT
    shown_width = shown_height * width / height
    if shown_width > max_width:
        shown_width, shown_height = max_width, max_width * height / width
    return Image(io.BytesIO(data), width=shown_width, height=shown_height)


def _signed_line(
    line: str,
    marks: list[SignatureMark],
    images: Mapping[str, bytes],
    s: dict[str, ParagraphStyle],
) -> Flowable:
    """A place to sign carrying the handwritten signatures captured for it, each image over the
    signer's name, the day of the latest beside them."""
    label_width, date_width = 48 * mm, 44 * mm
    room = WIDTH - label_width - date_width
    each = room / len(marks)
    cells: list[list[Flowable]] = [
        [_signature_image(images[m.sha256], each - 2 * mm) for m in marks],
        [Paragraph(escape(m.name), s["signer"]) for m in marks],
    ]
    signatures = Table(cells, colWidths=[each] * len(marks), hAlign="LEFT")
    signatures.setStyle(
        TableStyle(
            [
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    row = [
        Paragraph(f"{escape(line)}：", s["cell-sign"]),
        signatures,
        Paragraph(f"日期：{escape(marks[-1].signed_on)}", s["cell-sign"]),
    ]
    table = Table([row], colWidths=[label_width, room, date_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _story(
    laid: list[Laid], s: dict[str, ParagraphStyle], images: Mapping[str, bytes]
) -> list[Flowable]:
    story: list[Flowable] = []
    for block in laid:
        if block.kind in ("title", "number", "text", "heading", "note"):
            story.append(Paragraph(_markup(block.text), s[block.kind]))
        elif block.kind == "table":
            data = [[Paragraph(_markup(c), s["cell"]) for c in row] for row in block.rows]
            columns = len(block.rows[0])
            first = 14 * mm
            rest = (WIDTH - first) / (columns - 1) if columns > 1 else WIDTH
            widths = [first] + [rest] * (columns - 1)
            if columns >= 3:  # the description takes the room the dates leave
                narrow = 30 * mm
                widths = [first, WIDTH - first - narrow * (columns - 2)] + [narrow] * (columns - 2)
            table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [Spacer(1, 4), table, Spacer(1, 6)]
        elif block.kind == "signatures":
            story.append(Spacer(1, 10))
            for line, marks in zip(block.lines, block.signed, strict=True):
                drawn = [m for m in marks if m.sha256 in images]
                if drawn:
                    story.append(_signed_line(line, drawn, images, s))
                    continue
                story.append(
                    Paragraph(
                        f"{escape(line)}：＿＿＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日",
                        s["sign"],
                    )
                )
        elif block.kind == "closing":
            # The seal goes over the organisation's name: room is left above it.
            closing = [Paragraph(_markup(line), s["closing"]) for line in block.lines]
            story.append(KeepTogether([Spacer(1, 28), *closing]))
    return story


def _canvas(number: str, font: str) -> type[Canvas]:
    class DocumentCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                self.saveState()
                self.setFont(font, 9)
                self.setFillColor(MUTED)
                footer = f"{number}　第 {self.getPageNumber()} 页 / 共 {total} 页"
                self.drawCentredString(A4[0] / 2, 12 * mm, footer)
                self.restoreState()
                super().showPage()
            super().save()

    return DocumentCanvas


def render_document_pdf(
    laid: list[Laid],
    *,
    title: str,
    number: str,
    font_path: Path | None = None,
    images: Mapping[str, bytes] | None = None,
) -> bytes:
    """The laid-out document as A4 PDF bytes (PdfFontUnavailable when no CJK font); ``images``:
    the handwritten signatures by SHA-256 (a place whose image is not given stays blank)."""
    font = register_cjk_font(find_cjk_font(font_path))
    teach_line_breaking()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{title} {number}",
        creator="Fengqiao 枫桥",
        lang="zh-CN",
    )
    doc.build(_story(laid, _styles(font), images or {}), canvasmaker=_canvas(number, font))
    return buffer.getvalue()
