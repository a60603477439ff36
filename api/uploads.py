"""A multipart upload read as it streams: the file part goes chunk by chunk into a spool file
(counted, hashed, refused past the size limit before anything is stored), small text fields
are kept in memory up to a few hundred bytes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from activities.files.spool import Spool, TooLarge
from api.errors import ApiError, invalid_input

FIELD_LIMIT = 1000  # bytes of one text field (step, signer, reason)


@dataclass
class Received:
    """What one multipart request carried: its text fields and the file part, spooled."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    claimed_type: str | None = None
    sha256: str | None = None


def too_large(limit: int) -> ApiError:
    zh, en = f"文件超过大小上限（{limit // (1024 * 1024)} MB）", f"file larger than {limit} bytes"
    return ApiError(413, "payload_too_large", zh, en, field="file")


class _Collector:
    def __init__(self, spool: Spool, received: Received) -> None:
        self.spool = spool
        self.received = received
        self.headers: dict[bytes, bytes] = {}
        self.header_field = b""
        self.header_value = b""
        self.name: str | None = None
        self.is_file = False
        self.text = bytearray()
        self.files_seen = 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self.is_file = filename is not None
        if self.is_file:
            self.files_seen += 1
            if self.files_seen > 1:
                raise invalid_input("一次只能上传一个文件", "one file per upload", field="file")
            self.received.filename = filename.decode("utf-8", "replace") if filename else ""
            claimed = self.headers.get(b"content-type", b"").decode("latin-1").strip()
            self.received.claimed_type = claimed or None
        self.text = bytearray()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            self.spool.write(data[start:end])
            return
        self.text += data[start:end]
        if len(self.text) > FIELD_LIMIT:
            raise invalid_input("字段过长", "field too long", field=self.name or "form")

    def on_part_end(self) -> None:
        if not self.is_file and self.name:
            self.received.fields[self.name] = self.text.decode("utf-8", "replace")
        self.headers = {}

    def callbacks(self) -> dict[str, object]:
        return {
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }


async def receive(content_type: str, chunks: AsyncIterator[bytes], spool: Spool) -> Received:
    """Parse the multipart body arriving as ``chunks`` into ``spool`` (the file) and fields.

    413 past the spool's limit (the rest of the body is not read), 422 for a body that is not
    multipart/form-data or carries no file.
    """
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise invalid_input(
            "请以 multipart/form-data 上传文件",
            "send the file as multipart/form-data",
            field="file",
        )
    received = Received()
    collector = _Collector(spool, received)
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
    except TooLarge as error:
        raise too_large(error.limit) from None
    except MultipartParseError:
        raise invalid_input("上传内容格式错误", "malformed multipart body", field="file") from None
    if collector.files_seen == 0 or spool.size == 0:
        raise invalid_input("没有收到文件", "no file in the upload", field="file")
    received.sha256 = spool.finish()
    return received


def spool_dir(data_dir: Path) -> Path:
    return data_dir / "uploads"
