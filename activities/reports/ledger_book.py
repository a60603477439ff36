"""台账 workbooks: the ledger as .xlsx, a ledger file read back, and the workbook of rejected rows.

A ledger file's header is the first of its first five lines that names 登记日期 (a title line
above it, as paper ledgers have, is allowed); its data rows are the non-empty lines below it,
numbered by their line in the sheet (``第N行`` as the office sees it in Excel).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from domain.case.ledger import LEDGER_COLUMNS, LEDGER_TITLE, REJECTION_COLUMN, cell_text, safe_cell
from domain.people.privacy import scrub_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WIDTHS = {"纠纷简要情况": 40, "化解措施/进展": 30, "当事人": 18, "案件编号": 16}


class LedgerFileError(ValueError):
    """Not a ledger this system can read (the reason in Chinese)."""


@dataclass(frozen=True)
class LedgerSheet:
    headers: tuple[str, ...]
    lines: tuple[tuple[int, tuple[str, ...]], ...]  # (line in the sheet, cells as text)

    def cells(self, index: int) -> dict[str, str]:
        """Data row ``index`` (1-based) by column name."""
        _, values = self.lines[index - 1]
        return {
            name: values[position] if position < len(values) else ""
            for position, name in enumerate(self.headers)
            if name
        }


def read_ledger(data: bytes) -> LedgerSheet:
    """The ledger in ``data`` (.xlsx): its header and data rows; ``LedgerFileError`` when it is
    not a workbook or names no 登记日期 column."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise LedgerFileError("文件不是有效的Excel工作簿（.xlsx）") from error
    try:
        sheet = book.worksheets[0]
        headers: tuple[str, ...] | None = None
        lines: list[tuple[int, tuple[str, ...]]] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = tuple(cell_text(value) for value in row)
            if headers is None:
                if "登记日期" in cells:
                    headers = cells
                elif number >= 5:
                    break
                continue
            if any(cells):
                lines.append((number, cells))
    finally:
        book.close()
    if headers is None:
        raise LedgerFileError("前5行中没有找到“登记日期”列，请使用台账模板")
    return LedgerSheet(headers, tuple(lines))


def _book(title: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for position, name in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = _WIDTHS.get(name, 12)
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger_workbook(rows: Iterable[Sequence[str]], *, title: str = LEDGER_TITLE) -> bytes:
    """The 登记台账 with the standard columns, one case a row."""
    return _book(title, LEDGER_COLUMNS, rows)


def rejected_workbook(sheet: LedgerSheet, reasons: dict[int, str]) -> bytes:
    """The rejected rows as they were in the file, each with its 拒收原因 beside it; ID numbers
    and phone numbers written in a cell are masked, as on every way out."""
    names = [name or f"列{n}" for n, name in enumerate(sheet.headers, 1)]
    width = len(sheet.headers)
    rows = [
        [
            *(safe_cell(scrub_text(v)) for v in (*values, *[""] * width)[:width]),
            str(line),
            reasons[line],
        ]
        for line, values in sheet.lines
        if line in reasons
    ]
    return _book("台账导入拒收行", [*names, "原行号", REJECTION_COLUMN], rows)
