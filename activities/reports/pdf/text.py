"""The words the PDF prints for values: escaped markup, China time, stamps, section numerals,
and the one-line verdict of the integrity check (链条完整 / 发现篡改)."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics

from activities.reports import dossier_model as doc
from activities.reports.sections.parts import Stamp
from domain.values import CHINA_TZ


def text(value: object) -> str:
    """Escaped paragraph markup for any value; newlines kept; empty shown as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return escape(str(value)).replace("\n", "<br/>")


def when(at: datetime | None) -> str:
    """``2026-03-02 09:31``: an instant as China time for people; none shown as a dash."""
    if at is None:
        return "—"
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def stamp_text(stamp: Stamp | None) -> str:
    """``2026-03-02 09:31 王芳``: when and by whom something was recorded."""
    if stamp is None:
        return "—"
    return f"{when(stamp.at)} {stamp.by}".strip()


def yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return "是" if value else "否"


_NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for section numbers)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _NUMERALS[tens - 1] + "十"
    return head + (_NUMERALS[ones - 1] if ones else "")


def fit(value: str, font: str, size: float, width: float) -> str:
    """``value`` shortened with … so it fits ``width`` points."""
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value
    while value and pdfmetrics.stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value + "…"


def verification_summary(
    verification: doc.Verification, *, short: bool = False
) -> tuple[bool, str]:
    """Whether the chain checked out, and one Chinese line saying so (链条完整 / 发现篡改);
    ``short`` leaves out the explanation (for the running header)."""
    ok = verification.ok
    count = verification.events
    broken = verification.first_broken
    if ok:
        line = f"链条完整（共 {count} 个事件）" if count is not None else "链条完整"
    elif broken:
        line = f"发现篡改：第 {broken.seq} 号事件（seq {broken.seq}）"
        if broken.message_zh and not short:
            line += f"，{broken.message_zh}"
    else:
        line = "校验未通过"
    if verification.read_model_matches is False:
        line += "；读模型不一致" if short else "；读模型与事件链不一致"
        ok = False
    return ok, line
