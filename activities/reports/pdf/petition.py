"""信访答复: the answers at each level (处理意见, 复查, 复核), 终结, 重复信访 and 访调对接."""

from __future__ import annotations

from reportlab.platypus import Flowable, Spacer

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import stamp_text


def petition(layout: Layout, dossier: Dossier) -> list[Flowable]:
    matter = dossier.petition
    if not matter:
        return []
    story = layout.heading("信访答复")
    if matter.answers:
        rows = [
            [a.level_label, a.requested_on, a.request_reason, a.answer, a.answered_on]
            for a in matter.answers
        ]
        story.append(
            layout.table(
                ["层级", "申请日期", "申请理由", "答复意见", "答复日期"],
                rows,
                [20, 22, 44, 66, 22],
            )
        )
    else:
        story.append(layout.para("尚未出具处理意见", layout.s.note))
    if matter.finalized:
        story.append(Spacer(1, 4))
        story.append(
            layout.para(
                f"终结：{matter.finalized.reason}（{stamp_text(matter.finalized.recorded)}）"
            )
        )
    if matter.repeats:
        story += [
            layout.para("重复信访", layout.s.h2),
            layout.table(
                ["收到日期", "渠道", "摘要", "记录"],
                [
                    [r.received_on, r.channel_label, r.summary, stamp_text(r.recorded)]
                    for r in matter.repeats
                ],
                [24, 24, 92, 34],
            ),
        ]
    if matter.diverted_to:
        story.append(layout.para(f"访调对接：已转人民调解，关联案件 {matter.diverted_to}"))
    return story
