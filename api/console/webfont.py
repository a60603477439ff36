"""The packaged CJK font as a web font: the first face of the TrueType collection (.ttc) the PDF
dossier embeds, unpacked into a plain TrueType file, which every browser accepts.

A collection's faces share tables whose offsets count from the start of the collection; a single
font file needs its own table directory with offsets into itself, and the tables 4-byte aligned.
"""

from __future__ import annotations

import struct
from functools import cache
from pathlib import Path


def first_face(collection: bytes) -> bytes:
    """The TrueType font of face 0 of a ``ttcf`` collection (a plain font is returned as is)."""
    if collection[:4] != b"ttcf":
        return collection
    (offset,) = struct.unpack_from(">I", collection, 12)
    sfnt_version, count = struct.unpack_from(">IH", collection, offset)
    entries = [struct.unpack_from(">4sIII", collection, offset + 12 + 16 * n) for n in range(count)]
    header = bytearray(collection[offset : offset + 12])
    directory = bytearray()
    body = bytearray()
    start = 12 + 16 * count
    for tag, checksum, table_offset, length in entries:
        directory += struct.pack(">4sIII", tag, checksum, start + len(body), length)
        body += collection[table_offset : table_offset + length]
        body += b"\0" * (-len(body) % 4)
    assert struct.unpack_from(">I", header, 0)[0] == sfnt_version
    return bytes(header + directory + body)


@cache
def web_font(path: Path) -> bytes:
    return first_face(path.read_bytes())
