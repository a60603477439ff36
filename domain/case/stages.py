"""Dispute stages (阶段) and which command each stage allows: the transition table as data."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    REGISTERED = "registered"  # 已登记
    ACCEPTED = "accepted"  # 已受理
    DECLINED = "declined"  # 不予受理
    MEDIATING = "mediating"  # 调解中
    AGREEMENT_REACHED = "agreement_reached"  # 已达成调解协议
    CONFIRMATION_PENDING = "confirmation_pending"  # 司法确认中
    CONFIRMATION_REJECTED = "confirmation_rejected"  # 司法确认被驳回
    FOLLOWING_UP = "following_up"  # 履行回访中
    MEDIATION_FAILED = "mediation_failed"  # 调解不成
    WITHDRAWN = "withdrawn"  # 已撤回
    CLOSED = "closed"  # 已销号
    # Petition track (信访事项)
    REPLIED = "replied"  # 已出具处理意见（复查申请期内）
    REVIEW_REQUESTED = "review_requested"  # 复查中
    REVIEWED = "reviewed"  # 已复查（复核申请期内）
    SECOND_REVIEW_REQUESTED = "second_review_requested"  # 复核中
    FINAL = "final"  # 终结（不再受理同一事实和理由）


class Action(StrEnum):
    """Every command a case accepts after registration; values are the command ``type``."""

    ACCEPT = "accept"
    DECLINE = "decline"
    PLAN = "plan"
    ASSIGN_PACKAGE_LEADER = "assign_package_leader"
    START_MEDIATION = "start_mediation"
    RECORD_SESSION = "record_session"
    SCHEDULE_SESSION = "schedule_session"
    POSTPONE_SESSION = "postpone_session"
    CANCEL_SESSION = "cancel_session"
    RECORD_AGREEMENT = "record_agreement"
    RECORD_MEDIATION_FAILURE = "record_mediation_failure"
    APPLY_JUDICIAL_CONFIRMATION = "apply_judicial_confirmation"
    RECORD_COURT_DECISION = "record_court_decision"
    RECORD_FOLLOW_UP = "record_follow_up"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    RECORD_COURT_ACCEPTANCE = "record_court_acceptance"
    PAUSE_CLOCK = "pause_clock"
    RESUME_CLOCK = "resume_clock"
    EXTEND_CLOCK = "extend_clock"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    REPLY = "reply"
    REQUEST_REVIEW = "request_review"
    ANSWER_REVIEW = "answer_review"
    REQUEST_SECOND_REVIEW = "request_second_review"
    ANSWER_SECOND_REVIEW = "answer_second_review"
    DIVERT_TO_MEDIATION = "divert_to_mediation"
    RECORD_REPEAT = "record_repeat"
    # Hand-offs between organisations (转办 签收 退回 交办 反馈 上提 联合调处)
    TRANSFER = "transfer"
    TAKE = "take"
    RETURN = "return"
    RECALL = "recall"  # 撤回转办, by the sender while the transfer awaits 签收
    ASSIGN = "assign"
    REPORT_BACK = "report_back"
    LIFT = "lift"
    ADD_CO_HANDLER = "add_co_handler"
    REMOVE_CO_HANDLER = "remove_co_handler"
    # 证据材料: files kept with the case, at any stage (a ruling arrives after the close).
    ADD_ATTACHMENT = "add_attachment"
    WITHDRAW_ATTACHMENT = "withdraw_attachment"
    # Leaders on a case (风险研判 领导批示 落实反馈)
    REASSESS_RISK = "reassess_risk"
    ISSUE_INSTRUCTION = "issue_instruction"
    ANSWER_INSTRUCTION = "answer_instruction"
    LIST_CASE = "list_case"  # 挂牌督办
    DELIST_CASE = "delist_case"  # 摘牌 (decide() checks the case is resolved)
    ISSUE_DOCUMENT = "issue_document"  # 出具文书 (which kinds: domain.case.documents)


TERMINAL_STAGES: frozenset[Stage] = frozenset({Stage.WITHDRAWN, Stage.CLOSED})

# Stages in which the case is still being worked: a plan or a package leader may change.
_WORKING = frozenset(
    {
        Stage.ACCEPTED,
        Stage.MEDIATING,
        Stage.AGREEMENT_REACHED,
        Stage.CONFIRMATION_PENDING,
        Stage.CONFIRMATION_REJECTED,
        Stage.FOLLOWING_UP,
    }
)
_OPEN = _WORKING | {Stage.REGISTERED}
_SCHEDULING = frozenset({Stage.ACCEPTED, Stage.MEDIATING, Stage.CONFIRMATION_REJECTED})
_NOT_ENDED = frozenset(Stage) - TERMINAL_STAGES

ALLOWED: dict[Action, frozenset[Stage]] = {
    Action.ACCEPT: frozenset({Stage.REGISTERED}),
    Action.DECLINE: frozenset({Stage.REGISTERED}),
    Action.PLAN: _WORKING,
    Action.ASSIGN_PACKAGE_LEADER: _WORKING,
    Action.START_MEDIATION: frozenset({Stage.ACCEPTED, Stage.CONFIRMATION_REJECTED}),
    Action.RECORD_SESSION: frozenset({Stage.MEDIATING}),
    # 调解会排期: booked once the case is taken on, moved while it may still be held, cancelled
    # at any time before the case ends.
    Action.SCHEDULE_SESSION: _SCHEDULING,
    Action.POSTPONE_SESSION: _SCHEDULING,
    Action.CANCEL_SESSION: _NOT_ENDED,
    Action.RECORD_AGREEMENT: frozenset({Stage.MEDIATING}),
    Action.RECORD_MEDIATION_FAILURE: frozenset({Stage.MEDIATING, Stage.CONFIRMATION_REJECTED}),
    Action.APPLY_JUDICIAL_CONFIRMATION: frozenset({Stage.AGREEMENT_REACHED}),
    Action.RECORD_COURT_DECISION: frozenset({Stage.CONFIRMATION_PENDING}),
    Action.RECORD_FOLLOW_UP: frozenset({Stage.AGREEMENT_REACHED, Stage.FOLLOWING_UP}),
    # Close also needs every agreement item performed; decide() checks that beyond the stage.
    Action.CLOSE: frozenset(
        {Stage.AGREEMENT_REACHED, Stage.FOLLOWING_UP, Stage.MEDIATION_FAILED, Stage.DECLINED}
    ),
    Action.WITHDRAW: _OPEN,
    Action.RECORD_COURT_ACCEPTANCE: frozenset({Stage.CONFIRMATION_PENDING}),
    # Clocks and alerts can be worked on while the case is not yet closed or withdrawn.
    Action.PAUSE_CLOCK: _NOT_ENDED,
    Action.RESUME_CLOCK: _NOT_ENDED,
    Action.EXTEND_CLOCK: _NOT_ENDED,
    Action.ACKNOWLEDGE_ALERT: _NOT_ENDED,
    # A case is handed on while it is open (a transfer pending blocks another: decide() checks);
    # a department's report may arrive at any time before the case ends.
    Action.TRANSFER: _OPEN,
    Action.TAKE: _OPEN,
    Action.RETURN: _OPEN,
    Action.RECALL: _OPEN,
    Action.ASSIGN: _OPEN,
    Action.REPORT_BACK: _NOT_ENDED,
    # Lifted also after a failed mediation: the level above handles it afresh.
    Action.LIFT: _OPEN | {Stage.MEDIATION_FAILED},
    Action.ADD_CO_HANDLER: _OPEN,
    Action.REMOVE_CO_HANDLER: _NOT_ENDED,
    Action.ADD_ATTACHMENT: frozenset(Stage),
    Action.WITHDRAW_ATTACHMENT: frozenset(Stage),
    Action.REASSESS_RISK: _OPEN,
    Action.ISSUE_INSTRUCTION: _NOT_ENDED,
    Action.ANSWER_INSTRUCTION: _NOT_ENDED,
    Action.ISSUE_DOCUMENT: _NOT_ENDED,
    Action.LIST_CASE: _OPEN,
    Action.DELIST_CASE: _NOT_ENDED,
}


# Petition stages: register → accept → handle → reply → (review) → (second review) → final.
_PETITION_WORKING = frozenset(
    {
        Stage.ACCEPTED,
        Stage.REPLIED,
        Stage.REVIEW_REQUESTED,
        Stage.REVIEWED,
        Stage.SECOND_REVIEW_REQUESTED,
    }
)
_PETITION_OPEN = _PETITION_WORKING | {Stage.REGISTERED}
_NEVER: frozenset[Stage] = frozenset()

PETITION_ALLOWED: dict[Action, frozenset[Stage]] = {
    **dict.fromkeys(Action, _NEVER),
    Action.ACCEPT: frozenset({Stage.REGISTERED}),
    Action.DECLINE: frozenset({Stage.REGISTERED}),
    Action.PLAN: _PETITION_WORKING,
    Action.ASSIGN_PACKAGE_LEADER: _PETITION_WORKING,
    Action.REPLY: frozenset({Stage.ACCEPTED}),
    Action.REQUEST_REVIEW: frozenset({Stage.REPLIED}),
    Action.ANSWER_REVIEW: frozenset({Stage.REVIEW_REQUESTED}),
    Action.REQUEST_SECOND_REVIEW: frozenset({Stage.REVIEWED}),
    Action.ANSWER_SECOND_REVIEW: frozenset({Stage.SECOND_REVIEW_REQUESTED}),
    Action.DIVERT_TO_MEDIATION: frozenset({Stage.ACCEPTED}),
    Action.CLOSE: frozenset({Stage.FINAL, Stage.DECLINED}),
    Action.WITHDRAW: _PETITION_OPEN,
    Action.PAUSE_CLOCK: _NOT_ENDED,
    Action.RESUME_CLOCK: _NOT_ENDED,
    Action.EXTEND_CLOCK: _NOT_ENDED,
    Action.ACKNOWLEDGE_ALERT: _NOT_ENDED,
    Action.RECORD_REPEAT: _PETITION_OPEN,
    Action.TRANSFER: _PETITION_OPEN,  # 转送 to the competent body
    Action.TAKE: _PETITION_OPEN,
    Action.RETURN: _PETITION_OPEN,
    Action.RECALL: _PETITION_OPEN,
    Action.ASSIGN: _PETITION_OPEN,  # 交办 (条例 Art.22)
    Action.REPORT_BACK: _NOT_ENDED,
    Action.ADD_CO_HANDLER: _PETITION_OPEN,
    Action.REMOVE_CO_HANDLER: _NOT_ENDED,
    Action.ADD_ATTACHMENT: frozenset(Stage),
    Action.WITHDRAW_ATTACHMENT: frozenset(Stage),
    Action.REASSESS_RISK: _PETITION_OPEN,
    Action.ISSUE_INSTRUCTION: _NOT_ENDED,
    Action.ANSWER_INSTRUCTION: _NOT_ENDED,
    Action.ISSUE_DOCUMENT: _NOT_ENDED,
    Action.LIST_CASE: _PETITION_OPEN,
    Action.DELIST_CASE: _NOT_ENDED,
}

for _action in Action:
    ALLOWED.setdefault(_action, _NEVER)  # petition-only actions never apply to disputes


def allowed(action: Action, stage: Stage, kind: str = "dispute") -> bool:
    table = PETITION_ALLOWED if kind == "petition" else ALLOWED
    return stage in table[action]
