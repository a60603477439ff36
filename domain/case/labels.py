"""User-facing Chinese labels (zh-CN first) for stages, actions, events and enumerations."""

from __future__ import annotations

from domain.case.alerts import AlertKind, AlertStatus
from domain.case.clocks import ClockStatus
from domain.case.policy import EscalationChain, Role
from domain.case.stages import Action, Stage
from domain.deadlines.periods import PeriodUnit

# The names of categories and risk levels sit beside their enums (routing shows them too).
from domain.values import CATEGORY_LABELS as CATEGORY_LABELS
from domain.values import RISK_LABELS as RISK_LABELS
from domain.values import (
    AgreementForm,
    CaseKind,
    Channel,
    CloseOutcome,
    CourtDecision,
    MediationType,
    PartyType,
    PerformanceStatus,
    ReferralRoute,
    Satisfaction,
)

STAGE_LABELS: dict[Stage, str] = {
    Stage.REGISTERED: "已登记",
    Stage.ACCEPTED: "已受理",
    Stage.DECLINED: "不予受理",
    Stage.MEDIATING: "调解中",
    Stage.AGREEMENT_REACHED: "已达成调解协议",
    Stage.CONFIRMATION_PENDING: "司法确认中",
    Stage.CONFIRMATION_REJECTED: "司法确认被驳回",
    Stage.FOLLOWING_UP: "履行回访中",
    Stage.MEDIATION_FAILED: "调解不成",
    Stage.WITHDRAWN: "已撤回",
    Stage.CLOSED: "已销号",
    Stage.REPLIED: "已出具处理意见",
    Stage.REVIEW_REQUESTED: "复查中",
    Stage.REVIEWED: "已复查",
    Stage.SECOND_REVIEW_REQUESTED: "复核中",
    Stage.FINAL: "已终结",
}

ACTION_LABELS: dict[Action, str] = {
    Action.ACCEPT: "受理",
    Action.DECLINE: "不予受理",
    Action.PLAN: "制定一案一策",
    Action.ASSIGN_PACKAGE_LEADER: "领导包案",
    Action.START_MEDIATION: "开始调解",
    Action.RECORD_SESSION: "记录调解会",
    Action.SCHEDULE_SESSION: "安排调解会",
    Action.POSTPONE_SESSION: "调解会改期",
    Action.CANCEL_SESSION: "取消调解会",
    Action.RECORD_AGREEMENT: "记录调解协议",
    Action.RECORD_MEDIATION_FAILURE: "调解不成/终止调解",
    Action.APPLY_JUDICIAL_CONFIRMATION: "申请司法确认",
    Action.RECORD_COURT_DECISION: "记录法院裁定",
    Action.RECORD_FOLLOW_UP: "记录回访",
    Action.CLOSE: "销号",
    Action.WITHDRAW: "撤回",
    Action.RECORD_COURT_ACCEPTANCE: "记录法院受理",
    Action.PAUSE_CLOCK: "中止计时",
    Action.RESUME_CLOCK: "恢复计时",
    Action.EXTEND_CLOCK: "延期",
    Action.ACKNOWLEDGE_ALERT: "签收督办",
    Action.REPLY: "出具处理意见书",
    Action.REQUEST_REVIEW: "申请复查",
    Action.ANSWER_REVIEW: "作出复查意见",
    Action.REQUEST_SECOND_REVIEW: "申请复核",
    Action.ANSWER_SECOND_REVIEW: "作出复核意见",
    Action.DIVERT_TO_MEDIATION: "访调对接",
    Action.RECORD_REPEAT: "记录重复信访",
    Action.TRANSFER: "转办",
    Action.TAKE: "签收",
    Action.RETURN: "退回",
    Action.RECALL: "撤回转办",
    Action.ASSIGN: "交办",
    Action.REPORT_BACK: "反馈办理结果",
    Action.LIFT: "上提一级",
    Action.ADD_CO_HANDLER: "增加联合调处单位",
    Action.REMOVE_CO_HANDLER: "移除联合调处单位",
    Action.ADD_ATTACHMENT: "添加证据材料",
    Action.WITHDRAW_ATTACHMENT: "撤回证据材料",
    Action.REASSESS_RISK: "风险研判",
    Action.ISSUE_INSTRUCTION: "领导批示",
    Action.ANSWER_INSTRUCTION: "落实反馈",
    Action.LIST_CASE: "挂牌督办",
    Action.DELIST_CASE: "摘牌",
    Action.ISSUE_DOCUMENT: "出具文书",
}

