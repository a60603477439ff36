"""司法确认: each application to a court, its acceptance and the ruling (裁定)."""

from __future__ import annotations

from reportlab.platypus import Flowable

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout


def judicial_confirmations(layout: Layout, dossier: Dossier) -> list[Flowable]:
    if not dossier.judicial_confirmations:
        return []
    rows = []
    for j in dossier.judicial_confirmations:
        ruling = j.decision
        rows.append(
            [
                j.court,
                j.applied_on,
                j.accepted_on,
                ruling.decision_label if ruling else "待裁定",
                ruling.decided_on if ruling else None,
                ruling.ruling_number if ruling else None,
                ruling.reason if ruling else None,
            ]
        )
    return [
        *layout.heading("司法确认"),
        layout.table(
            ["人民法院", "申请日期", "受理日期", "裁定", "裁定日期", "文书编号", "理由"],
            rows,
            [32, 20, 20, 18, 20, 34, 30],
        ),
    ]
