"""Hand-built cases for the document tests: a dispute through agreement, follow-up and failure,
a petition through its three answers; each document issued with a 文号."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.case import commands as c
from domain.case.decide import decide
from domain.case.documents import issue_bodies
from domain.case.events import DocumentIssued
from domain.case.evolve import fold
from domain.case.issued import DocumentKind, DocumentNumber
from domain.case.state import CaseState
from tests.samples import T0, command, register

NUMBER = DocumentNumber(
    org_id="xw-myxc-committee",
    org_name="梅园新村街道人民调解委员会",
    year=2026,
    seq=12,
    prefix="玄调字",
)
DAY = date(2026, 3, 2)


def build(actions: list[str], case_id: str = "JF-2026-000777", **intake: Any) -> CaseState:
    state: CaseState | None = None
    cmds: list[c.Command] = [register(case_id=case_id, **intake)]
    cmds += [command(a) for a in actions]
    for n, cmd in enumerate(cmds):
        envelope = c.CommandEnvelope(command_id=f"k{n}", actor="王芳 (wangfang)", command=cmd)
        state = fold(decide(state, envelope, now=T0 + timedelta(minutes=n)), state)
    assert state is not None
    return state


def petition(actions: list[str]) -> CaseState:
    return build(actions, case_id="XF-2026-000555", kind="petition", category="other")


def issued(state: CaseState, kind: DocumentKind, subject: int | None = None) -> DocumentIssued:
    (body,) = issue_bodies(state, kind, subject, NUMBER)
    return body


DISPUTE_AGREED = ["accept", "start_mediation", "record_session", "record_agreement"]
