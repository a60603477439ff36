"""The case itself: the cover (卷宗 title, case number, integrity banner), 案件基本情况, and how
the case ended when it did not run its course: 不予受理, 撤回, 销号."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from activities.reports.dossier_model import DOSSIER_TITLE, Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.styles import BAD_FILL, BAD_INK, CONTENT_WIDTH, OK_FILL, OK_INK
from activities.reports.pdf.text import stamp_text, verification_summary, when
from domain.values import CaseKind


def cover(layout: Layout, dossier: Dossier) -> list[Flowable]:
    return [
        layout.para(dossier.title or DOSSIER_TITLE, layout.s.title),
        Spacer(1, 4),
        layout.para(f"案号：{dossier.case.case_id}", layout.s.case_no),
        Spacer(1, 2),
        layout.para(dossier.case.title, layout.s.subtitle),
        Spacer(1, 8),
        *_listed(layout, dossier),
        _banner(layout, dossier),
        Spacer(1, 4),
    ]


def _listed(layout: Layout, dossier: Dossier) -> list[Flowable]:
    """【挂牌督办】 under the title while the case is listed."""
    current = [x for x in dossier.listings if x.listed]
    if not current:
        return []
    x = current[-1]
    line = f"【挂牌督办】督办单位：{x.supervising_unit}　督办时限：{x.deadline.isoformat()}"
    return [layout.para(escape(line), layout.s.subtitle), Spacer(1, 4)]


def _banner(layout: Layout, dossier: Dossier) -> Table:
    """The integrity verdict in green or red, where a reader looks first."""
    ok, line = verification_summary(dossier.verification)
    markup = f"完整性校验：{escape(line)}"
    cell = Paragraph(
        f'<font color="{(OK_INK if ok else BAD_INK).hexval()}">{markup}</font>', layout.s.banner
    )
    table = Table([[cell]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), OK_FILL if ok else BAD_FILL),
                ("BOX", (0, 0), (-1, -1), 1, OK_INK if ok else BAD_INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table


def overview(layout: Layout, dossier: Dossier) -> list[Flowable]:
    case = dossier.case
    risk = case.risk_label
    if case.risk_flag_labels:
        risk += "（" + "、".join(case.risk_flag_labels) + "）"
    pairs: list[tuple[str, object]] = [
        ("案件类型", case.kind_label),
        ("当前阶段", case.stage_label),
        ("纠纷类别" if case.kind is CaseKind.DISPUTE else "事项类别", case.category_label),
        ("来源渠道", case.channel_label),
        ("风险等级", risk),
        ("收到日期", case.received_on),
        ("管辖", case.jurisdiction.label),
        ("区划代码", case.jurisdiction.code),
        ("登记", stamp_text(case.registered)),
        ("受理", stamp_text(case.accepted)),
        ("最后更新", f"{when(case.updated_at)}（第 {case.seq} 号事件）"),
    ]
    if case.diverted_to:
        pairs.append(("访调对接", case.diverted_to))
    return [
        *layout.heading("案件基本情况"),
        layout.fields(pairs),
        Spacer(1, 5),
        layout.para("案情简介", layout.s.h2),
        layout.para(case.description),
    ]


def decline(layout: Layout, dossier: Dossier) -> list[Flowable]:
    declined = dossier.decline
    if not declined:
        return []
    return [
        *layout.heading("不予受理"),
        layout.fields(
            [
                ("理由", declined.reason),
                ("转送", declined.referral),
                ("记录", stamp_text(declined.recorded)),
            ],
            columns=1,
        ),
    ]


def withdrawal(layout: Layout, dossier: Dossier) -> list[Flowable]:
    withdrawn = dossier.withdrawal
    if not withdrawn:
        return []
    return [
        *layout.heading("撤回"),
        layout.fields(
            [("理由", withdrawn.reason), ("记录", stamp_text(withdrawn.recorded))], columns=1
        ),
    ]


def closure(layout: Layout, dossier: Dossier) -> list[Flowable]:
    closed = dossier.closure
    if not closed:
        return []
    return [
        *layout.heading("销号"),
        layout.fields(
            [
                ("结果", closed.outcome_label),
                ("销号时间", stamp_text(closed.recorded)),
                ("备注", closed.remark),
            ],
            columns=1,
        ),
    ]