EVENT_LABELS: dict[str, str] = {
    "case_registered": "登记",
    "case_accepted": "受理",
    "case_declined": "不予受理",
    "plan_revised": "一案一策",
    "package_leader_assigned": "领导包案",
    "mediation_started": "开始调解",
    "session_recorded": "调解会",
    "session_scheduled": "调解会排期",
    "session_postponed": "调解会改期",
    "session_cancelled": "调解会取消",
    "scheduled_session_held": "排期的调解会已召开",
    "agreement_recorded": "达成调解协议",
    "mediation_failed": "调解不成",
    "judicial_confirmation_applied": "申请司法确认",
    "court_decision_recorded": "法院裁定",
    "follow_up_recorded": "回访",
    "case_closed": "销号",
    "case_withdrawn": "撤回",
    "court_acceptance_recorded": "法院受理司法确认申请",
    "policy_snapshotted": "适用时限规则",
    "policy_amended": "补充适用转办交办规则",
    "clock_started": "开始计时",
    "clock_paused": "中止计时",
    "clock_resumed": "恢复计时",
    "clock_extended": "延期",
    "clock_stopped": "停止计时",
    "clock_warned": "临期预警",
    "clock_expired": "期限届满",
    "clocks_rescheduled": "按新节假日安排重算期限",
    "alert_raised": "发出督办提醒",
    "alert_notified": "督办升级/再提醒",
    "alert_acknowledged": "督办签收",
    "alert_closed": "督办解除",
    "breach_withdrawn": "逾期撤销",
    "finalization_withdrawn": "终结撤销",
    "mediation_failure_withdrawn": "调解不成撤销",
    "petition_replied": "出具处理意见书",
    "review_requested": "申请复查",
    "review_answered": "复查意见",
    "second_review_requested": "申请复核",
    "second_review_answered": "复核意见",
    "petition_finalized": "信访事项终结",
    "repeat_recorded": "重复信访",
    "diverted_to_mediation": "访调对接",
    "case_transferred": "转办",
    "transfer_taken": "签收",
    "transfer_returned": "退回",
    "transfer_recalled": "撤回转办",
    "case_assigned": "交办",
    "report_back_recorded": "办理结果反馈",
    "case_lifted": "上提一级",
    "lift_suggested": "建议上提",
    "co_handler_added": "联合调处",
    "co_handler_removed": "退出联合调处",
    "attachment_added": "添加证据材料",
    "attachment_withdrawn": "撤回证据材料",
    "risk_reassessed": "风险研判",
    "instruction_issued": "领导批示",
    "instruction_answered": "落实反馈",
    "case_listed": "挂牌督办",
    "case_delisted": "摘牌",
    "document_issued": "出具文书",
}

CHANNEL_LABELS: dict[Channel, str] = {
    Channel.WALK_IN: "来访",
    Channel.LETTER: "来信",
    Channel.ONLINE: "网上信访",
    Channel.HOTLINE: "12345热线",
    Channel.GRID_REPORT: "网格员上报",
    Channel.POLICE_REFERRAL: "公调对接",
    Channel.PETITION_REFERRAL: "访调对接",
    Channel.COURT_REFERRAL: "诉调对接",
    Channel.COURT_COMMISSIONED: "委派调解",
    Channel.LEADER_RECEPTION: "领导接访",
}

MEDIATION_TYPE_LABELS: dict[MediationType, str] = {
    MediationType.PEOPLES: "人民调解",
    MediationType.ADMINISTRATIVE: "行政调解",
    MediationType.JUDICIAL: "司法调解",
    MediationType.SECTOR: "行业性专业性调解",
    MediationType.ONLINE: "在线调解",
}

