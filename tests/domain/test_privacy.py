"""Masking of personal data (ID numbers, phones, 重点人员 flags) in any JSON document."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.people.privacy import (
    contains_personal_data,
    mask_document,
    mask_id,
    mask_phone,
    scrub_text,
)

CASE = {
    "title": "张伟（13812345678）与李娜纠纷",
    "applicants": [
        {"name": "张伟", "id_number": "110101199003071233", "phone": "13812345678", "watched": True}
    ],
    "respondents": [{"name": "李娜", "phone": "025-84561234"}],
    "policy": {"version": "2026.1"},
    "seq": 3,
}


def test_ids_and_phones_are_masked_as_the_issue_shows() -> None:
    assert mask_id("320102199001011234") == "3201**********1234"
    assert mask_phone("13856785678") == "138****5678"
    assert mask_phone("025-84561234") == "025****1234"


def test_a_document_is_masked_everywhere_and_the_flag_removed() -> None:
    masked, shown = mask_document(CASE)
    assert shown == ()
    person = masked["applicants"][0]
    assert person["id_number"] == "1101**********1233"
    assert person["phone"] == "138****5678"
    assert "watched" not in person
    assert masked["title"] == "张伟（138****5678）与李娜纠纷"
    assert masked["respondents"][0]["phone"] == "025****1234"
    assert masked["seq"] == 3


def test_revealing_keeps_clear_data_and_names_every_field_shown() -> None:
    clear, shown = mask_document(CASE, reveal=True, see_watched=True)
    assert clear == CASE
    assert set(shown) == {
        "title",
        "applicants[0].id_number",
        "applicants[0].phone",
        "respondents[0].phone",
    }


NOT_DIGITS = st.text(st.characters(blacklist_categories=("Nd", "Lu", "Ll")), max_size=40)


@given(NOT_DIGITS, NOT_DIGITS.filter(bool), NOT_DIGITS)
def test_a_delimited_mobile_or_id_never_survives_scrubbing(a: str, b: str, c: str) -> None:
    text = f"{a}13912345678{b}11010519491231002X{c}"
    scrubbed = scrub_text(text)
    assert "13912345678" not in scrubbed
    assert "11010519491231002X" not in scrubbed
    assert not contains_personal_data(scrubbed)
    assert scrubbed == f"{a}139****5678{b}1101**********002X{c}"


def test_a_file_hash_whose_digits_look_like_a_mobile_number_is_shown_as_recorded() -> None:
    # 64 hex digits with "13812345678" inside: scrubbed as text it would become 138****5678,
    # and the dossier would list a hash no file has.
    digest = "ab13812345678cd" + "e" * 49
    document = {
        "attachments": [{"name": "电话13812345678.jpg", "sha256": digest}],
        "verification": {"head_hash": digest},
    }
    masked, shown = mask_document(document)
    assert masked["attachments"][0]["sha256"] == digest
    assert masked["verification"]["head_hash"] == digest
    assert masked["attachments"][0]["name"] == "电话138****5678.jpg"
    assert shown == ()
