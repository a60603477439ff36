"""What a file is, by its content (magic bytes), never by its name or the type a client claims."""

from __future__ import annotations

import zipfile
from pathlib import Path

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGES = frozenset({JPEG, PNG, WEBP})
EXTENSIONS: dict[str, str] = {
    JPEG: ".jpg",
    PNG: ".png",
    WEBP: ".webp",
    PDF: ".pdf",
    DOCX: ".docx",
    XLSX: ".xlsx",
}
# An office file is a zip whose [Content_Types].xml declares its main part.
_OFFICE_MAIN_PARTS: dict[str, bytes] = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_CONTENT_TYPES_MAX = 1024 * 1024


def sniff(path: Path) -> str | None:
    """The media type of the file at ``path`` judged by its bytes, None when not one we keep."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office(path)
    return None


def _office(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            declared = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    for media_type, main_part in _OFFICE_MAIN_PARTS.items():
        if main_part in declared:
            return media_type
    return None
