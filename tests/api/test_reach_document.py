"""The reach the API reads from a stored document is the one the state itself gives."""

from __future__ import annotations

from api.access import reach_of
from domain.case.reach import CaseReach
from tests.domain.test_reach import _states


def test_reach_from_the_document_equals_reach_from_the_state_at_every_moment() -> None:
    for moment, state in _states().items():
        document = state.model_dump(mode="json")
        assert reach_of(document) == CaseReach.of(state), moment


def test_a_case_from_before_organisations_is_held_by_its_center() -> None:
    state = _states()["registered"]
    document = state.model_dump(mode="json")
    for key in ("holder", "pending_transfer", "co_handlers", "assignments", "former_holders"):
        document.pop(key, None)  # as stored before issue 11
    reach = reach_of(document)
    assert reach.holder_id == "xw-center"
    assert reach.related == {"xw-center"}
