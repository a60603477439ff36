"""办理时限 (the policy snapshot, every clock with its pauses and extensions) and 预警与督办
(every alert, whom it reached and where it stands)."""

from __future__ import annotations

from reportlab.platypus import Flowable, Spacer

from activities.reports.dossier_model import Dossier, Pause
from activities.reports.pdf.layout import Layout
from activities.reports.pdf.text import text, when
from domain.case.labels import calendar_label


def clocks(layout: Layout, dossier: Dossier) -> list[Flowable]:
    policy = dossier.policy
    if not policy and not dossier.clocks:
        return []
    story = layout.heading("办理时限")
    if policy:
        chain = "　→　".join(f"{lv.level}级 {lv.role_label}" for lv in policy.chain.levels)
        story += [
            layout.para(
                f"适用规则版本：{policy.version}　　{calendar_label(policy.calendar_version)}"
                f"　　督办链：{policy.chain.name}",
                layout.s.note,
            ),
            layout.para(f"督办层级：{chain}", layout.s.note),
            Spacer(1, 3),
        ]
    if not dossier.clocks:
        return story
    rows = []
    for c in dossier.clocks:
        remarks = []
        if c.start is not None:
            remarks.append(f"自{c.start.label}之日起算")
            if c.start.late_days and c.start.recorded_at is not None:
                remarks.append(
                    f"补录：{when(c.start.recorded_at)} 录入，晚于事实 {c.start.late_days} 日"
                )
        remarks += [_pause(p) for p in c.pauses]
        remarks += [
            f"经{x.approver}约定延长至 {x.new_end}"
            if x.new_end is not None
            else f"延期{x.length}{x.unit_label}（{x.approver}批准）"
            for x in c.extensions
        ]
        if c.cap_start is not None:
            remarks.append(f"上限自{c.cap_start.label}之日 {c.cap_start.on} 起算")
        if c.provisional:
            remarks.append("节假日安排未公布，期限暂定")
        name = text(c.name)
        if c.subject:
            name += f"<br/>{text(c.subject)}"
        rows.append(
            [
                layout.para(name, layout.s.cell, markup=True),
                c.period_label,
                # The legal date the period counts from (policy 2026.2), else when it started.
                str(c.start.on) if c.start is not None else when(c.started_at),
                c.due_display,
                c.status_label,
                "；".join(remarks),
            ]
        )
    story.append(
        layout.table(
            ["时限", "期间", "开始", "期限至", "状态", "说明"],
            rows,
            [40, 21, layout.when_mm, layout.when_mm, 17, None],
        )
    )
    return story


def _pause(p: Pause) -> str:
    if p.paused_on is not None or p.resumed_on is not None:
        since = p.paused_on or when(p.started_at)
        until = p.resumed_on or (when(p.ended_at) if p.ended_at else "至今")
        return f"{p.reason_label}中止 {since}—{until}"
    return f"{p.reason_label}中止 {when(p.started_at)}—{when(p.ended_at) if p.ended_at else '至今'}"


def alerts(layout: Layout, dossier: Dossier) -> list[Flowable]:
    if not dossier.alerts:
        return []
    rows = []
    for a in dossier.alerts:
        status = a.status_label
        if a.acknowledged_by:
            status += f"<br/>{text(a.acknowledged_by)} {when(a.acknowledged_at)}"
        elif a.closed_reason:
            status += f"<br/>{text(a.closed_reason)}"
        rows.append(
            [
                a.kind_label,
                a.title,
                when(a.raised_at),
                f"第{a.level}级",
                a.recipient_label,
                layout.para(status, layout.s.cell, markup=True),
            ]
        )
    return [
        *layout.heading("预警与督办"),
        layout.table(
            ["类型", "事项", "发出时间", "级别", "通知对象", "状态"],
            rows,
            [22, None, layout.when_mm, 13, 28, 34],
        ),
    ]
