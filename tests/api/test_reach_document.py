"""The reach the API reads from a stored document is the one the state itself gives."""

from __future__ import annotations

from activities.store.read_model import relation_rows
from api.access import reach_of, reach_of_rows
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


def test_reach_from_the_indexed_columns_equals_reach_from_the_state_at_every_moment() -> None:
    """The command path's reach check reads the case's columns and organisation rows, not the
    document: at every moment it decides as the state does (departments aside: a report-back
    reads the document for which assignment a department answers)."""
    for moment, state in _states().items():
        columns = (state.jurisdiction.code, state.reporter_id, state.holder_id, state.incoming_id)
        relations = relation_rows(state)
        rows = [(*columns, r["org_id"], r["relation"]) for r in relations] or [
            (*columns, None, None)
        ]
        expected = CaseReach.of(state).model_copy(update={"departments": {}})
        assert reach_of_rows(rows) == expected, moment