REFERRAL_LABELS: dict[ReferralRoute, str] = {
    ReferralRoute.ARBITRATION: "仲裁",
    ReferralRoute.LITIGATION: "诉讼",
    ReferralRoute.ADMINISTRATIVE: "行政裁决/复议",
}

COURT_DECISION_LABELS: dict[CourtDecision, str] = {
    CourtDecision.CONFIRMED: "确认有效",
    CourtDecision.REJECTED: "驳回",
}

PERFORMANCE_LABELS: dict[PerformanceStatus, str] = {
    PerformanceStatus.PENDING: "未到期",
    PerformanceStatus.PARTIAL: "部分履行",
    PerformanceStatus.PERFORMED: "已履行",
    PerformanceStatus.NOT_PERFORMED: "未履行",
}

SATISFACTION_LABELS: dict[Satisfaction, str] = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}

OUTCOME_LABELS: dict[CloseOutcome, str] = {
    CloseOutcome.RESOLVED: "化解成功",
    CloseOutcome.MEDIATION_FAILED: "调解不成，已告知途径",
    CloseOutcome.DECLINED: "不予受理，已转送",
    CloseOutcome.FINALIZED: "信访事项已终结",
}

CLOCK_STATUS_LABELS: dict[ClockStatus, str] = {
    ClockStatus.RUNNING: "计时中",
    ClockStatus.PAUSED: "中止计时",
    ClockStatus.MET: "按期完成",
    ClockStatus.BREACHED: "已逾期",
    ClockStatus.LAPSED: "申请期限届满",
    ClockStatus.CANCELLED: "停止计时",
}

CASE_KIND_LABELS: dict[CaseKind, str] = {
    CaseKind.DISPUTE: "矛盾纠纷",
    CaseKind.PETITION: "信访事项",
}

PARTY_TYPE_LABELS: dict[PartyType, str] = {
    PartyType.PERSON: "自然人",
    PartyType.ORGANISATION: "法人或其他组织",
}

AGREEMENT_FORM_LABELS: dict[AgreementForm, str] = {
    AgreementForm.WRITTEN: "书面协议",
    AgreementForm.ORAL: "口头协议",
}

# RiskFlags field names.
RISK_FLAG_LABELS: dict[str, str] = {
    "collective": "群体性",
    "civil_to_criminal_risk": "民转刑风险",
    "skip_level": "越级上访",
}

# Why a clock may be paused (ClockRule.pausable_for); other reasons are shown as given.
PAUSE_REASON_LABELS: dict[str, str] = {
    "appraisal": "鉴定",
    "hearing": "听证",
}


def pause_reason_label(reason: str) -> str:
    """鉴定 for ``appraisal``; a reason without a label is named as a reason given, in quotes."""
    return PAUSE_REASON_LABELS.get(reason, f"所填事由“{reason}”")


# The fields a refusal may name, as a form labels them: the message names the field in
# Chinese and the API adds its id beside it (codes never stand inside a Chinese sentence).
FIELD_LABELS: dict[str, str] = {
    "received_on": "收到申请日期",
    "accepted_on": "受理日期",
    "started_on": "调解开始日期",
    "held_on": "调解会日期",
    "signed_on": "协议签订日期",
    "failed_on": "调解终结日期",
    "due_on": "履行期限",
    "applied_on": "申请司法确认日期",
    "decided_on": "法院裁定日期",
    "visited_on": "回访日期",
    "answered_on": "答复日期",
    "served_on": "送达日期",
    "requested_on": "申请日期",
    "paused_on": "中止计时日期",
    "resumed_on": "恢复计时日期",
    "reported_on": "反馈日期",
    "deadline": "期限",
    "new_end": "约定的最后一日",
    "length": "延长期间",
    "reason": "事由",
    "clock_id": "时限",
    "alert_id": "督办提醒",
    "case_id": "案件编号",
    "assignment_no": "交办次序",
    "organisation": "单位",
    "item_no": "履行事项序号",
}


