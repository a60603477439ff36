"""挂牌督办 and 摘牌 as pure decisions: who may list (the policy's levels), what is refused and
changes nothing, whom the overdue listing reaches (above the lister), what 摘牌 closes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case.alerts import AlertKind, AlertStatus
from domain.case.listing_records import above
from domain.errors import ForbiddenTransition, InvalidCommand, NotYourTurn
from tests.domain.handoff_cases import Case


def _mediating() -> Case:
    case = Case()
    for action in ("accept", "plan", "start_mediation"):
        case.do(action)
    return case


def test_only_a_leader_of_the_policys_level_lists() -> None:
    case = _mediating()
    refused = case.refusal("list_case", lister_jurisdiction="320102001")  # a town leader
    assert isinstance(refused, NotYourTurn)
    assert refused.message_zh == "挂牌督办须由县级领导决定"
    case.do("list_case")  # the county leader (320102)
    again = case.refusal("list_case")
    assert isinstance(again, ForbiddenTransition)
    assert case.state.open_listing is not None


def test_a_past_deadline_is_refused_beside_the_field() -> None:
    case = _mediating()
    yesterday = (case.now - timedelta(days=2)).date().isoformat()
    refused = case.refusal("list_case", deadline=yesterday)
    assert isinstance(refused, InvalidCommand)
    assert refused.field == "deadline"


def test_delisting_needs_resolution_and_the_listers_or_delegates_approval() -> None:
    case = _mediating()
    case.do("list_case", delegate="zhangmishu")
    unresolved = case.refusal("delist_case")
    assert isinstance(unresolved, ForbiddenTransition)
    assert unresolved.message_zh.startswith("案件尚未化解，不能摘牌")
    case.do("record_agreement")
    stranger = case.refusal("delist_case", approver_user_id="wangfang")
    assert isinstance(stranger, NotYourTurn)
    case.do("delist_case", approver_user_id="zhangmishu")
    assert case.state.open_listing is None
    assert case.state.listings[0].delisted_at is not None


def test_overdue_reaches_the_lister_then_the_level_above_and_delisting_closes_it() -> None:
    case = _mediating()
    deadline = (case.now + timedelta(days=3)).date().isoformat()
    case.do("list_case", deadline=deadline)
    clock = case.state.clock("L1-1")
    assert clock is not None
    for hours in (1, 25, 49):  # the timer fires at the breach and at each escalation step
        case.advance_to(clock.due_at + timedelta(hours=hours))
    breach = next(a for a in case.state.alerts if a.kind is AlertKind.BREACH)
    recipients = [n.recipient for n in breach.notifications]
    assert recipients == ["person:王芳", "lister:王芳", "city-leader:320100"]
    case.do("record_agreement")
    case.do("delist_case")
    closed = case.state.alert(breach.alert_id)
    assert closed is not None
    assert closed.status is AlertStatus.CLOSED


@pytest.mark.parametrize(
    ("lister", "recipient"),
    [("320102", "city-leader:320100"), ("320102001", "county-leader:320102")],
)
def test_the_level_above_a_lister(lister: str, recipient: str) -> None:
    assert above(lister) == recipient
