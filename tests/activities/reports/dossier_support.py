"""A dispute and a petition taken through their lives, their dossiers, and the tools the tests read
PDFs back with."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from activities.policy.book import PolicyBook
from activities.policy.calendar_data import package_calendar
from activities.reports.dossier import build_dossier
from activities.reports.dossier_model import Dossier
from activities.tasks.policy import calendar_slice
from domain.case import commands as c
from domain.case.decide import advance, decide, snapshot_policy
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.policy import case_policy
from domain.case.stages import Stage
from domain.case.state import CaseState
from domain.values import china_date
from tests.samples import command, register

CASE_ID = "JF-2026-000123"
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in China
CLEAR_ID = "110101199003071233"
CLEAR_PHONE = "13812345678"
TITLE = "张某与李某宅基地通道相邻通行纠纷"

DESCRIPTION = (
    "申请人张某与被申请人李某系长江路社区前后相邻住户。自二〇二五年冬季起，李某在两户之间约"
    "一米五宽的公共通道内长期堆放翻建房屋所用的砖块、钢筋和木料，致使张某家中年逾八旬、行动"
    "不便的老人无法正常出入，救护车亦难以通行。双方为此多次发生争吵，并曾引发肢体冲突，社区"
    "网格员两次上门劝解未果。张某要求李某立即清理通道、恢复原状，并赔偿因绕行产生的交通费用；"
    "李某称建材仅为临时堆放，待房屋翻建完毕即行清理，且认为张某家的围墙亦占用部分公共通道。"
    "因涉及周边多户居民出行，矛盾有激化风险。"
)


def envelope(n: int, actor: str, cmd: c.Command) -> c.CommandEnvelope:
    return c.CommandEnvelope(command_id=f"cmd-{n:03d}", actor=actor, command=cmd)


@cache
def dispute() -> tuple[CaseState, tuple[Event, ...]]:
    """A neighbourhood dispute driven through its whole life, with clocks, alerts and Chinese.

    register (major risk: 直报) → accept → plan → package leader → mediation → appraisal pause →
    two sessions → agreement with two items → judicial confirmation → court acceptance →
    confirmed → a warning before an item falls due → two follow-ups → close.
    """
    events: list[Event] = []
    state: CaseState | None = None

    def record(recorded: list[Event]) -> None:
        nonlocal state
        events.extend(recorded)
        state = fold(recorded, state)

    def run(n: int, at: datetime, actor: str, cmd: c.Command) -> None:
        record(decide(state, envelope(n, actor, cmd), now=at))

    def day(days: float) -> datetime:
        return T0 + timedelta(days=days)

    def on(days: float, action: str, **overrides: Any) -> c.Command:
        return command(action, china_date(day(days)), **overrides)

    intake = register(
        CASE_ID,
        title=TITLE,
        description=DESCRIPTION,
        risk_level="major",
        flags={"collective": True},
        received_on="2026-03-01",
        respondents=[
            {"name": "李娜", "phone": "13987654321", "address": "长江路14号"},
            {"name": "长江路社区居民委员会", "party_type": "organisation"},
        ],
    )
    run(1, T0, "登记员 刘敏", intake)
    assert state is not None
    calendar = calendar_slice(package_calendar(), 2026, 3)
    policy = case_policy(
        PolicyBook.load().for_jurisdiction(state.jurisdiction.code),
        calendar,
        kind=state.kind,
        category=state.category,
        channel=state.channel,
        risk=state.risk_level,
    )
    record(snapshot_policy(state, policy, actor="系统", command_id="cmd-001", now=T0))
    run(2, day(0.05), "王芳", on(0, "accept", note="属人民调解受理范围，予以受理"))
    run(
        3,
        day(1),
        "王芳",
        on(
            1,
            "plan",
            measures=[
                "实地查看通道堆放情况并拍照固定",
                "分别约谈张某、李某了解诉求，并邀请社区法律顾问释法",
                "组织双方及相邻住户召开面对面调解会",
                "协调街道城管中队督促清理超期堆放的建材",
            ],
            deadline="2026-03-31",
        ),
    )
    run(4, day(1.1), "王芳", on(1, "assign_package_leader", reason="涉及多户居民，矛盾易激化"))
    run(5, day(2), "王芳", on(2, "start_mediation"))
    run(6, day(3), "王芳", on(3, "pause_clock", note="委托测绘机构对通道宽度及围墙位置进行测量"))
    run(
        7,
        day(4),
        "王芳",
        on(
            4,
            "record_session",
            counselling=True,
            summary=(
                "双方陈述各自意见。张某情绪激动，调解员进行心理疏导；李某表示愿意在房屋翻建期间"
                "预留一米宽通道，但不同意赔偿交通费用。"
            ),
        ),
    )
    run(8, day(6), "王芳", c.ResumeClock(clock_id="B2"))
    run(
        9,
        day(9),
        "王芳",
        on(
            9,
            "record_session",
            mediators=["王芳", "赵强"],
            attendees=["张伟", "李娜", "社区法律顾问孙律师"],
            summary="测绘结果显示张某围墙未占用通道。经释法说理，李某同意清理建材并补偿交通费。",
        ),
    )
    run(10, day(9.2), "陈建国", c.AcknowledgeAlert(alert_id=f"{CASE_ID}-A1", note="已阅，亲自督办"))
    run(
        11,
        day(10),
        "王芳",
        on(
            10,
            "record_agreement",
            terms=(
                "一、李某于二〇二六年三月十七日前将通道内堆放的建材全部清理完毕，此后不再占用；"
                "二、李某于二〇二六年三月二十四日前一次性补偿张某交通费人民币八百元；"
                "三、双方今后友好相处，不再就此事发生争执。"
            ),
            items=[
                {"description": "李某清理通道内全部建材", "due_on": "2026-03-17"},
                {"description": "李某补偿张某交通费八百元", "due_on": "2026-03-24"},
            ],
        ),
    )
    run(12, day(11), "王芳", on(11, "apply_judicial_confirmation"))
    run(13, day(12), "王芳", on(12, "record_court_acceptance"))
    run(14, day(13), "王芳", on(13, "record_court_decision", ruling_number="(2026)苏0102民特45号"))
    # The first item's warning falls due two days before 2026-03-17 24:00.
    assert state is not None
    record(advance(state, now=day(13.9)))
    run(
        15,
        day(15),
        "王芳",
        on(
            15,
            "record_follow_up",
            performance=[
                {"item_no": 1, "status": "performed"},
                {"item_no": 2, "status": "partial"},
            ],
            satisfaction="basically_satisfied",
            notes="通道已清理，交通费已支付四百元，余款约定下周付清。",
        ),
    )
    run(
        16,
        day(22),
        "王芳",
        on(
            22,
            "record_follow_up",
            performance=[{"item_no": 2, "status": "performed"}],
            notes="余款已付清，双方关系缓和。",
        ),
    )
    run(17, day(23), "王芳", on(23, "close", remark="协议履行完毕，矛盾纠纷化解"))
    assert state is not None
    assert state.stage is Stage.CLOSED
    return state, tuple(events)


def masked(state: CaseState) -> CaseState:
    """What the API hands over: personal data masked (model_copy: masked text fails validation)."""

    def mask(party: Any) -> Any:
        update: dict[str, Any] = {}
        if party.id_number:
            update["id_number"] = party.id_number[:4] + "*" * 10 + party.id_number[-4:]
        if party.phone:
            update["phone"] = party.phone[:3] + "****" + party.phone[-4:]
        return party.model_copy(update=update)

    return state.model_copy(
        update={
            "applicants": tuple(mask(p) for p in state.applicants),
            "respondents": tuple(mask(p) for p in state.respondents),
        }
    )


def verification_facts(events: tuple[Event, ...], **overrides: Any) -> dict[str, Any]:
    return {
        "ok": True,
        "events": len(events),
        "head_hash": "9f2c" + "0" * 56 + "a1b2",
        "first_broken": None,
        "read_model_matches": True,
        **overrides,
    }


def built_dossier(**verification: Any) -> Dossier:
    state, events = dispute()
    return build_dossier(
        masked(state),
        events,
        verification_facts(events, **verification),
        generated_at=T0 + timedelta(days=30),
        generated_by="档案管理员 周丽",
        purpose="司法局年度卷宗评查",
    )


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (apt-get install {package}); CI installs it")
    return path


def run(*args: str, timeout: float = 120) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed: {done.stderr}"
    return done.stdout


def squeeze(text: str) -> str:
    """OCR and pdftotext put spaces and line breaks between CJK characters: drop them."""
    return re.sub(r"\s+", "", text)
