"""证据材料: each file kept with the case, its step, who added it and its SHA-256."""

from __future__ import annotations

from reportlab.platypus import Flowable

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import text, when


def attachments(layout: Layout, dossier: Dossier) -> list[Flowable]:
    if not dossier.attachments:
        return []
    rows = []
    for n, entry in enumerate(dossier.attachments, start=1):
        name = text(entry.name)
        if entry.signer:
            name += f"<br/>签名人：{text(entry.signer)}"
        if entry.withdrawn_reason is not None:
            name += f"<br/>（已撤回：{text(entry.withdrawn_reason)}）"
        rows.append(
            [
                str(n),
                entry.step_label,
                layout.para(name, layout.s.cell, markup=True),
                f"{entry.size:,} 字节",
                layout.para(entry.sha256, layout.s.cell),
                layout.para(
                    f"{text(entry.uploader)}<br/>{when(entry.added_at)}",
                    layout.s.cell,
                    markup=True,
                ),
            ]
        )
    return [
        *layout.heading("证据材料"),
        layout.table(
            ["序号", "环节", "名称", "大小", "SHA-256", "添加"], rows, [10, 18, 42, 20, 48, 32]
        ),
    ]
