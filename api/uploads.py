"""A multipart upload read as it streams: the file part goes chunk by chunk into a spool file
(counted, hashed, refused past the size limit before anything is stored), small text fields
are kept in memory up to a few hundred bytes. A form with several files (a grid worker's report
and its photos) is read the same way, one spool per file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
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


def too_large(limit: int, field: str = "file") -> ApiError:
    zh, en = f"文件超过大小上限（{limit // (1024 * 1024)} MB）", f"file larger than {limit} bytes"
    return ApiError(413, "payload_too_large", zh, en, field=field)


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


@dataclass
class Part:
    """One file of a form that carries several (a report's photos), spooled."""

    received: Received
    spool: Spool


class _FormCollector(_Collector):
    """A form with text fields (every value of every name) and up to ``max_files`` files, each
    into a spool of its own; a file input left empty (no name, no bytes) is dropped."""

    def __init__(
        self,
        open_spool: Callable[[], Spool],
        *,
        file_field: str,
        max_files: int,
        text_limit: int,
    ) -> None:
        super().__init__(_NO_SPOOL, Received())
        self.open_spool = open_spool
        self.file_field = file_field
        self.max_files = max_files
        self.text_limit = text_limit
        self.text_total = 0
        self.values: dict[str, list[str]] = {}
        self.parts: list[Part] = []

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self.is_file = filename is not None
        self.text = bytearray()
        if not self.is_file:
            return
        if self.name != self.file_field:
            raise invalid_input("不接受的文件字段", "unexpected file field", field=self.name)
        if len(self.parts) >= self.max_files:
            raise invalid_input(
                f"一次最多上传 {self.max_files} 张照片",
                f"at most {self.max_files} files",
                field=self.file_field,
            )
        claimed = self.headers.get(b"content-type", b"").decode("latin-1").strip()
        received = Received(
            filename=filename.decode("utf-8", "replace") if filename else "",
            claimed_type=claimed or None,
        )
        self.spool = self.open_spool()
        self.parts.append(Part(received, self.spool))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            self.spool.write(data[start:end])
            return
        self.text += data[start:end]
        self.text_total += end - start
        if self.text_total > self.text_limit:
            raise invalid_input("提交的内容过大", "form too large", field=self.name or "form")

    def on_part_end(self) -> None:
        if self.is_file:
            part = self.parts[-1]
            if part.spool.size == 0 and not part.received.filename:
                self.parts.pop()  # a file input left empty
        elif self.name:
            self.values.setdefault(self.name, []).append(self.text.decode("utf-8", "replace"))
        self.headers = {}


class _NoSpool(Spool):
    def __init__(self) -> None:  # a placeholder until the first file part opens a spool
        self.size = 0


_NO_SPOOL = _NoSpool()


async def receive_form(
    content_type: str,
    chunks: AsyncIterator[bytes],
    open_spool: Callable[[], Spool],
    *,
    file_field: str,
    max_files: int,
    text_limit: int,
) -> tuple[dict[str, list[str]], list[Part]]:
    """A multipart form's text fields and its files (``file_field`` only, at most
    ``max_files``), each file streamed into a spool ``open_spool`` gives (the caller closes
    them); 413 past a spool's limit, 422 for a body that is not multipart/form-data."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise invalid_input(
            "请以 multipart/form-data 提交", "send the form as multipart/form-data", field="form"
        )
    collector = _FormCollector(
        open_spool, file_field=file_field, max_files=max_files, text_limit=text_limit
    )
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
    except TooLarge as error:
        raise too_large(error.limit, file_field) from None
    except MultipartParseError:
        raise invalid_input("提交内容格式错误", "malformed multipart body", field="form") from None
    for part in collector.parts:
        part.received.sha256 = part.spool.finish()
    return collector.values, collector.parts
