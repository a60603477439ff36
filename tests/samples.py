"""Realistic sample commands (Chinese text) shared by the domain, workflow, store and API tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from domain.case import commands as c
from domain.case.stages import Stage

_COMMAND: TypeAdapter[c.Command] = TypeAdapter(c.Command)

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in China
TODAY = date(2026, 3, 2)


def intake_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "张某与李某相邻通行纠纷",
        "description": "李某在两户之间的通道堆放建材，张某出入受阻，双方多次争吵。",
        "category": "neighbourhood",
        "channel": "walk_in",
        "jurisdiction": {
            "county_code": "320102",
            "town_code": "320102001",
            "village_code": "320102001002",
            "county_name": "玄武区",
            "town_name": "梅园新村街道",
            "village_name": "长江路社区",
        },
        "applicants": [
            {
                "name": "张伟",
                "id_number": "110101199003071233",
                "phone": "13812345678",
                "address": "长江路12号",
            }
        ],
        "respondents": [{"name": "李娜", "phone": "13987654321"}],
        "risk_level": "low",
    }
    body.update(overrides)
    return body


def action_bodies(today: date = TODAY) -> dict[str, dict[str, Any]]:
    """A valid body for every action, with dates that make sense on ``today``."""
    day = today.isoformat()
    return {
        "accept": {"note": "符合受理条件"},
        "decline": {"reason": "不属于人民调解范围", "referral": "区人民法院"},
        "plan": {
            "responsible_unit": "梅园新村街道人民调解委员会",
            "responsible_person": "王芳",
            "measures": ["实地查看通道", "分别约谈双方", "组织面对面调解"],
            "deadline": (today + timedelta(days=30)).isoformat(),
        },
        "assign_package_leader": {
            "leader_name": "陈建国",
            "leader_title": "街道党工委副书记",
            "reason": "涉及多户居民",
        },
        "start_mediation": {"mediation_type": "peoples", "mediators": ["王芳", "赵强"]},
        "record_session": {
            "held_on": day,
            "mediators": ["王芳"],
            "attendees": ["张伟", "李娜"],
            "summary": "双方陈述意见，李某同意考虑清理建材。",
        },
        # 调解会排期: a week ahead, 09:30 China time; moved a day later.
        "schedule_session": {
            "starts_at": f"{(today + timedelta(days=7)).isoformat()}T09:30:00+08:00",
            "place": "长江路社区调解室",
            "mediators": ["王芳", "赵强"],
            "parties": ["张伟", "李娜"],
        },
        "postpone_session": {
            "schedule_no": 1,
            "starts_at": f"{(today + timedelta(days=8)).isoformat()}T14:00:00+08:00",
            "reason": "被申请人出差，申请改期",
        },
        "cancel_session": {"schedule_no": 1, "reason": "双方已自行和解"},
        "record_agreement": {
            "terms": "李某于三日内清理通道建材，张某不再追究。",
            "signed_on": day,
            "items": [
                {
                    "description": "李某清理通道建材",
                    "due_on": (today + timedelta(days=3)).isoformat(),
                }
            ],
        },
        "record_mediation_failure": {"reason": "双方分歧较大", "referral": "litigation"},
        "apply_judicial_confirmation": {"court": "玄武区人民法院", "applied_on": day},
        "record_court_decision": {
            "decision": "confirmed",
            "decided_on": day,
            "ruling_number": "(2026)苏0102民特12号",
        },
        "record_follow_up": {
            "visited_on": day,
            "performance": [{"item_no": 1, "status": "performed"}],
            "satisfaction": "satisfied",
            "notes": "通道已清理",
        },
        "close": {"remark": "协议履行完毕"},
        "withdraw": {"reason": "申请人撤回申请"},
        "record_court_acceptance": {"accepted_on": day},
        "pause_clock": {"clock_id": "B2", "reason": "appraisal", "note": "委托伤情鉴定"},
        "resume_clock": {"clock_id": "B2"},
        "extend_clock": {
            "clock_id": "B2",
            "length": 15,
            "approver": "调委会主任李明",
            "reason": "案情复杂，需补充调查",
        },
        "acknowledge_alert": {"alert_id": "JF-2026-000001-A1", "note": "已阅，督促办理"},
        "reply": {"answer": "经调查核实，对信访人诉求依法予以支持。", "answered_on": day},
        "request_review": {"requested_on": day, "reason": "对处理意见不服"},
        "answer_review": {"answer": "经复查，维持原处理意见。", "answered_on": day},
        "request_second_review": {"requested_on": day, "reason": "对复查意见不服"},
        "answer_second_review": {"answer": "经复核，维持复查意见。", "answered_on": day},
        "divert_to_mediation": {"note": "信访事项适宜调解，转人民调解委员会"},
        "record_repeat": {"received_on": day, "channel": "letter", "summary": "同一事项再次来信"},
        # Hand-offs name organisations by id; the API resolves them in the registry.
        "transfer": {
            "to_organisation": "xw-labour-room",
            "reason": "劳动争议，转劳动争议调解室办理",
        },
        "take": {"note": "已签收"},
        "return": {"reason": "不属于本单位管辖，退回原单位"},
        "recall": {"reason": "当事人已和解，撤回转办"},
        "assign": {
            "department": "xw-hrss",
            "deadline": (today + timedelta(days=10)).isoformat(),
            "instructions": "请核查欠薪情况并反馈",
        },
        "report_back": {"assignment_no": 1, "result": "已责令企业限期支付工资"},
        "lift": {"to_organisation": "xw-county-center", "reason": "村级三次调解未果，上提一级"},
        "add_co_handler": {"organisation": "xw-police-room", "note": "邀请派出所联合调处"},
        "remove_co_handler": {"organisation": "xw-police-room", "note": "联合调处结束"},
        "reassess_risk": {
            "risk_level": "major",
            "flags": {"civil_to_criminal_risk": True},
            "reasons": "双方发生肢体冲突，一方扬言报复",
        },
        "issue_instruction": {
            "text": "请包案领导当面化解，三日内报告结果",
            "deadline": (today + timedelta(days=3)).isoformat(),
        },
        "answer_instruction": {"instruction_no": 1, "result": "已当面调解，双方情绪平稳"},
        "list_case": {
            "deadline": (today + timedelta(days=30)).isoformat(),
            "supervising_unit": "xw-county-center",
            "reason": "久调未决，群体性风险较高，县级领导挂牌督办",
        },
        "delist_case": {"note": "已达成协议并履行，同意摘牌"},
        "issue_document": {"kind": "application"},
        "add_attachment": {
            "attachment_id": "att-00000001",
            "step": "agreement",
            "name": "协议书签字扫描件.pdf",
            "media_type": "application/pdf",
            "size": 1024,
            "sha256": "0" * 64,
        },
        "withdraw_attachment": {"attachment_id": "att-00000001", "reason": "上传错误"},
    }


def legal_dates(today: date = TODAY) -> dict[str, dict[str, Any]]:
    """The legal dates (法律事实之日) each action may state besides those ``action_bodies`` has:
    all ``today``, as when a fact is recorded the day it happens. Merged into the bodies by
    the benchmarks, so what they measure carries every date a careful office would send."""
    day = today.isoformat()
    return {
        "accept": {"accepted_on": day},
        "start_mediation": {"started_on": day},
        "reply": {"served_on": day},
        "answer_review": {"served_on": day},
        "answer_second_review": {"served_on": day},
        "pause_clock": {"paused_on": day},
        "resume_clock": {"resumed_on": day},
    }


# The API path of each command type.
ACTION_PATHS: dict[str, str] = {
    "accept": "accept",
    "decline": "decline",
    "plan": "plan",
    "assign_package_leader": "package-leader",
    "start_mediation": "start-mediation",
    "record_session": "sessions",
    "schedule_session": "sessions/schedule",
    "postpone_session": "sessions/postpone",
    "cancel_session": "sessions/cancel",
    "record_agreement": "agreement",
    "record_mediation_failure": "mediation-failure",
    "apply_judicial_confirmation": "judicial-confirmation",
    "record_court_decision": "court-decision",
    "record_follow_up": "follow-ups",
    "close": "close",
    "withdraw": "withdraw",
    "record_court_acceptance": "court-acceptance",
    "pause_clock": "clocks/pause",
    "resume_clock": "clocks/resume",
    "extend_clock": "clocks/extend",
    "acknowledge_alert": "alerts/ack",
    "reply": "reply",
    "request_review": "review-requests",
    "answer_review": "review-answers",
    "request_second_review": "second-review-requests",
    "answer_second_review": "second-review-answers",
    "divert_to_mediation": "diversion",
    "record_repeat": "repeats",
    "transfer": "transfer",
    "take": "take",
    "return": "return",
    "recall": "recall",
    "assign": "assign",
    "report_back": "report-back",
    "lift": "lift",
    "add_co_handler": "co-handlers",
    "remove_co_handler": "co-handlers/remove",
    "reassess_risk": "risk-assessments",
    "issue_instruction": "instructions",
    "answer_instruction": "instructions/answer",
    "list_case": "listing",
    "delist_case": "delisting",
    "issue_document": "documents",
    "add_attachment": "attachments",
    "withdraw_attachment": "attachments",
}

PETITION_INTAKE: dict[str, Any] = {
    "kind": "petition",
    "title": "王某反映征地补偿款未足额发放",
    "description": "信访人反映村集体土地被征收后，补偿款至今未足额发放到户。",
    "category": "land_demolition",
    "channel": "letter",
}

# The shortest path of actions that brings a new petition into each petition stage.
PETITION_PATH_TO_STAGE: dict[Stage, tuple[str, ...]] = {
    Stage.REGISTERED: (),
    Stage.ACCEPTED: ("accept",),
    Stage.DECLINED: ("decline",),
    Stage.REPLIED: ("accept", "reply"),
    Stage.REVIEW_REQUESTED: ("accept", "reply", "request_review"),
    Stage.REVIEWED: ("accept", "reply", "request_review", "answer_review"),
    Stage.SECOND_REVIEW_REQUESTED: (
        "accept",
        "reply",
        "request_review",
        "answer_review",
        "request_second_review",
    ),
    Stage.FINAL: (
        "accept",
        "reply",
        "request_review",
        "answer_review",
        "request_second_review",
        "answer_second_review",
    ),
    Stage.WITHDRAWN: ("withdraw",),
    Stage.CLOSED: ("decline", "close"),
}

REJECTED_DECISION = {"decision": "rejected", "reason": "协议内容不明确"}


# The API opens the linked dispute case itself; the domain command names it.
# Hand-offs: the domain command carries the organisation as the case records it.
ORGS: dict[str, dict[str, str]] = {
    "xw-labour-room": {
        "org_id": "xw-labour-room",
        "name": "玄武区劳动争议调解室",
        "level": "county",
        "type": "sector_room",
    },
    "xw-hrss": {
        "org_id": "xw-hrss",
        "name": "玄武区人力资源和社会保障局",
        "level": "county",
        "type": "department",
    },
    "xw-county-center": {
        "org_id": "xw-county-center",
        "name": "玄武区矛盾纠纷调解中心",
        "level": "county",
        "type": "center",
    },
    "xw-police-room": {
        "org_id": "xw-police-room",
        "name": "梅园新村派出所调解室",
        "level": "town",
        "type": "police_room",
    },
}
_DOMAIN_ONLY: dict[str, dict[str, Any]] = {
    "divert_to_mediation": {"dispute_case_id": "JF-2026-000009"},
    "transfer": {"to_organisation": ORGS["xw-labour-room"]},
    "assign": {"department": ORGS["xw-hrss"]},
    "lift": {"to_organisation": ORGS["xw-county-center"]},
    "add_co_handler": {"organisation": ORGS["xw-police-room"]},
    "remove_co_handler": {"organisation": ORGS["xw-police-room"]},
    # Filled by the API from the leader who lists (or approves the delisting).
    "list_case": {"lister_user_id": "lixianzhang", "lister_jurisdiction": "320102"},
    "delist_case": {"approver_user_id": "lixianzhang"},
    # The case takes a 文号 from its organisation's series before it records an issue.
    "issue_document": {
        "number": {
            "org_id": "xw-center",
            "org_name": "玄武区矛盾纠纷多元化解中心",
            "year": 2026,
            "seq": 1,
            "prefix": "玄调字",
        }
    },
}


def command(action: str, today: date = TODAY, **overrides: Any) -> c.Command:
    body = {**action_bodies(today)[action], **_DOMAIN_ONLY.get(action, {}), **overrides}
    return _COMMAND.validate_python({**body, "type": action})


def register(case_id: str = "JF-2026-000001", **overrides: Any) -> c.Register:
    return c.Register.model_validate({**intake_body(**overrides), "case_id": case_id})


# The whole life of a dispute after intake, in command types: 13 transitions with registration.
LIFECYCLE: tuple[str, ...] = (
    "accept",
    "plan",
    "assign_package_leader",
    "start_mediation",
    "record_session",
    "record_session",
    "record_agreement",
    "apply_judicial_confirmation",
    "record_court_acceptance",
    "record_court_decision",
    "record_follow_up",
    "close",
)

# The shortest path of actions that brings a new case into each stage.
PATH_TO_STAGE: dict[Stage, tuple[str, ...]] = {
    Stage.REGISTERED: (),
    Stage.ACCEPTED: ("accept",),
    Stage.DECLINED: ("decline",),
    Stage.MEDIATING: ("accept", "start_mediation"),
    Stage.AGREEMENT_REACHED: ("accept", "start_mediation", "record_agreement"),
    Stage.CONFIRMATION_PENDING: (
        "accept",
        "start_mediation",
        "record_agreement",
        "apply_judicial_confirmation",
    ),
    Stage.CONFIRMATION_REJECTED: (
        "accept",
        "start_mediation",
        "record_agreement",
        "apply_judicial_confirmation",
        "record_court_acceptance",
        "record_court_decision:rejected",
    ),
    Stage.FOLLOWING_UP: (
        "accept",
        "start_mediation",
        "record_agreement",
        "apply_judicial_confirmation",
        "record_court_acceptance",
        "record_court_decision",
    ),
    Stage.MEDIATION_FAILED: ("accept", "start_mediation", "record_mediation_failure"),
    Stage.WITHDRAWN: ("withdraw",),
    Stage.CLOSED: ("decline", "close"),
}


def step_action(step: str, today: date = TODAY) -> tuple[str, dict[str, Any]]:
    """A step in PATH_TO_STAGE as (command type, body); ``…:rejected`` is a rejected decision."""
    if step == "record_court_decision:rejected":
        return "record_court_decision", {
            **action_bodies(today)["record_court_decision"],
            **REJECTED_DECISION,
        }
    return step, action_bodies(today)[step]


def step_command(step: str, today: date = TODAY) -> c.Command:
    action, body = step_action(step, today)
    return _COMMAND.validate_python({**body, **_DOMAIN_ONLY.get(action, {}), "type": action})


def china_today() -> date:
    """Today's date in China, for tests that run against real workflow time."""
    from domain.values import china_date

    return china_date(datetime.now(UTC))


# The events a command itself records; clock and alert events come with them since clocks-v2.
CASE_EVENT_TYPES = frozenset(
    {
        "case_registered",
        "case_accepted",
        "case_declined",
        "plan_revised",
        "package_leader_assigned",
        "mediation_started",
        "session_recorded",
        "agreement_recorded",
        "mediation_failed",
        "judicial_confirmation_applied",
        "court_acceptance_recorded",
        "court_decision_recorded",
        "follow_up_recorded",
        "case_closed",
        "case_withdrawn",
        "petition_replied",
        "review_requested",
        "review_answered",
        "second_review_requested",
        "second_review_answered",
        "petition_finalized",
        "repeat_recorded",
        "diverted_to_mediation",
    }
)


def case_steps(types: list[str]) -> list[str]:
    """The case's own events among ``types`` (clock and alert events left out)."""
    return [t for t in types if t in CASE_EVENT_TYPES]
