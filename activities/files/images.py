"""Thumbnails (缩略图): images re-encoded small by Pillow, so no EXIF (GPS, device) goes out."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_EDGE = 480
# Refuse decompression bombs well before Pillow's own warning limit.
Image.MAX_IMAGE_PIXELS = 60_000_000


def thumbnail(path: Path) -> bytes | None:
    """A JPEG at most THUMBNAIL_EDGE on its long side, without any metadata; None when the
    image cannot be decoded (the file is still kept, shown as a link)."""
    try:
        with Image.open(path) as image:
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
            rgb = upright.convert("RGB")
            out = io.BytesIO()
            rgb.save(out, format="JPEG", quality=80)  # no exif= given: none written
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
