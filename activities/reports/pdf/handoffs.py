"""承办单位与转办交办: the holder, the transfer awaiting 签收, assignments and every hand-off."""

from __future__ import annotations

from reportlab.platypus import Flowable

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import stamp_text


def handoffs(layout: Layout, dossier: Dossier) -> list[Flowable]:
    h = dossier.handoffs
    if h is None:
        return []
    story = layout.heading("承办单位与转办交办")
    story.append(
        layout.fields(
            [
                ("承办单位", h.holder.name if h.holder else "—"),
                ("待签收转办", h.incoming.name if h.incoming else "—"),
                ("联合调处单位", "、".join(o.name for o in h.co_handlers) or "—"),
                ("上提建议", h.lift_suggestion or "—"),
            ],
            columns=1,
        )
    )
    if h.assignments:
        story.append(layout.para("交办", layout.s.h2))
        rows = [
            [
                f"第{a.assignment_no}次",
                a.department.name,
                a.instructions,
                a.deadline,
                a.result or "未反馈",
                a.reported_on or "—",
            ]
            for a in h.assignments
        ]
        story.append(
            layout.table(
                ["次数", "承办部门", "交办要求", "反馈期限", "办理结果", "反馈日期"],
                rows,
                [13, 34, 44, 20, 39, 20],
            )
        )
    if h.log:
        story.append(layout.para("流转记录", layout.s.h2))
        rows = [
            [
                entry.kind_label,
                entry.from_organisation.name if entry.from_organisation else "—",
                entry.organisation.name,
                entry.reason or "—",
                stamp_text(entry.recorded),
            ]
            for entry in h.log
        ]
        story.append(
            layout.table(
                ["事项", "原单位", "单位", "理由/说明", "记录"], rows, [18, 34, 34, 50, 34]
            )
        )
    return story
