"""Console forms without a browser: dates as people here write them, and the 分流 fieldset."""

from __future__ import annotations

import pytest

from api.console.forms import INTAKE_FIELDS, Field, FormState, body_of, iso_day, iso_moment


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2026-03-02", "2026-03-02"),
        ("2026-3-2", "2026-03-02"),
        ("2026/03/02", "2026-03-02"),
        ("2026年3月2日", "2026-03-02"),
        (" 2026.3.2 ", "2026-03-02"),
        ("03/02/2026", "03/02/2026"),  # not a form used here: left for the model to refuse
    ],
)
def test_dates_are_read_as_written_in_china(typed: str, read: str) -> None:
    assert iso_day(typed) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2026-03-02 09:30", "2026-03-02T09:30:00"),
        ("2026年3月2日 9时30分", "2026-03-02T09:30:00"),
        ("2026-03-02T09:30:15", "2026-03-02T09:30:15"),
        ("2026-03-02", "2026-03-02T00:00:00"),
        ("昨天", "昨天"),
    ],
)
def test_moments_are_read_in_24_hour_time(typed: str, read: str) -> None:
    assert iso_moment(typed) == read


def test_a_date_field_sends_the_iso_day_and_shows_what_was_typed() -> None:
    fields = [Field("held_on", "调解会日期", "date", True)]
    body, raw = body_of(fields, {"held_on": ["2026年3月2日"]})
    assert body == {"held_on": "2026-03-02"}
    assert raw == {"held_on": "2026年3月2日"}


def test_ticked_options_become_a_list_and_none_ticked_sends_nothing() -> None:
    fields = [Field("mediator_ids", "调解员", "checks", True, (("m1", "甲"), ("m2", "乙")))]
    body, raw = body_of(fields, {"mediator_ids": ["m1", "m2"]})
    assert body == {"mediator_ids": ["m1", "m2"]}
    assert FormState(fields, raw).chosen("mediator_ids") == ["m1", "m2"]
    assert body_of(fields, {})[0] == {}


def test_a_fieldset_shown_apart_keeps_values_and_messages_but_not_its_legend() -> None:
    routing = Field("routing.reason", "改选理由", "textarea", group="分流")
    state = FormState(
        [*INTAKE_FIELDS, routing],
        values={"routing.reason": "就地调解"},
        errors={"routing.reason": "请说明理由"},
        message="表单有误",
    )
    inside, rest = state.part("分流"), state.part("分流", inside=False)
    assert [f.name for f in inside.fields] == ["routing.reason"]
    assert inside.groups == [("", inside.fields)]
    assert inside.value("routing.reason") == "就地调解"
    assert inside.errors["routing.reason"] == "请说明理由"
    assert "routing.reason" not in {f.name for f in rest.fields}
    assert (inside.message, rest.message) == ("", "表单有误")


def test_the_extension_form_sends_its_approval_date_and_asks_only_what_the_api_takes() -> None:
    from api.console.forms import ACTION_FIELDS
    from api.schemas import ExtendRequest, PauseRequest

    fields = ACTION_FIELDS["clocks/extend"]
    typed = {"clock_id": ["C4"], "length": ["10"], "approver": ["院长"], "reason": ["复杂"]}
    body, _ = body_of(fields, {**typed, "approved_on": ["2026年11月20日"]})
    assert body["approved_on"] == "2026-11-20"
    assert {f.name for f in fields} <= set(ExtendRequest.model_fields)
    assert {f.name for f in ACTION_FIELDS["clocks/pause"]} <= set(PauseRequest.model_fields)
