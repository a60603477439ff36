"""Work items, organisation relations and party keys of cases at known moments (hand-written)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from domain.case import events as e
from domain.case.worklist import (
    Relation,
    WorkKind,
    keyed_digest,
    organisation_relations,
    party_key,
    party_keys,
    work_items,
)
from tests.samples import PETITION_INTAKE, T0
from tests.worklist_support import CaseAt

CENTER = "xw-center"
KEY = b"k" * 32
OTHER_KEY = b"o" * 32


def _items(case: CaseAt) -> list[tuple[str, str, datetime | None]]:
    return sorted((i.kind.value, i.org_id, i.due_at) for i in work_items(case.case))


def test_a_new_petition_awaits_acceptance_at_its_center_until_accepted() -> None:
    petition = CaseAt("XF-2026-000001", center=CENTER, **PETITION_INTAKE)
    # A letter: decide on acceptance within 15 days of 2 March → the end of 17 March, China time.
    assert _items(petition) == [("new_intake", CENTER, datetime(2026, 3, 17, 16, 0, tzinfo=UTC))]
    petition.do("accept")
    assert [i.kind for i in work_items(petition.case)] == []


def test_a_new_dispute_without_an_acceptance_clock_has_no_due_time() -> None:
    dispute = CaseAt("JF-2026-000001", center=CENTER)
    (item,) = work_items(dispute.case)
    assert (item.kind, item.org_id, item.due_at, item.since) == (
        WorkKind.NEW_INTAKE,
        CENTER,
        None,
        T0,
    )


def test_a_transfer_awaits_the_receiver_and_an_assignment_the_department() -> None:
    case = CaseAt("JF-2026-000002", center=CENTER).do("accept").do("plan").do("start_mediation")
    case.do("transfer").do("assign", deadline="2026-03-20")
    assert _items(case) == [
        # TAKE: two days from the transfer on 2 March → the end of 4 March, China time.
        ("incoming_transfer", "xw-labour-room", datetime(2026, 3, 4, 16, 0, tzinfo=UTC)),
        # the assigner's deadline, 20 March, to its end in China time
        ("report_back_due", "xw-hrss", datetime(2026, 3, 20, 16, 0, tzinfo=UTC)),
    ]
    assert organisation_relations(case.case) == {
        (CENTER, Relation.HOLDER),
        (CENTER, Relation.REGISTRAR),
        ("xw-labour-room", Relation.INCOMING),
        ("xw-hrss", Relation.ASSIGNEE),
    }
    case.do("take", after=timedelta(hours=2))
    assert _items(case) == [
        ("report_back_due", "xw-hrss", datetime(2026, 3, 20, 16, 0, tzinfo=UTC))
    ]
    assert organisation_relations(case.case) == {
        ("xw-labour-room", Relation.HOLDER),
        (CENTER, Relation.REGISTRAR),
        (CENTER, Relation.FORMER),
        ("xw-hrss", Relation.ASSIGNEE),
    }
    case.do("report_back", assignment_no=1)
    assert _items(case) == []


def test_a_warned_clock_needs_the_holder_and_names_who_works_the_case() -> None:
    case = CaseAt("JF-2026-000003", center=CENTER).do("accept").do("plan").do("start_mediation")
    case.do("transfer")
    case.wait(datetime(2026, 3, 4, 1, 0, tzinfo=UTC))  # TAKE warns 24 h before its end
    warning = next(i for i in work_items(case.case) if i.kind is WorkKind.CLOCK_WARNING)
    assert (warning.org_id, warning.clock_id, warning.due_at) == (
        CENTER,
        "TAKE",
        datetime(2026, 3, 4, 16, 0, tzinfo=UTC),
    )
    # the plan's responsible person and the mediators of the round (samples: 王芳; 王芳, 赵强)
    assert warning.persons == ("王芳", "赵强")
    assert "签收时限" in warning.summary


def test_an_overdue_clock_stays_until_what_it_watched_is_done() -> None:
    case = CaseAt("JF-2026-000004", center=CENTER).do("accept").do("plan").do("start_mediation")
    case.wait(datetime(2026, 4, 3, 1, 0, tzinfo=UTC))  # B2 (one month) and PLAN-1 ran out
    items = work_items(case.case)
    assert sorted((i.kind, i.clock_id) for i in items) == [
        (WorkKind.CLOCK_OVERDUE, "B2"),
        (WorkKind.CLOCK_OVERDUE, "PLAN-1"),
    ]
    case.do("record_agreement")
    kinds = sorted((i.kind.value, i.clock_id) for i in work_items(case.case))
    # The agreement stops what was overdue; its follow-up (FU) and its one item (ITEM) are due.
    assert kinds == [("follow_up_due", "FU"), ("follow_up_due", "ITEM-1-1")]


def test_a_lift_suggestion_waits_for_the_holder_until_lifted() -> None:
    case = CaseAt("JF-2026-000005", center=CENTER).do("accept").do("start_mediation")
    case.record(e.LiftSuggested(rule_id="LIFT-VILLAGE-3", reason="三次调解未达成协议"))
    (lift,) = [i for i in work_items(case.case) if i.kind is WorkKind.LIFT_SUGGESTED]
    assert (lift.org_id, lift.due_at, lift.since) == (CENTER, None, case.now)
    case.do("lift")
    assert [i for i in work_items(case.case) if i.kind is WorkKind.LIFT_SUGGESTED] == []


def test_an_ended_case_needs_nothing() -> None:
    case = CaseAt("JF-2026-000006", center=CENTER).do("transfer").do("withdraw")
    assert work_items(case.case) == ()


def test_party_keys_prefer_the_id_number_and_never_hold_clear_values() -> None:
    case = CaseAt("JF-2026-000007", center=CENTER)
    # samples: 张伟 with an ID number and a phone; 李娜 with a phone only.
    assert party_keys(case.case, key=KEY) == {
        party_key(key=KEY, id_number="110101199003071233"),
        party_key(key=KEY, name="李娜", phone="13987654321"),
    }
    assert party_key(key=KEY, id_number="11010119900307123x") == party_key(
        key=KEY, id_number="11010119900307123X"
    )
    assert party_key(key=KEY, name="李 娜", phone="139 8765 4321") == party_key(
        key=KEY, name="李娜", phone="13987654321"
    )
    assert party_key(key=KEY, name="李娜") is None
    for key in party_keys(case.case, key=KEY):
        assert len(key) == 64
        assert "110101" not in key
        assert "1398765" not in key


def test_a_party_key_is_an_hmac_no_one_without_the_deployment_key_can_recompute() -> None:
    known = party_key(key=KEY, id_number="110101199003071233")
    # The plain SHA-256 of earlier releases: anyone could try every ID number against it.
    assert known != hashlib.sha256(b"id:110101199003071233").hexdigest()
    assert known != party_key(key=OTHER_KEY, id_number="110101199003071233")
    # Domain-separated: the same text keyed for a party and for a matter gives two keys.
    assert keyed_digest(KEY, "party", "id:1") != keyed_digest(KEY, "matter", "id:1")


def test_an_overdue_transfer_keeps_its_due_time_and_leads_the_receivers_list() -> None:
    """签收 not in time: the incoming item keeps the TAKE clock's due time (shown red, first),
    not none (which sorted it after everything with a due time)."""
    case = CaseAt("JF-2026-000901", center=CENTER).do("accept").do("plan").do("start_mediation")
    case.do("transfer")
    pending = next(i for i in work_items(case.case) if i.kind is WorkKind.INCOMING_TRANSFER)
    assert pending.due_at is not None
    case.wait(pending.due_at + timedelta(hours=2))  # the TAKE clock ran out
    take = next(clock for clock in case.case.clocks if clock.rule_id == "TAKE")
    assert not take.is_open
    overdue = next(i for i in work_items(case.case) if i.kind is WorkKind.INCOMING_TRANSFER)
    assert overdue.due_at == pending.due_at


def test_a_report_on_one_assignment_leaves_anothers_overdue_item() -> None:
    """Two assignments; the first runs out; a report on the second does not answer the first."""
    case = CaseAt("JF-2026-000902", center=CENTER).do("accept").do("plan").do("start_mediation")
    case.do("assign", deadline="2026-03-03")
    case.do("assign", deadline="2026-03-30")
    case.wait(datetime(2026, 3, 4, 1, 0, tzinfo=UTC))  # A4-1 ran out at the end of 3 March

    def overdue() -> set[str | None]:
        return {i.clock_id for i in work_items(case.case) if i.kind is WorkKind.CLOCK_OVERDUE}

    assert "A4-1" in overdue()
    case.do("report_back", assignment_no=2)
    assert "A4-1" in overdue()
    case.do("report_back", assignment_no=1)
    assert "A4-1" not in overdue()
