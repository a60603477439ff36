"""领导接访 in the pure domain: a case registered from a reception holds the reception and its
leader as 包案领导 (by account) from its first event; the channel and the log go together."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.case import commands as c
from domain.case.decide import decide
from domain.case.details import PackageLeaderDetails
from domain.case.evolve import evolve
from domain.case.summaries import summarize
from domain.errors import InvalidCommand
from domain.registers.reception import ReceptionDetails, leader_title
from domain.values import Channel
from tests.samples import T0, register

LEADER = PackageLeaderDetails(
    leader_name="刘强", leader_title="乡镇（街道）领导", leader_id="liuqiang"
)
RECEPTION = "JD-0123456789abcdef0123"


def _decide(command: c.Register) -> list:  # type: ignore[type-arg]
    envelope = c.CommandEnvelope(command_id="intake-1", actor="刘强 (liuqiang)", command=command)
    return decide(None, envelope, now=T0)


def test_a_case_from_a_reception_starts_with_its_leader_in_charge() -> None:
    command = register(
        channel=Channel.LEADER_RECEPTION, reception_id=RECEPTION, package_leader=LEADER
    )
    (event,) = _decide(command)
    state = evolve(None, event)
    assert state is not None
    assert state.reception_id == RECEPTION
    assert state.package_leader is not None
    assert (state.package_leader.leader_name, state.package_leader.leader_id) == (
        "刘强",
        "liuqiang",
    )
    assert "接访领导刘强（乡镇（街道）领导）包案" in summarize(state, [event])[0]


@pytest.mark.parametrize(
    "overrides",
    [
        {"channel": Channel.LEADER_RECEPTION},  # the channel without a log
        {"channel": Channel.LEADER_RECEPTION, "reception_id": RECEPTION},  # without the leader
        {"channel": Channel.WALK_IN, "reception_id": RECEPTION, "package_leader": LEADER},
    ],
)
def test_the_channel_and_the_reception_go_together(overrides: dict[str, object]) -> None:
    with pytest.raises(InvalidCommand) as refused:
        _decide(register(**overrides))
    assert refused.value.field == "channel"


def test_a_visitors_numbers_are_checked_on_the_way_in() -> None:
    base = {
        "received_on": "2026-03-02",
        "place": "接待室",
        "organisation": "xw-center",
    }
    with pytest.raises(ValidationError) as refused:
        ReceptionDetails.model_validate(
            {**base, "visitors": [{"name": "张伟", "id_number": "110101199003071234"}]}
        )
    assert refused.value.errors()[0]["loc"] == ("visitors", 0, "id_number")
    with pytest.raises(ValidationError):
        ReceptionDetails.model_validate({**base, "visitors": [{"name": "张伟", "phone": "12"}]})
    blank = ReceptionDetails.model_validate(
        {**base, "visitors": [{"name": "张伟", "id_number": " ", "phone": ""}]}
    )
    assert (blank.visitors[0].id_number, blank.visitors[0].phone) == (None, None)
    assert (leader_title("320102"), leader_title("320102001")) == (
        "县（区）领导",
        "乡镇（街道）领导",
    )
