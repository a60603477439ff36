"""The dossier (案件卷宗) as a printable A4 PDF in Chinese: the sections in order, on pages with
a running header and footer, the CJK font embedded as a subset.

PDF library: reportlab rather than fpdf2. Its platypus layer gives flowing tables that split
across pages with repeated header rows, CJK line breaking (``wordWrap="CJK"``) in every
paragraph and table cell, and TrueType collections embedded with a ToUnicode map.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, SimpleDocTemplate

from activities.reports.dossier_model import DOSSIER_TITLE, Dossier
from activities.reports.pdf import (
    agreement,
    attachments,
    case,
    clocks,
    court,
    handoffs,
    leaders,
    mediation,
    parties,
    petition,
    plans,
    timeline,
    verification,
)
from activities.reports.pdf.fonts import find_cjk_font, register_cjk_font, teach_line_breaking
from activities.reports.pdf.furniture import canvas_class
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.styles import FRAME_PADDING, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X

Section = Callable[[Layout, Dossier], list[Flowable]]

# In the order printed; a section with nothing to show prints nothing and takes no number.
SECTIONS: tuple[Section, ...] = (
    case.cover,
    case.overview,
    parties.parties,
    case.decline,
    handoffs.handoffs,
    leaders.leaders,
    plans.plans,
    plans.package_leaders,
    mediation.mediation,
    agreement.agreements,
    court.judicial_confirmations,
    agreement.follow_ups,
    attachments.attachments,
    petition.petition,
    case.withdrawal,
    case.closure,
    clocks.clocks,
    clocks.alerts,
    timeline.timeline,
    verification.verification,
)


def render_dossier_pdf(dossier: Dossier, *, font_path: Path | None = None) -> bytes:
    """The dossier as a printable A4 PDF in Chinese, the CJK font embedded (as a subset).

    ``font_path`` is the ``pdf_font_path`` setting; unset, the font shipped with the package.
    Raises PdfFontUnavailable when no CJK TrueType font can be used.
    """
    font = register_cjk_font(find_cjk_font(font_path))
    teach_line_breaking()
    layout = Layout(font)
    story = [flowable for section in SECTIONS for flowable in section(layout, dossier)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X - FRAME_PADDING,
        rightMargin=MARGIN_X - FRAME_PADDING,
        topMargin=MARGIN_TOP - FRAME_PADDING,
        bottomMargin=MARGIN_BOTTOM - FRAME_PADDING,
        title=f"{DOSSIER_TITLE} {dossier.case.case_id}",
        subject=dossier.case.title,
        author=dossier.generated_by,
        creator="Fengqiao 枫桥",
        lang="zh-CN",
    )
    doc.build(story, canvasmaker=canvas_class(dossier, font))
    return buffer.getvalue()