def field_label(field: str) -> str:
    """The Chinese label of a (possibly nested) field id: ``items.0.due_on`` → 第1项履行期限."""
    parts = field.split(".")
    label = FIELD_LABELS.get(parts[-1], "该项")
    indexes = [int(p) for p in parts[:-1] if p.isdigit()]
    return f"第{indexes[-1] + 1}项{label}" if indexes else label


PERIOD_UNIT_LABELS: dict[PeriodUnit, str] = {
    PeriodUnit.CALENDAR_DAYS: "日",
    PeriodUnit.WORKING_DAYS: "个工作日",
    PeriodUnit.HOURS: "小时",
    PeriodUnit.MONTHS: "个月",
}

ALERT_KIND_LABELS: dict[AlertKind, str] = {
    AlertKind.WARNING: "预警",
    AlertKind.BREACH: "逾期督办",
    AlertKind.MAJOR_REPORT: "重大矛盾纠纷直报",
    AlertKind.COLLECTIVE_REPORT: "群体性矛盾纠纷报告",
    AlertKind.SKIP_LEVEL_REPORT: "越级上访风险报告",
}

ALERT_STATUS_LABELS: dict[AlertStatus, str] = {
    AlertStatus.OPEN: "待签收",
    AlertStatus.ACKNOWLEDGED: "已签收",
    AlertStatus.CLOSED: "已解除",
}

ROLE_LABELS: dict[Role, str] = {
    Role.RESPONSIBLE_PERSON: "责任人",
    Role.UNIT_HEAD_OR_LEADER: "责任单位负责人/包案领导",
    Role.TOWN_LEADER: "乡镇(街道)领导",
    Role.COUNTY_LEADER: "县级领导（挂牌督办）",
    Role.INSTRUCTING_LEADER: "批示领导",
    Role.LISTING_LEADER: "挂牌领导",
    Role.ABOVE_LISTER: "挂牌领导的上一级领导",
}

# The prefix of an alert recipient id (domain.case.alerts.recipient_for).
RECIPIENT_LABELS: dict[str, str] = {
    "person": "责任人",
    "org": "承办单位",
    "org-head": "承办单位负责人",
    "leader": "包案领导",
    "unit-head": "责任单位负责人",
    "town-leader": "乡镇(街道)领导",
    "county-leader": "县级领导",
    "instructor": "批示领导",
    "lister": "挂牌领导",
    "city-leader": "市级领导",
}

# Petition answers by level (Answer.level).
ANSWER_LEVEL_LABELS: dict[int, str] = {
    1: "处理意见",
    2: "复查意见",
    3: "复核意见",
}


def chain_label(chain: EscalationChain) -> str:
    """督办链 named by whom it applies to and its steps (its id is a code, not for readers):
    ``重大、特别重大风险督办链（4级）``, ``通用督办链（4级）``."""
    scope = "、".join(
        [CATEGORY_LABELS[c] for c in chain.categories]
        + (
            [f"{'、'.join(RISK_LABELS[r] for r in chain.risk_levels)}风险"]
            if chain.risk_levels
            else []
        )
    )
    return f"{scope or '通用'}督办链（{len(chain.levels)}级）"


_PACKAGE_CALENDAR = "chinesecalendar-"


def calendar_label(version: str) -> str:
    """节假日数据 as readers know it: the data version and where it comes from.

    ``chinesecalendar-1.11.0`` (the package transcribing the State Council General Office's
    yearly notices) reads ``节假日数据版本 1.11.0（国务院办公厅节假日安排）``; a year laid over it
    from the deployment's own data file (``+2027``) is named after it; any other version is shown
    as it is.
    """
    if not version.startswith(_PACKAGE_CALENDAR):
        return f"节假日数据版本 {version}"
    package, *years = version.removeprefix(_PACKAGE_CALENDAR).split("+")
    text = f"节假日数据版本 {package}（国务院办公厅节假日安排"
    if years:
        text += f"；{'、'.join(f'{y}年' for y in years)}安排据本地数据文件"
    return text + "）"
