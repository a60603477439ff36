"""全程记录: every event in order, the one where the audit chain first breaks shaded red."""

from __future__ import annotations

from reportlab.platypus import Flowable, Spacer, TableStyle

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.styles import BAD_FILL
from activities.reports.pdf.text import when


def timeline(layout: Layout, dossier: Dossier) -> list[Flowable]:
    rows = [[t.seq, when(t.at), t.label, t.actor, t.summary] for t in dossier.timeline]
    table = layout.table(
        ["序号", "时间", "事项", "操作人", "内容"], rows, [10, layout.when_mm, 25, 18, None]
    )
    # The event where the audit chain first breaks is marked where a reader looks for it.
    broken = dossier.verification.first_broken
    if broken is not None:
        for row, entry in enumerate(dossier.timeline, start=1):
            if entry.seq == broken.seq:
                table.setStyle(TableStyle([("BACKGROUND", (0, row), (-1, row), BAD_FILL)]))
    return [
        *layout.heading("全程记录"),
        layout.para("按事件顺序号排列；时间均为北京时间。", layout.s.note),
        Spacer(1, 2),
        table,
    ]
