"""The building blocks every section is laid out with: paragraphs, numbered headings (一、二、…),
ruled tables across the page and label/value grids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from activities.reports.pdf.styles import ACCENT, CONTENT_WIDTH, HEADER_FILL, RULE, Styles
from activities.reports.pdf.text import numeral, text


class Layout:
    """One document's styles and section counter; sections are laid out in the order they ask
    for headings, which numbers them."""

    def __init__(self, font: str) -> None:
        self.font = font
        self.s = Styles(font)
        self._section = 0
        # A column that holds ``2026-03-02 09:30`` on one line, cell padding included.
        self.when_mm = (
            pdfmetrics.stringWidth("2026-03-02 09:30", font, self.s.cell.fontSize) + 10
        ) / mm

    def para(
        self, value: object, style: ParagraphStyle | None = None, *, markup: bool = False
    ) -> Paragraph:
        """A paragraph of ``value`` (escaped), or of ready ``markup``."""
        return Paragraph(str(value) if markup else text(value), style or self.s.body)

    def heading(self, title: str) -> list[Flowable]:
        """The next numbered section heading, kept with the start of its section."""
        self._section += 1
        return [
            CondPageBreak(40 * mm),
            self.para(f"{numeral(self._section)}、{title}", self.s.h1),
            HorizontalRule(CONTENT_WIDTH, ACCENT, 0.8),
            Spacer(1, 3),
        ]

    def table(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[Any]],
        widths_mm: Sequence[float | None],
    ) -> Table:
        """A ruled table across the page; a ``None`` width takes what the others leave."""
        fixed = sum(w for w in widths_mm if w is not None) * mm
        flexible = sum(1 for w in widths_mm if w is None)
        if flexible:
            rest = (CONTENT_WIDTH - fixed) / flexible
            widths = [rest if w is None else w * mm for w in widths_mm]
        else:
            widths = [w * mm * CONTENT_WIDTH / fixed for w in widths_mm if w is not None]
        data: list[list[Any]] = []
        if header:
            data.append([self.para(h, self.s.head) for h in header])
        for row in rows:
            data.append([c if isinstance(c, Flowable) else self.para(c, self.s.cell) for c in row])
        table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        style: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
        table.setStyle(TableStyle(style))
        return table

    def fields(self, pairs: Sequence[tuple[str, object]], *, columns: int = 2) -> Table:
        """A label/value grid: ``columns`` pairs per row, labels shaded."""
        rows: list[list[Any]] = []
        for start in range(0, len(pairs), columns):
            row: list[Any] = []
            for label, value in pairs[start : start + columns]:
                row += [self.para(label, self.s.head), self.para(value, self.s.cell)]
            row += [Paragraph("", self.s.cell)] * (2 * columns - len(row))
            rows.append(row)
        widths = [22, 65] * columns if columns == 2 else [26, 148]
        table = self.table(None, rows, widths)
        table.setStyle(
            TableStyle(
                [("BACKGROUND", (c, 0), (c, -1), HEADER_FILL) for c in range(0, 2 * columns, 2)]
            )
        )
        return table


class HorizontalRule(Flowable):
    """A horizontal line under a heading."""

    def __init__(self, width: float, color: colors.Color, thickness: float) -> None:
        super().__init__()
        self.width = width
        self.color = color
        self.thickness = thickness
        self.height = thickness

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, 0, self.width, 0)
