"""完整性校验: the audit chain check as run when the dossier was generated, and what it means."""

from __future__ import annotations

from reportlab.platypus import Flowable, Spacer

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import verification_summary, yes_no


def verification(layout: Layout, dossier: Dossier) -> list[Flowable]:
    checked = dossier.verification
    _, line = verification_summary(checked)
    pairs: list[tuple[str, object]] = [
        ("校验结果", line),
        ("事件数", checked.events),
        ("链尾哈希", checked.head_hash),
        ("读模型一致", yes_no(checked.read_model_matches)),
    ]
    broken = checked.first_broken
    if broken:
        pairs += [
            ("首个断点", f"第 {broken.seq} 号事件"),
            ("原因", broken.message_zh or broken.reason.value),
        ]
    pairs += checked.other_facts()
    return [
        *layout.heading("完整性校验"),
        layout.fields(pairs, columns=1),
        Spacer(1, 4),
        layout.para(
            "本卷宗由系统依据案件事件链自动生成。事件链逐条以哈希相连，任何一条被改动、删除或"
            "插入，校验即指出首个断点；读模型一致指案件当前状态可由事件链完整重演得出。",
            layout.s.note,
        ),
    ]
