"""The monthly report as a PDF (reportlab, the CJK font shipped for the dossier embedded).

Printed ``invariant`` (no creation time or random id in the file), so the same report gives the
same bytes: a rerun for the same place, month and cut-off stores nothing new.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer

from activities.reports.monthly.model import MonthlyReport
from activities.reports.pdf.fonts import find_cjk_font, register_cjk_font, teach_line_breaking
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.styles import FRAME_PADDING, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X

# The PDF lists this many of the month's cases; the workbook has them all.
PDF_CASES = 300


def _story(layout: Layout, report: MonthlyReport) -> list[Flowable]:
    s = layout.s
    title = ParagraphStyle("report_title", parent=s.title, fontSize=16, leading=22)
    story: list[Flowable] = [
        layout.para(report.title, title),
        Spacer(1, 6),
        layout.para(
            f"统计期间：{report.start} 至 {report.end}；统计截止："
            f"{report.as_of.isoformat(timespec='minutes')}；"
            f"指标口径：{report.indicator_version}",
            s.note,
        ),
        *layout.heading("考核指标完成情况"),
        layout.table(
            ("指标", "本期", "目标", "是否达标", "分子/分母", "上年同期"),
            [
                (
                    f.name,
                    f.shown,
                    f.target,
                    f.status,
                    f"{f.numerator}/{f.denominator}" if f.denominator is not None else f.numerator,
                    "" if f.last_year is None else f"{f.last_year}件",
                )
                for f in report.figures
            ],
            (None, 20, 18, 18, 24, 20),
        ),
        *layout.heading("本月案件"),
    ]
    cases = report.cases[:PDF_CASES]
    story.append(
        layout.table(
            ("案件编号", "案由", "类别", "阶段", "承办单位"),
            [(c.case_id, c.title, c.category, c.stage, c.holder) for c in cases]
            or [("本月无登记或办结的案件", "", "", "", "")],
            (30, None, 20, 24, 34),
        )
    )
    if len(report.cases) > PDF_CASES:
        story.append(
            layout.para(
                f"共 {len(report.cases)} 件，此处列出前 {PDF_CASES} 件，全部见Excel月报。", s.note
            )
        )
    story += layout.heading("问责情况")
    story.append(layout.para("逾期（时限届满未办结）", s.h2))
    story.append(
        layout.table(
            ("单位", "逾期件次", "案件"),
            [(b.organisation, b.breaches, b.cases) for b in report.breaches]
            or [("本月无逾期", "", "")],
            (50, 20, None),
        )
    )
    story.append(layout.para("督办提醒签收用时", s.h2))
    story.append(
        layout.table(
            ("接收人", "提醒", "已签收", "用时中位数（小时）", "最长（小时）", "未签收"),
            [
                (a.who, a.alerts, a.acknowledged, a.median_hours or "", a.max_hours or "", a.open)
                for a in report.acknowledgement
            ]
            or [("本月无督办提醒", "", "", "", "", "")],
            (None, 14, 16, 30, 22, 16),
        )
    )
    story.append(layout.para("领导批示未落实反馈", s.h2))
    story.append(
        layout.table(
            ("案件编号", "批示领导", "批示内容", "批示日期", "已过天数"),
            [(i.case_id, i.leader, i.text, i.issued_on, i.days_open) for i in report.unanswered]
            or [("本月批示均已反馈", "", "", "", "")],
            (30, 22, None, 24, 18),
        )
    )
    story += layout.heading("排查情况")
    if not report.screening:
        story.append(layout.para("本月无排查任务。", s.note))
    else:
        story.append(
            layout.table(
                ("单位", "应报", "已报", "零报告", "未报"),
                [
                    (x.organisation, x.due, x.filed, x.zero_reports, x.missed)
                    for x in report.screening
                ],
                (None, 18, 18, 18, 18),
            )
        )
    story.append(Spacer(1, 8))
    story.append(layout.para(f"指标摘要（SHA-256）：{report.figures_digest()}", s.note))
    return story


def render_monthly_pdf(report: MonthlyReport, *, font_path: Path | None = None) -> bytes:
    font = register_cjk_font(find_cjk_font(font_path))
    teach_line_breaking()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X - FRAME_PADDING,
        rightMargin=MARGIN_X - FRAME_PADDING,
        topMargin=MARGIN_TOP - FRAME_PADDING,
        bottomMargin=MARGIN_BOTTOM - FRAME_PADDING,
        title=report.title,
        author="枫桥 Fengqiao",
        creator="Fengqiao 枫桥",
        lang="zh-CN",
        invariant=True,
    )
    doc.build(_story(Layout(font), report))
    return buffer.getvalue()
