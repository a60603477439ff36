"""Masking of personal data (ID numbers, phones, 重点人员 flags) in any JSON document."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.people.privacy import (
    contains_personal_data,
    mask_address,
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
    "respondents": [
        {
            "name": "李娜",
            "phone": "025-84561234",
            "address": "江苏省南京市玄武区孝陵卫街道钟灵街50号",
        }
    ],
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
    assert masked["respondents"][0]["address"] == "江苏省南京市玄武区孝陵卫街道****"
    assert masked["seq"] == 3


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("江苏省南京市玄武区孝陵卫街道钟灵街50号3栋201室", "江苏省南京市玄武区孝陵卫街道****"),
        ("南京市玄武区某工地", "南京市玄武区****"),
        ("长江路12号", "长江****"),
        ("12号楼301", "****"),
        ("玄武区", "玄武区"),
    ],
)
def test_an_address_keeps_its_divisions_and_hides_road_number_and_room(
    written: str, masked: str
) -> None:
    """住址 like a phone: the district and street are shown, where the person lives is not."""
    assert mask_address(written) == masked


def test_revealing_keeps_clear_data_and_names_every_field_shown() -> None:
    clear, shown = mask_document(CASE, reveal=True, see_watched=True)
    assert clear == CASE
    assert set(shown) == {
        "title",
        "applicants[0].id_number",
        "applicants[0].phone",
        "respondents[0].phone",
        "respondents[0].address",
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


# -- the forms people write numbers in (issue 16, finding 7) ------------------------------------

# The country code in every form seen in case texts, and the separators between groups.
COUNTRY_CODES = ("", "+86", "0086", "86", "+86 ", "+86-", "0086 ", "(+86) ", "(+86)", "（+86）")
SEPARATORS = ("", "-", " ", "\u3000", "\u00a0", ".")
AROUND = st.text(st.characters(blacklist_categories=("Nd", "Lu", "Ll", "Zs")), max_size=12)
DIGITS = st.text(st.sampled_from("0123456789"), min_size=1, max_size=1)


@pytest.mark.parametrize("head", ["13", "14", "15", "16", "17", "18", "19"])
@given(
    third=DIGITS,
    middle=st.text(st.sampled_from("0123456789"), min_size=4, max_size=4),
    last=st.text(st.sampled_from("0123456789"), min_size=4, max_size=4),
    country=st.sampled_from(COUNTRY_CODES),
    first_sep=st.sampled_from(SEPARATORS),
    second_sep=st.sampled_from(SEPARATORS),
    before=AROUND,
    after=AROUND,
)
def test_a_mobile_in_any_written_form_keeps_only_its_head_and_last_four(
    head: str,
    third: str,
    middle: str,
    last: str,
    country: str,
    first_sep: str,
    second_sep: str,
    before: str,
    after: str,
) -> None:
    written = f"{country}{head}{third}{first_sep}{middle}{second_sep}{last}"
    scrubbed = scrub_text(f"{before}{written}{after}")
    assert scrubbed == f"{before}{country}{head}{third}{first_sep}****{second_sep}{last}{after}"
    assert not contains_personal_data(scrubbed)
    assert contains_personal_data(written)


BIRTH_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
# How an ID number is split into groups when written down: whole, 6-8-4, 4-4-4-4-2, 6-4-4-4.
ID_LAYOUTS = ((18,), (6, 8, 4), (4, 4, 4, 4, 2), (6, 4, 4, 4))


@given(
    region=st.tuples(
        st.sampled_from(("11", "32", "44", "51", "65", "71", "81")),
        st.text(st.sampled_from("0123456789"), min_size=4, max_size=4),
    ).map("".join),
    born=BIRTH_DATES,
    serial=st.text(st.sampled_from("0123456789"), min_size=3, max_size=3),
    check=st.sampled_from("0123456789Xx"),
    layout=st.sampled_from(ID_LAYOUTS),
    separator=st.sampled_from(("-", " ", "\u3000")),
    before=AROUND,
    after=AROUND,
)
def test_an_id_number_whole_or_in_groups_keeps_only_its_first_and_last_four(
    region: str,
    born: date,
    serial: str,
    check: str,
    layout: tuple[int, ...],
    separator: str,
    before: str,
    after: str,
) -> None:
    number = f"{region}{born:%Y%m%d}{serial}{check}"
    groups, at = [], 0
    for size in layout:
        groups.append(number[at : at + size])
        at += size
    written = separator.join(groups)
    starred = number[:4] + "*" * 10 + number[-4:]
    expected, at = [], 0
    for size in layout:
        expected.append(starred[at : at + size])
        at += size
    scrubbed = scrub_text(f"{before}{written}{after}")
    assert scrubbed == f"{before}{separator.join(expected)}{after}"
    assert not contains_personal_data(scrubbed)


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("025-84561234", "025-****1234"),
        ("0512-67881234", "0512-****1234"),
        ("(025) 8456 1234", "(025) **** 1234"),
        ("（0512）6788-1234", "（0512）****-1234"),
        ("010 6512 3456", "010 **** 3456"),
    ],
)
def test_a_landline_with_its_area_code_set_apart_is_masked(written: str, masked: str) -> None:
    assert scrub_text(f"座机{written}。") == f"座机{masked}。"


AMOUNTS = st.integers(min_value=0, max_value=9_999_999_999).map(lambda n: f"{n}元")
DECIMAL_AMOUNTS = st.integers(min_value=0, max_value=99_999_999).map(lambda n: f"{n / 100:.2f}元")
DATES = st.tuples(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(("%Y-%m-%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y%m%d")),
).map(lambda pair: pair[0].strftime(pair[1]))
TIMES = st.times().map(lambda t: t.strftime("%H:%M"))
CASE_NUMBERS = st.tuples(
    st.sampled_from(("JF", "XF", "TJ")),
    st.integers(min_value=2000, max_value=2099),
    st.integers(min_value=0, max_value=999_999),
).map(lambda t: f"{t[0]}-{t[1]}-{t[2]:06d}")
ORDINARY = st.one_of(AMOUNTS, DECIMAL_AMOUNTS, DATES, TIMES, CASE_NUMBERS)


@given(
    st.lists(ORDINARY, min_size=1, max_size=6),
    st.sampled_from((" ", "，", "、", " 至 ", "；", "\n")),
)
def test_amounts_dates_times_and_case_numbers_are_never_mangled(
    parts: list[str], joiner: str
) -> None:
    text = "案件" + joiner.join(parts) + "。"
    assert scrub_text(text) == text
    assert not contains_personal_data(text)
