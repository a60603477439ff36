"""An upload is read as it streams: chunk by chunk into a spool file, never whole in memory;
refused past the limit before the rest is read; typed by its content."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from activities.files import content
from activities.files.spool import Spool
from api.errors import ApiError
from api.uploads import receive
from tests import files as samples

BOUNDARY = "fengqiao-test-boundary"
CHUNK = 64 * 1024


def _head(filename: str, media_type: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="step"\r\n\r\nagreement\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'
    ).encode()


async def _body(payload_head: bytes, size: int, sent: list[int]) -> AsyncIterator[bytes]:
    """A multipart body whose file is ``payload_head`` padded to ``size`` bytes, made chunk by
    chunk (the test never holds it whole either); ``sent`` counts the chunks the reader took."""
    yield _head("扫描件.pdf", "application/pdf")
    yield payload_head
    left = size - len(payload_head)
    while left > 0:
        n = min(CHUNK, left)
        left -= n
        sent.append(n)
        yield b"\0" * n
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def test_a_20_mb_upload_is_written_chunk_by_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[int] = []
    original = Spool.write

    def spy(self: Spool, chunk: bytes) -> None:
        writes.append(len(chunk))
        original(self, chunk)

    monkeypatch.setattr(Spool, "write", spy)
    size = 20 * 1024 * 1024
    sent: list[int] = []
    with Spool(tmp_path, limit=25 * 1024 * 1024) as spool:
        received = await receive(
            f"multipart/form-data; boundary={BOUNDARY}",
            _body(samples.pdf(), size, sent),
            spool,
        )
        assert spool.size == size
        assert received.fields == {"step": "agreement"}
        assert received.filename == "扫描件.pdf"
        assert content.sniff(spool.path) == content.PDF
        digest = hashlib.sha256()
        with spool.path.open("rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        assert received.sha256 == digest.hexdigest()
    assert sum(writes) == size
    assert len(writes) >= size // CHUNK  # one write per chunk that arrived, none buffered whole
    assert max(writes) <= CHUNK
    assert not list(tmp_path.iterdir())  # the spool is gone once the request is done


async def test_an_upload_over_the_limit_stops_reading_at_the_limit(tmp_path: Path) -> None:
    sent: list[int] = []
    limit = 1024 * 1024
    with Spool(tmp_path, limit=limit) as spool, pytest.raises(ApiError) as refused:
        await receive(
            f"multipart/form-data; boundary={BOUNDARY}",
            _body(samples.pdf(), 20 * 1024 * 1024, sent),
            spool,
        )
    assert refused.value.status == 413
    assert refused.value.body.field == "file"
    assert sum(sent) <= limit + CHUNK  # the rest of the 20 MB was never read
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.jpeg_with_gps(), content.JPEG),
        (samples.png(), content.PNG),
        (samples.pdf(), content.PDF),
        (samples.docx(), content.DOCX),
        (b"PK\x03\x04" + b"\0" * 40, None),  # a zip header, not an office file
        (b"GIF89a...", None),
        (b"<html><script>", None),
    ],
)
def test_a_file_is_typed_by_its_content(tmp_path: Path, data: bytes, expected: str | None) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    assert content.sniff(path) == expected
