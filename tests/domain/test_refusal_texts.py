"""Every refusal reads in Chinese without a raw code inside it (CONVENTIONS 17).

The walk collects the refusals ``decide`` gives: every stage of both kinds against every
command (the stage table's refusal), every date field too late and too early, every pause
reason (known or not) against every clock, extensions of every kind, unknown clocks, alerts and
assignments, hand-offs that do not fit, a command of another organisation, a command to a case
never registered; and the refusal builders used without a running case. The Chinese text may
name case, clock and alert ids (capitals and digits, as shown on the case), never a snake_case
field, an enum value or any other lowercase code: those belong beside the message (``field``,
``code``), not in it.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from domain.case import commands as c
from domain.case.decide import decide
from domain.case.refusals import (
    already_registered,
    answer_after_end,
    check_diversion,
    stage_forbids,
)
from domain.case.stages import Action, Stage
from domain.case.state import CaseState
from domain.errors import DomainError, ForbiddenTransition, InvalidCommand, NotYourTurn
from domain.values import CaseKind, china_date
from tests.domain.case_walk import Walk
from tests.domain.handoff_cases import HRSS, LABOUR_ROOM, VILLAGE, org
from tests.samples import command, register

# A run of Latin letters and digits (with - _ . inside) within the Chinese text.
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*")
# Ids as the case shows them: JF-2026-000001, B2, A7b, TAKE-2, JF-2026-000001-A3 (a capital
# first, and all capitals or a digit: the rule ids of the legal tables).
_ID = re.compile(r"(?:[A-Z0-9]+|[A-Z][A-Za-z]*[0-9][A-Za-z0-9]*)(?:-[A-Za-z0-9]+)*")


def raw_codes(text: str) -> list[str]:
    return [token for token in _TOKEN.findall(text) if not _ID.fullmatch(token)]


def _variants(walk: Walk) -> list[tuple[str, dict[str, object]]]:
    """Commands likely to be refused on ``walk``'s case as it stands."""
    state = walk.state
    today = china_date(walk.now)
    later = (today + timedelta(days=3)).isoformat()
    long_ago = "2000-01-03"
    clock_ids = [clock.clock_id for clock in state.clocks] + ["NONE"]
    variants: list[tuple[str, dict[str, object]]] = [(a.value, {}) for a in Action]
    for field, action in (
        ("accepted_on", "accept"),
        ("started_on", "start_mediation"),
        ("held_on", "record_session"),
        ("signed_on", "record_agreement"),
        ("applied_on", "apply_judicial_confirmation"),
        ("accepted_on", "record_court_acceptance"),
        ("decided_on", "record_court_decision"),
        ("visited_on", "record_follow_up"),
        ("answered_on", "reply"),
        ("served_on", "reply"),
        ("requested_on", "request_review"),
        ("answered_on", "answer_review"),
        ("requested_on", "request_second_review"),
        ("answered_on", "answer_second_review"),
        ("received_on", "record_repeat"),
        ("reported_on", "report_back"),
    ):
        variants += [(action, {field: later}), (action, {field: long_ago})]
    variants += [("plan", {"deadline": long_ago}), ("assign", {"deadline": long_ago})]
    variants.append(("record_agreement", {"items": [{"description": "付款", "due_on": long_ago}]}))
    variants.append(("record_follow_up", {"performance": [{"item_no": 9, "status": "performed"}]}))
    for clock_id in clock_ids:
        for reason in ("appraisal", "hearing", "其他事由"):
            variants.append(("pause_clock", {"clock_id": clock_id, "reason": reason}))
            variants.append(
                ("pause_clock", {"clock_id": clock_id, "reason": reason, "paused_on": later})
            )
            variants.append(
                ("pause_clock", {"clock_id": clock_id, "reason": reason, "paused_on": long_ago})
            )
        variants.append(("resume_clock", {"clock_id": clock_id, "resumed_on": later}))
        variants.append(("resume_clock", {"clock_id": clock_id, "resumed_on": long_ago}))
        variants.append(("resume_clock", {"clock_id": clock_id}))
        variants.append(("extend_clock", {"clock_id": clock_id}))
        variants.append(("extend_clock", {"clock_id": clock_id, "length": 999}))
        variants.append(("extend_clock", {"clock_id": clock_id, "length": None}))
        variants.append(("extend_clock", {"clock_id": clock_id, "length": None, "new_end": later}))
        variants.append(
            ("extend_clock", {"clock_id": clock_id, "length": None, "new_end": long_ago})
        )
        variants.append(("extend_clock", {"clock_id": clock_id, "new_end": later}))
    for alert in [*state.alerts, None]:
        alert_id = alert.alert_id if alert else f"{state.case_id}-A99"
        variants.append(("acknowledge_alert", {"alert_id": alert_id}))
    variants += [
        ("report_back", {"assignment_no": 7}),
        ("transfer", {"to_organisation": org(VILLAGE)}),
        ("transfer", {"to_organisation": org(LABOUR_ROOM)}),
        ("lift", {"to_organisation": org(VILLAGE)}),
        ("add_co_handler", {"organisation": org(HRSS)}),
        ("remove_co_handler", {"organisation": org(HRSS)}),
    ]
    return variants


