"""一案一策 (every revision of the plan) and 领导包案 (every package leader, the current marked)."""

from __future__ import annotations

from reportlab.platypus import Flowable

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import stamp_text, text


def plans(layout: Layout, dossier: Dossier) -> list[Flowable]:
    if not dossier.plans:
        return []
    rows = []
    for plan in dossier.plans:
        measures = "<br/>".join(f"{n}. {text(m)}" for n, m in enumerate(plan.measures, start=1))
        note = f"<br/>备注：{text(plan.note)}" if plan.note else ""
        rows.append(
            [
                f"第{plan.revision}版",
                plan.responsible_unit,
                plan.responsible_person,
                layout.para(measures + note, layout.s.cell, markup=True),
                plan.deadline,
                stamp_text(plan.recorded),
            ]
        )
    return [
        *layout.heading("一案一策"),
        layout.table(
            ["版本", "责任单位", "责任人", "化解措施", "化解时限", "记录"],
            rows,
            [13, 34, 16, 58, 20, 29],
        ),
    ]


def package_leaders(layout: Layout, dossier: Dossier) -> list[Flowable]:
    if not dossier.package_leaders:
        return []
    rows = [
        [
            leader.leader_name + ("（现任）" if leader.current else ""),
            leader.leader_title,
            leader.reason,
            stamp_text(leader.recorded),
        ]
        for leader in dossier.package_leaders
    ]
    return [
        *layout.heading("领导包案"),
        layout.table(["包案领导", "职务", "包案理由", "记录"], rows, [30, 44, 66, 34]),
    ]
