"""导出案件列表: the current list (the same filters, the same reach) as CSV or .xlsx.

The columns are those the list shows; personal data stays masked (titles scrubbed of ID and
phone numbers, parties by name only). At most ``MAX_ROWS`` rows: a wider list is refused with a
message saying to narrow it, never cut silently. Every export is written to the access trail
(which list, how many rows) before the file is sent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum

from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity.access_trail import Access
from activities.store import repositories
from api.access import record_access
from api.errors import database_errors, invalid_input
from api.schemas import CaseListItem
from api.services.cases import hit_access, list_item, named_organisations, search_hits
from domain.deadlines.why import china_time, due_time_text
from domain.people.access import Principal

MAX_ROWS = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENDPOINT = "GET /v1/cases/export"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


HEADERS = (
    "案件编号",
    "标题",
    "类别",
    "阶段",
    "当事人",
    "承办单位",
    "下一期限",
    "期限事项",
    "应办单位",
    "登记时间",
)


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ lead a formula)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_row(item: CaseListItem) -> tuple[str, ...]:
    """One line as the list shows it (masked as the list is)."""
    due = item.next_due_at
    return tuple(
        _safe(cell)
        for cell in (
            item.case_id,
            item.title,
            item.labels.category,
            item.labels.stage,
            item.parties_label or "",
            item.holder_name or item.holder_id or "",
            due_time_text(due) if due is not None else "",
            item.next_due_name or "",
            (item.next_due_org_name or item.next_due_org or "") if due is not None else "",
            china_time(item.registered_at),
        )
    )


def _csv(rows: list[tuple[str, ...]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel then reads the Chinese right), a chunk per 500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for number, row in enumerate(rows, start=1):
        writer.writerow(row)
        if number % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _xlsx(rows: list[tuple[str, ...]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("案件列表")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def export(
    where: repositories.CaseFilter,
    *,
    by_deadline: bool,
    format: ExportFormat,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    search_key: bytes | None = None,
) -> Response:
    """The file of the list ``where`` selects (the caller's reach already in it); ``search_key``
    finds whole personal numbers for a reader who may reveal them."""
    with database_errors():
        async with sessionmaker() as session:
            page = await repositories.list_cases(
                where, cursor=None, limit=MAX_ROWS, session=session, by_deadline=by_deadline
            )
            named = await named_organisations(page.items, session=session)
            hits = await search_hits(where, page.items, key=search_key, session=session)
    if page.next_cursor is not None:
        raise invalid_input(
            f"导出超过{MAX_ROWS}行，请缩小筛选范围后再导出",
            f"more than {MAX_ROWS} rows: narrow the filters",
            field="limit",
        )
    rows = [export_row(list_item(item)) for item in named]
    purpose = f"导出案件列表（{format.value}，{len(rows)}行）：{_described(where, by_deadline)}"
    access = Access("", principal.jurisdiction or "", ENDPOINT, (), purpose)
    await record_access(sessionmaker, principal, [access, *hit_access(hits)])
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M")
    name = f"cases-{stamp}.{format.value}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format is ExportFormat.CSV:
        return StreamingResponse(_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(_xlsx(rows), media_type=XLSX, headers=headers)


_FILTER_WORDS = {
    "stage": "阶段",
    "kind": "类型",
    "category": "类别",
    "jurisdiction": "属地",
    "responsible_unit": "责任单位",
    "package_leader": "包案领导",
    "holder": "承办单位",
    "incoming": "待签收单位",
}


def _described(where: repositories.CaseFilter, by_deadline: bool) -> str:
    """Which list, in words: its filters and order (the reach is the caller's own)."""
    parts = [
        f"{word}={value}"
        for name, word in _FILTER_WORDS.items()
        if (value := getattr(where, name)) is not None
    ]
    if where.people is not None:
        parts.append("我的在办")
    if where.search is not None:
        parts.append("检索")  # the words searched may hold personal numbers: not written down
    if where.open_only:
        parts.append("未结")
    if where.backlog_before is not None:
        parts.append("积案")
    parts.append("按期限" if by_deadline else "按登记时间")
    return "，".join(parts)
