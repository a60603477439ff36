"""The monthly report as an .xlsx workbook (openpyxl): one sheet per section, Chinese headers.

The workbook's own timestamps are the report's cut-off, so the same report gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from activities.reports.monthly.model import MonthlyReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value: object) -> object:
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def _sheet(
    book: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for column, header in zip(sheet.columns, headers, strict=False):
        width = max([len(str(header)) * 2, *(len(str(c.value or "")) for c in column)])
        sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)


def render_workbook(report: MonthlyReport) -> bytes:
    book = Workbook()
    book.remove(book.active)
    cut = report.as_of.astimezone(UTC).replace(tzinfo=None)
    book.properties.created = cut
    book.properties.modified = cut
    book.properties.creator = "枫桥 Fengqiao"
    book.properties.title = report.title
    _sheet(
        book,
        "考核指标",
        ("指标", "本期", "目标", "是否达标", "分子", "分母", "上年同期", "口径"),
        (
            (
                f.name,
                f.shown,
                f.target,
                f.status,
                f.numerator,
                f.denominator,
                f.last_year,
                f.definition,
            )
            for f in report.figures
        ),
    )
    _sheet(
        book,
        "本月案件",
        ("案件编号", "案由", "类别", "阶段", "承办单位", "登记日期", "办结日期"),
        (
            (c.case_id, c.title, c.category, c.stage, c.holder, c.registered_on, c.concluded_on)
            for c in report.cases
        ),
    )
    _sheet(
        book,
        "逾期情况",
        ("单位", "逾期件次", "案件"),
        ((b.organisation, b.breaches, b.cases) for b in report.breaches),
    )
    _sheet(
        book,
        "督办签收",
        ("接收人", "提醒数", "已签收", "签收用时中位数（小时）", "最长用时（小时）", "未签收"),
        (
            (a.who, a.alerts, a.acknowledged, a.median_hours, a.max_hours, a.open)
            for a in report.acknowledgement
        ),
    )
    _sheet(
        book,
        "批示未反馈",
        ("案件编号", "批示领导", "批示内容", "批示日期", "落实时限", "已过天数"),
        (
            (i.case_id, i.leader, i.text, i.issued_on, i.due_on, i.days_open)
            for i in report.unanswered
        ),
    )
    if not report.screening:
        _sheet(book, "排查情况", ("说明",), [("本月无排查任务",)])
    else:
        _sheet(
            book,
            "排查情况",
            ("单位", "应报", "已报", "零报告", "未报"),
            ((s.organisation, s.due, s.filed, s.zero_reports, s.missed) for s in report.screening),
        )
    _sheet(
        book,
        "说明",
        ("项目", "内容"),
        [
            ("报告", report.title),
            ("统计期间", f"{report.start} 至 {report.end}"),
            ("统计截止", report.as_of.isoformat()),
            ("指标口径版本", report.indicator_version),
            ("指标摘要", report.figures_digest()),
        ],
    )
    buffer = io.BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()  # not save_workbook: it stamps "modified" now
    return _steady(buffer.getvalue(), cut)


def _steady(data: bytes, when: datetime) -> bytes:
    """The same archive with every entry dated ``when`` (zip entries carry their write time)."""
    out = io.BytesIO()
    with ZipFile(io.BytesIO(data)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = ZipInfo(entry.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = ZIP_DEFLATED
            target.writestr(fixed, source.read(entry.filename))
    return out.getvalue()
