"""调解: each round with its sessions (调解会); 调解不成 with the route the parties were told of."""

from __future__ import annotations

from reportlab.platypus import Flowable

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import stamp_text


def mediation(layout: Layout, dossier: Dossier) -> list[Flowable]:
    rounds = dossier.mediation_rounds
    failure = dossier.mediation_failure
    if not rounds and not failure:
        return []
    story = layout.heading("调解")
    for r in rounds:
        story.append(
            layout.para(
                f"第{r.round}轮　{r.mediation_type_label}　"
                f"调解员：{'、'.join(r.mediators)}　（{stamp_text(r.started)}）",
                layout.s.h2,
            )
        )
        if not r.sessions:
            story.append(layout.para("尚无调解会记录", layout.s.note))
            continue
        rows = [
            [
                f"第{s.session_no}次",
                s.held_on,
                "、".join(s.mediators),
                "、".join(s.attendees),
                s.summary + ("（含心理疏导）" if s.counselling else ""),
                stamp_text(s.recorded),
            ]
            for s in r.sessions
        ]
        story.append(
            layout.table(
                ["次数", "日期", "调解员", "参加人员", "调解笔录摘要", "记录"],
                rows,
                [13, 20, 20, 24, 68, 29],
            )
        )
    if failure:
        story += [
            layout.para("调解不成", layout.s.h2),
            layout.fields(
                [
                    ("原因", failure.reason),
                    ("告知途径", failure.referral_label),
                    ("记录", stamp_text(failure.recorded)),
                ],
                columns=1,
            ),
        ]
    return story
