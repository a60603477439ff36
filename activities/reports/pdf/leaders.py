"""风险研判, 领导批示 and 约谈通报 in the dossier's PDF."""

from __future__ import annotations

from reportlab.platypus import Flowable

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import stamp_text


def leaders(layout: Layout, dossier: Dossier) -> list[Flowable]:
    story: list[Flowable] = []
    if dossier.risk_assessments:
        story += layout.heading("风险研判")
        rows = [
            [
                f"第{r.assessment_no}次",
                f"{r.previous_level_label}→{r.risk_level_label}",
                "、".join(r.flags) or "—",
                r.reasons,
                "已直报" if r.alert_ids else "—",
                stamp_text(r.recorded),
            ]
            for r in dossier.risk_assessments
        ]
        story.append(
            layout.table(
                ["次数", "风险等级", "风险标记", "研判理由", "直报", "记录"],
                rows,
                [13, 24, 24, 50, 14, 45],
            )
        )
    if dossier.instructions:
        story += layout.heading("领导批示")
        rows = [
            [
                f"{i.source_label}第{i.instruction_no}号",
                i.text,
                i.deadline.isoformat() if i.deadline else "—",
                i.result or "待落实",
                stamp_text(i.recorded),
                stamp_text(i.answered),
            ]
            for i in dossier.instructions
        ]
        story.append(
            layout.table(
                ["批示", "内容", "落实时限", "落实反馈", "批示", "反馈"],
                rows,
                [22, 46, 20, 40, 21, 21],
            )
        )
    if dossier.accountability:
        story += layout.heading("约谈通报")
        rows = [
            [
                a.kind_label,
                a.subject,
                a.held_on.isoformat(),
                a.facts,
                a.decisions,
                f"{a.by}" + (f"（更正 {a.corrects}）" if a.corrects else ""),
            ]
            for a in dossier.accountability
        ]
        story.append(
            layout.table(
                ["类别", "对象", "日期", "问题", "处理意见", "记录人"],
                rows,
                [12, 30, 20, 50, 40, 24],
            )
        )
    return story
