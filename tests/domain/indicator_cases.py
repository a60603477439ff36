"""A hand-built county of cases for the indicator tests, each told command by command.

Every date is a legal date in China; the figures the tests expect are worked out by hand from
these stories (see ``tests/domain/test_indicators.py``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.case import commands as c
from domain.case import events as e
from domain.case.decide import advance, decide, snapshot_policy
from domain.case.evolve import evolve
from domain.case.policy import case_policy
from domain.case.state import CaseState
from domain.values import RiskLevel
from tests.domain.official_calendar import OFFICIAL
from tests.domain.test_legal_dates import CURRENT, at
from tests.samples import PETITION_INTAKE, command, register


class _Told:
    """One case with its own number, told at the legal dates given."""

    def __init__(self, case_id: str, on: date, **intake: Any) -> None:
        self.n = 0
        self.events: list[e.Event] = []
        self.state: CaseState | None = None
        self.do(register(case_id=case_id, received_on=on.isoformat(), **intake), on)
        state = self.case
        snapshot = case_policy(
            CURRENT,
            OFFICIAL,
            kind=state.kind,
            category=state.category,
            channel=state.channel,
            risk=RiskLevel.LOW,
        )
        self._fold(snapshot_policy(state, snapshot, actor="系统", command_id="policy", now=at(on)))

    @property
    def case(self) -> CaseState:
        assert self.state is not None
        return self.state

    def _fold(self, events: list[e.Event]) -> None:
        for event in events:
            self.state = evolve(self.state, event)
        self.events += events

    def do(self, cmd: c.Command, on: date, by: str = "王芳") -> _Told:
        self.n += 1
        envelope = c.CommandEnvelope(command_id=f"cmd-{self.n}", actor=by, command=cmd)
        self._fold(decide(self.state, envelope, now=at(on)))
        return self

    def act(self, action: str, on: date, by: str = "王芳", **overrides: Any) -> _Told:
        return self.do(command(action, on, **overrides), on, by)

    def advance(self, on: date) -> _Told:
        self._fold(advance(self.case, now=at(on)))
        return self


def _person(name: str, phone: str) -> dict[str, Any]:
    return {"applicants": [{"name": name, "phone": phone}]}


def _agreement(signed: date, *due: date) -> dict[str, Any]:
    items = [
        {"description": f"履行第{i + 1}项", "due_on": d.isoformat()} for i, d in enumerate(due)
    ]
    return {"signed_on": signed.isoformat(), "items": items}


# A town of 玄武区 no other test places cases in (the API tests share one store).
QUIET_TOWN = {
    "county_code": "320102",
    "town_code": "320102009",
    "village_code": "320102009009",
    "county_name": "玄武区",
    "town_name": "清凉街道",
    "village_name": "清凉一村",
}


def county(
    base: int = 0,
    jurisdiction: dict[str, str] | None = None,
    centers: tuple[str, str] | None = None,
) -> list[Told]:
    """玄武区 (320102): the cases of the tests, in March 2026 and March 2025, numbered from
    ``base`` + 1 and placed in ``jurisdiction`` (the samples' village by default); with
    ``centers``, JF4, JF5, JF7 and JF8 are held by the second, the others by the first."""
    d = date
    place = {"jurisdiction": jurisdiction} if jurisdiction else {}

    def Told(case_id: str, on: date, **intake: Any) -> _Told:  # noqa: N802
        prefix, year, number = case_id.split("-")
        held = {}
        if centers is not None:
            second = prefix == "JF" and int(number) in (4, 5, 7, 8)
            held = {"center_id": centers[1] if second else centers[0]}
        return _Told(f"{prefix}-{year}-{base + int(number):06d}", on, **place, **held, **intake)

    d1 = Told("JF-2026-000001", d(2026, 3, 2), **_person("赵一", "13800000001"))
    d1.act("accept", d(2026, 3, 2), accepted_on="2026-03-02")
    d1.act("start_mediation", d(2026, 3, 2))
    d1.act("record_agreement", d(2026, 3, 5), **_agreement(d(2026, 3, 5), d(2026, 3, 8)))
    d1.act("issue_instruction", d(2026, 3, 6), by="周军", text="跟进履行", deadline="2026-03-12")
    d1.act("answer_instruction", d(2026, 3, 9), instruction_no=1, result="已跟进")
    d1.act("record_follow_up", d(2026, 3, 10), visited_on="2026-03-10")

    d2 = Told("JF-2026-000002", d(2026, 3, 3), **_person("钱二", "13800000002"))
    d2.act("accept", d(2026, 3, 3), accepted_on="2026-03-03")
    d2.act("start_mediation", d(2026, 3, 3))
    d2.act("record_mediation_failure", d(2026, 3, 20))

    d3 = Told("JF-2026-000003", d(2026, 3, 4), **_person("孙三", "13800000003"))
    d3.act("accept", d(2026, 3, 4), accepted_on="2026-03-04")
    d3.act("start_mediation", d(2026, 3, 4))
    d3.act("record_agreement", d(2026, 3, 6), **_agreement(d(2026, 3, 6), d(2026, 3, 20)))
    d3.act(
        "record_follow_up",
        d(2026, 3, 25),
        visited_on="2026-03-25",
        performance=[{"item_no": 1, "status": "not_performed"}],
        satisfaction="dissatisfied",
    )

    d4 = Told("JF-2026-000004", d(2026, 3, 10), **_person("李四", "13800000004"))
    d4.act("accept", d(2026, 3, 10), accepted_on="2026-03-10")
    d4.act("start_mediation", d(2026, 3, 10))
    # 周军's 批示 of 12 March, to be carried out by 20 March, still unanswered when it ran out.
    d4.act("issue_instruction", d(2026, 3, 12), by="周军", text="请尽快化解", deadline="2026-03-20")
    d4.advance(d(2026, 3, 25))

    # Accepted in January; its one-month mediation period (B2) ran out on 5 February and was
    # recorded as breached; the agreement came on 12 March, without performance items.
    d5 = Told("JF-2026-000005", d(2026, 1, 5), **_person("周五", "13800000005"))
    d5.act("accept", d(2026, 1, 5), accepted_on="2026-01-05")
    d5.act("start_mediation", d(2026, 1, 5))
    d5.advance(d(2026, 2, 10))
    d5.act("record_agreement", d(2026, 3, 12), **_agreement(d(2026, 3, 12)))

    d6 = Told(
        "JF-2026-000006",
        d(2026, 3, 15),
        flags={"civil_to_criminal_risk": True},
        **_person("吴六", "13800000006"),
    )
    # 刘强 acknowledges the 直报 the next day, 24 hours after it was raised.
    d6.act("acknowledge_alert", d(2026, 3, 16), by="刘强", alert_id=d6.case.alerts[0].alert_id)
    # A year before: two disputes flagged 民转刑 in March 2025.
    d7 = Told(
        "JF-2025-000007",
        d(2025, 3, 10),
        flags={"civil_to_criminal_risk": True},
        **_person("郑七", "13800000007"),
    )
    d8 = Told("JF-2025-000008", d(2025, 3, 12), **_person("王八", "13800000008"))
    d8.act(
        "reassess_risk",
        d(2025, 3, 20),
        risk_level="elevated",
        flags={"civil_to_criminal_risk": True},
    )

    # 周五 petitions on the same matter (same person, category and county) after the agreement,
    # and skips a level doing so.
    p1 = Told(
        "XF-2026-000001",
        d(2026, 3, 20),
        **{**PETITION_INTAKE, "category": "neighbourhood"},
        flags={"skip_level": True},
        **_person("周五", "13800000005"),
    )
    p2 = Told("XF-2026-000002", d(2026, 3, 2), **PETITION_INTAKE, **_person("冯九", "13800000009"))
    p2.act("accept", d(2026, 3, 2), accepted_on="2026-03-02")
    p2.act("reply", d(2026, 3, 25), answered_on="2026-03-25", served_on="2026-03-25")
    return [d1, d2, d3, d4, d5, d6, d7, d8, p1, p2]


Told = _Told
