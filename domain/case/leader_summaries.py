"""Timeline sentences (Chinese) of 风险研判, 领导批示 and 落实反馈."""

from __future__ import annotations

from domain.case import events as e
from domain.case.labels import RISK_FLAG_LABELS
from domain.case.state import CaseState
from domain.values import RISK_LABELS, RiskFlags


def flag_names(flags: RiskFlags) -> list[str]:
    """The flags set, in Chinese (群体性、民转刑风险、越级上访)."""
    return [label for name, label in RISK_FLAG_LABELS.items() if getattr(flags, name, False)]


def flag_changes(before: RiskFlags, after: RiskFlags) -> str:
    """``新增：民转刑风险；解除：群体性`` (empty when the flags did not change)."""
    added = [n for n in flag_names(after) if n not in flag_names(before)]
    removed = [n for n in flag_names(before) if n not in flag_names(after)]
    parts = []
    if added:
        parts.append(f"新增：{'、'.join(added)}")
    if removed:
        parts.append(f"解除：{'、'.join(removed)}")
    return "；".join(parts)


def leader_summary(state: CaseState, body: e.EventBody) -> str | None:
    """A short sentence per event of leaders on the case; None for any other event."""
    match body:
        case e.RiskReassessed():
            before, after = RISK_LABELS[body.previous_level], RISK_LABELS[body.risk_level]
            level = (
                f"风险等级维持{after}" if before == after else f"风险等级由{before}调整为{after}"
            )
            changes = flag_changes(body.previous_flags, body.flags)
            text = f"第{body.assessment_no}次风险研判：{level}"
            return text + (f"（{changes}）" if changes else "")
        case e.InstructionIssued():
            due = f"，落实时限{body.deadline.isoformat()}" if body.deadline else ""
            about = f"（针对预警{body.alert_id}）" if body.alert_id else ""
            return f"领导批示第{body.instruction_no}号{about}{due}"
        case e.InstructionAnswered():
            return f"落实反馈：第{body.instruction_no}号批示"
        case e.CaseListed():
            unit = body.supervising_unit_name or body.supervising_unit
            due = body.deadline.isoformat()
            return f"第{body.listing_no}次挂牌督办：督办单位{unit}，督办时限{due}"
        case e.CaseDelisted():
            return f"摘牌：第{body.listing_no}次挂牌督办经挂牌领导审批摘牌"
    return None
