"""Realistic sample commands (Chinese text) shared by the domain, workflow, store and API tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from domain import commands as c
from domain.stages import Stage

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
    }


# The API path of each command type.
ACTION_PATHS: dict[str, str] = {
    "accept": "accept",
    "decline": "decline",
    "plan": "plan",
    "assign_package_leader": "package-leader",
    "start_mediation": "start-mediation",
    "record_session": "sessions",
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
}

REJECTED_DECISION = {"decision": "rejected", "reason": "协议内容不明确"}


def command(action: str, today: date = TODAY, **overrides: Any) -> c.Command:
    body = {**action_bodies(today)[action], **overrides, "type": action}
    return _COMMAND.validate_python(body)


def register(case_id: str = "JF-2026-000001", **overrides: Any) -> c.Register:
    return c.Register.model_validate({**intake_body(**overrides), "case_id": case_id})


# The whole life of a dispute after intake, in command types: 12 transitions with registration.
LIFECYCLE: tuple[str, ...] = (
    "accept",
    "plan",
    "assign_package_leader",
    "start_mediation",
    "record_session",
    "record_session",
    "record_agreement",
    "apply_judicial_confirmation",
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
        "record_court_decision:rejected",
    ),
    Stage.FOLLOWING_UP: (
        "accept",
        "start_mediation",
        "record_agreement",
        "apply_judicial_confirmation",
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
    return _COMMAND.validate_python({**body, "type": action})


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
    }
)


def case_steps(types: list[str]) -> list[str]:
    """The case's own events among ``types`` (clock and alert events left out)."""
    return [t for t in types if t in CASE_EVENT_TYPES]
