"""The CJK font embedded in PDF documents (中文字体), and the line-breaking rules it is set with.

The font ships with the package (WenQuanYi Micro Hei, ``activities/reports/fonts/``), so a fresh
install prints Chinese without any system font. ``FENGQIAO_PDF_FONT_PATH`` (the ``pdf_font_path``
setting) overrides it; the usual Debian CJK fonts remain a last resort should the packaged file
be missing.

reportlab cannot use CFF-outline fonts (Noto CJK ``.otf``/``.ttc``), hence TrueType fonts only;
a TrueType collection (``.ttc``) is read by ``subfontIndex`` and embedded as a subset with a
ToUnicode map, so any viewer renders the Chinese and text can be copied out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import paragraph as reportlab_paragraph

from activities.reports.dossier_model import DOSSIER_TITLE

# WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0), as Debian's fonts-wqy-microhei ships it.
PACKAGED_CJK_FONT = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"

# CJK TrueType fonts shipped by Debian packages, most legible first:
# fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming, fonts-droid-fallback.
DEBIAN_CJK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


class PdfFontUnavailable(RuntimeError):
    """No usable CJK TrueType font: the PDF cannot be printed legibly (the API answers 503)."""

    code = "pdf_font_unavailable"

    def __init__(self, message_zh: str, message_en: str, *, searched: Sequence[Path]) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en
        self.searched = tuple(str(path) for path in searched)


def find_cjk_font(configured: Path | None = None) -> Path:
    """The font to embed: ``configured`` (``FENGQIAO_PDF_FONT_PATH``) when set, else the
    packaged font (else a Debian CJK font, should the packaged file have been removed)."""
    if configured is not None:
        if configured.is_file():
            return configured
        raise PdfFontUnavailable(
            f"配置的PDF字体文件不存在：{configured}",
            f"the configured PDF font file does not exist: {configured}",
            searched=(configured,),
        )
    candidates = (PACKAGED_CJK_FONT, *DEBIAN_CJK_FONTS)
    for path in candidates:
        if path.is_file():
            return path
    raise PdfFontUnavailable(
        f"未找到中文字体，无法生成PDF卷宗：随包字体 {PACKAGED_CJK_FONT} 缺失，请重新安装，"
        "或设置 FENGQIAO_PDF_FONT_PATH",
        f"no CJK font found, the PDF dossier cannot be printed: the packaged font "
        f"{PACKAGED_CJK_FONT} is missing; reinstall, or set FENGQIAO_PDF_FONT_PATH",
        searched=candidates,
    )


@lru_cache(maxsize=4)
def register_cjk_font(path: Path) -> str:
    """Register ``path`` with reportlab once; its name, checked to hold Chinese glyphs."""
    name = "FengqiaoCJK-" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    try:
        font = TTFont(name, str(path), subfontIndex=0)
    except (TTFError, OSError) as error:
        raise PdfFontUnavailable(
            f"PDF字体无法加载（须为TrueType字体）：{path}",
            f"the PDF font cannot be loaded (a TrueType font is needed): {path}: {error}",
            searched=(path,),
        ) from error
    if not all(ord(ch) in font.face.charToGlyph for ch in DOSSIER_TITLE):
        raise PdfFontUnavailable(
            f"PDF字体不含中文字形：{path}",
            f"the PDF font has no Chinese glyphs: {path}",
            searched=(path,),
        )
    pdfmetrics.registerFont(font)
    return name


# Full-width punctuation that must not start a line (避头点). reportlab's CJK wrapping knows
# 、。） but not ，；：！？ and the closing quotes and brackets: a character in this set hangs at
# the end of the line (标点悬挂) instead of starting the next one.
_CANNOT_START_LINE = "，；：！？％》」』】〕〗〙〛”’"


def teach_line_breaking() -> None:
    """Add them where reportlab looks: multi-fragment paragraphs (platypus.paragraph) and
    single-fragment ones (lib.textsplit) each read their own module-level copy."""
    for module in (reportlab_paragraph, reportlab_textsplit):
        known: str = getattr(module, "ALL_CANNOT_START")  # noqa: B009 (not in the stubs)
        missing = "".join(ch for ch in _CANNOT_START_LINE if ch not in known)
        if missing:
            setattr(module, "ALL_CANNOT_START", known + missing)  # noqa: B010
