"""访问留痕 in words: an auditor reads what was read and whose data was shown, not routes."""

from __future__ import annotations

from domain.people.trail_words import READ_WORDS, field_words, fields_words, read_words


def test_each_recorded_read_has_its_words_and_an_unknown_route_is_not_shown_raw() -> None:
    assert read_words("GET /v1/cases/{id}/dossier?format=pdf") == "案件卷宗（PDF）"
    assert read_words("GET /v1/cases/{id}/timeline") == "案件时间线"
    assert read_words("GET /v1/somewhere/new") == "其他查阅"
    assert all("/" not in words for words in READ_WORDS.values())


def test_a_clear_field_names_the_party_and_the_data() -> None:
    assert field_words("entries[0].data.applicants[0].id_number") == "申请人1的完整身份证号"
    assert field_words("respondents[1].phone") == "被申请人2的完整联系电话"
    assert field_words("watched") == "重点人员信息"
    # A timeline shows the same party in many events: each once.
    assert fields_words(
        [
            "entries[0].data.applicants[0].id_number",
            "entries[3].data.applicants[0].id_number",
            "entries[3].data.applicants[0].phone",
        ]
    ) == ["申请人1的完整身份证号", "申请人1的完整联系电话"]
