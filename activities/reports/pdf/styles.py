"""The dossier's look: A4 page geometry, colours and paragraph styles (版式)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
# platypus frames pad their content by 6 pt; the page margins leave room for it so text, tables
# and the running header and footer share the same edges.
FRAME_PADDING = 6

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1f3a68")
RULE = colors.HexColor("#9aa5b8")
HEADER_FILL = colors.HexColor("#e8ecf3")
OK_FILL = colors.HexColor("#e3f2e5")
OK_INK = colors.HexColor("#1b5e20")
BAD_FILL = colors.HexColor("#fbe3e1")
BAD_INK = colors.HexColor("#b71c1c")


class Styles:
    """The paragraph styles, all in the one embedded CJK font, wrapping Chinese anywhere."""

    def __init__(self, font: str) -> None:
        base = ParagraphStyle(
            "body",
            fontName=font,
            fontSize=10,
            leading=15,
            textColor=INK,
            wordWrap="CJK",
        )
        self.body = base
        self.title = ParagraphStyle(
            "title", parent=base, fontSize=24, leading=32, alignment=TA_CENTER, textColor=ACCENT
        )
        self.case_no = ParagraphStyle(
            "case_no", parent=base, fontSize=14, leading=20, alignment=TA_CENTER
        )
        self.subtitle = ParagraphStyle(
            "subtitle", parent=base, fontSize=12, leading=18, alignment=TA_CENTER
        )
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontSize=13.5,
            leading=19,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        )
        self.h2 = ParagraphStyle(
            "h2", parent=base, fontSize=11, leading=16, textColor=ACCENT, spaceBefore=6
        )
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8.8, leading=12.5)
        self.head = ParagraphStyle("head", parent=self.cell, textColor=ACCENT)
        self.note = ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=MUTED)
        self.banner = ParagraphStyle("banner", parent=base, fontSize=11.5, leading=17)