def _try(walk: Walk, action: str, body: dict[str, object], found: dict[str, DomainError]) -> None:
    try:
        cmd = command(action, china_date(walk.now), **body)
    except ValueError:
        return  # the command model itself refuses it (a 422 from validation, not from the case)
    envelope = c.CommandEnvelope(command_id="probe", actor="王芳", command=cmd)
    try:
        decide(walk.state, envelope, now=walk.now)
    except DomainError as refusal:
        found.setdefault(refusal.message_zh, refusal)


def collected_refusals() -> dict[str, DomainError]:
    """Every distinct refusal the probes meet along seeded walks of both kinds."""
    found: dict[str, DomainError] = {}
    rng = random.Random(17)
    for _ in range(24):
        walk = Walk(lambda options: rng.choice(list(options)))
        for _ in range(14):
            for action, body in _variants(walk):
                _try(walk, action, body, found)
            walk.step()
            if walk.state.is_terminal:
                for action, body in _variants(walk)[:40]:
                    _try(walk, action, body, found)
                break
    return found


def _refused_by(state: CaseState, envelope: c.CommandEnvelope) -> list[DomainError]:
    refusals: list[DomainError] = []
    try:
        answer_after_end(state, envelope)
    except DomainError as refusal:
        refusals.append(refusal)
    try:
        check_diversion(state, "divert")
    except DomainError as refusal:
        refusals.append(refusal)
    return refusals


def _builders(state: CaseState) -> list[DomainError]:
    """The refusals given without a running case, for every stage, kind and action."""
    made: list[DomainError] = [already_registered(state)]
    for kind in CaseKind:
        for stage in Stage:
            at_stage = state.model_copy(update={"kind": kind, "stage": stage})
            for action in Action:
                refusal = stage_forbids(at_stage, action)
                if refusal is not None:
                    made.append(refusal)
            envelope = c.CommandEnvelope(command_id="late", actor="王芳", command=command("accept"))
            for refusal in _refused_by(at_stage, envelope):
                made.append(refusal)
    return made


def test_no_refusal_carries_a_raw_code_in_its_chinese_text() -> None:
    found = collected_refusals()
    walk = Walk(lambda options: list(options)[0])  # a dispute, as registered
    builders = _builders(walk.state)
    never_registered = c.CommandEnvelope(command_id="x", actor="王芳", command=command("accept"))
    with pytest.raises(DomainError) as unknown:
        decide(None, never_registered, now=walk.now)
    wrong_number = register(case_id="XF-2026-000002")
    with pytest.raises(DomainError) as mismatch:
        decide(
            None,
            c.CommandEnvelope(command_id="y", actor="王芳", command=wrong_number),
            now=walk.now,
        )
    other_org = c.CommandEnvelope(
        command_id="z", actor="王芳", command=command("accept"), acting_organisation="xw-other"
    )
    with pytest.raises(NotYourTurn) as not_yours:
        decide(walk.state, other_org, now=walk.now)
    texts = {
        **found,
        **{r.message_zh: r for r in builders},
        **{e.value.message_zh: e.value for e in (unknown, mismatch, not_yours)},
    }
    # The walk reached the refusals it is meant to: stage, dates, pause reasons, extensions.
    kinds = {type(r) for r in texts.values()}
    assert {ForbiddenTransition, InvalidCommand, NotYourTurn} <= kinds
    assert len(texts) > 150, len(texts)
    assert any("中止计时（可中止事由" in t for t in texts)
    assert any("不能晚于今天" in t for t in texts)
    leaks = {text: raw_codes(text) for text in texts if raw_codes(text)}
    assert not leaks, leaks


def test_the_pause_refusal_names_the_reasons_in_chinese() -> None:
    walk = Walk(lambda options: list(options)[0])
    state = walk.state
    # B2 (one month from acceptance) pauses for an appraisal only, never for a hearing.
    for action in ("accept",):
        walk._record(
            decide(state, walk._envelope(command(action, china_date(walk.now))), now=walk.now)
        )
    envelope = walk._envelope(
        command("pause_clock", china_date(walk.now), clock_id="B2", reason="hearing")
    )
    with pytest.raises(InvalidCommand) as refusal:
        decide(walk.state, envelope, now=walk.now)
    assert refusal.value.message_zh == "人民调解期限（一个月）不因听证中止计时（可中止事由：鉴定）"
    assert refusal.value.field == "reason"


def test_the_raw_code_check_catches_a_code() -> None:
    assert raw_codes("B2不因「hearing」中止计时") == ["hearing"]
    assert raw_codes("accepted_on 不能晚于今天（2026-03-02）") == ["accepted_on"]
    assert raw_codes("案件 JF-2026-000001 的时限 TAKE-2、A7b 已结束") == []
