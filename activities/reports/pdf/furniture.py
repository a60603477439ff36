"""Page furniture (页眉页脚): the running header (case, title, integrity verdict) and footer
(who generated the dossier, when, why; 第 N 页 / 共 M 页) drawn on every page."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from activities.reports.dossier_model import DOSSIER_TITLE, Dossier
from activities.reports.pdf.styles import (
    BAD_INK,
    CONTENT_WIDTH,
    MARGIN_X,
    MUTED,
    OK_INK,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
)
from activities.reports.pdf.text import fit, verification_summary, when


def canvas_class(dossier: Dossier, font: str) -> type[Canvas]:
    """A canvas that draws the running header and footer once the page count is known."""
    case_id = dossier.case.case_id
    title = dossier.case.title
    ok, line = verification_summary(dossier.verification, short=True)
    purpose = dossier.purpose or "未注明"
    footer = (
        f"生成时间：{when(dossier.generated_at)}　"
        f"生成人：{dossier.generated_by or '—'}　用途：{purpose}"
    )

    class DossierCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        # Pages are kept until the end so each can say how many there are in all.
        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            top = PAGE_HEIGHT - 13 * mm
            bottom = 11 * mm
            right = PAGE_WIDTH - MARGIN_X
            self.saveState()
            self.setFont(font, 8.5)
            self.setFillColor(MUTED)
            status = f"完整性校验：{line}"
            status = fit(status, font, 8.5, CONTENT_WIDTH * 0.5)
            self.setFillColor(OK_INK if ok else BAD_INK)
            self.drawRightString(right, top, status)
            self.setFillColor(MUTED)
            head = f"{DOSSIER_TITLE}　{case_id}　{title}"
            width = CONTENT_WIDTH - pdfmetrics.stringWidth(status, font, 8.5) - 6 * mm
            self.drawString(MARGIN_X, top, fit(head, font, 8.5, width))
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, top - 2.5 * mm, right, top - 2.5 * mm)
            self.line(MARGIN_X, bottom + 4 * mm, right, bottom + 4 * mm)
            page = f"第 {self.getPageNumber()} 页 / 共 {total} 页"
            self.drawRightString(right, bottom, page)
            room = CONTENT_WIDTH - pdfmetrics.stringWidth(page, font, 8.5) - 6 * mm
            self.drawString(MARGIN_X, bottom, fit(footer, font, 8.5, room))
            self.restoreState()

    return DossierCanvas
