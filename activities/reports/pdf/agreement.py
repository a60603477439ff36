"""调解协议与履行 (each agreement, its items and their performance) and 回访 (follow-up visits)."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import stamp_text


def agreements(layout: Layout, dossier: Dossier) -> list[Flowable]:
    if not dossier.agreements:
        return []
    story = layout.heading("调解协议与履行")
    for a in dossier.agreements:
        performed = "已全部履行" if a.all_performed else "尚未全部履行"
        block: list[Flowable] = [
            layout.para(
                f"第{a.agreement_no}份调解协议　{a.form_label}　"
                f"签订日期：{a.signed_on}　（{performed}）",
                layout.s.h2,
            ),
            layout.fields([("协议内容", a.terms)], columns=1),
        ]
        if a.items:
            block += [
                Spacer(1, 3),
                layout.table(
                    ["序号", "履行事项", "履行期限", "履行情况"],
                    [[i.item_no, i.description, i.due_on, i.status_label] for i in a.items],
                    [12, 106, 28, 28],
                ),
            ]
        block.append(layout.para(f"记录：{stamp_text(a.recorded)}", layout.s.note))
        story.append(KeepTogether(block))
    return story


def follow_ups(layout: Layout, dossier: Dossier) -> list[Flowable]:
    if not dossier.follow_ups:
        return []
    rows = [
        [
            f"第{v.visit_no}次",
            v.visited_on,
            v.satisfaction_label,
            "、".join(f"第{p.item_no}项{p.status_label}" for p in v.performance),
            v.notes,
            stamp_text(v.recorded),
        ]
        for v in dossier.follow_ups
    ]
    return [
        *layout.heading("回访"),
        layout.table(
            ["次数", "日期", "满意度", "履行情况", "回访情况", "记录"],
            rows,
            [13, 20, 17, 32, 63, 29],
        ),
    ]
