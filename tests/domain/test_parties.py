"""当事人 at intake: persons, organisations (统一社会信用代码), groups (代表人、人数), 第三人,
代理人."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from domain.case.details import IntakeDetails
from domain.parties import Party, credit_code_check
from domain.people.privacy import mask_document

# A well-formed 统一社会信用代码: its check character from GB 32100-2015.
BASE = "91320102MA1MXPQ75"
GOOD_CODE = BASE + credit_code_check(BASE)


def _intake(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "十二名工人追索劳动报酬",
        "description": "某建筑公司拖欠十二名工人工资。",
        "category": "labour",
        "channel": "walk_in",
        "jurisdiction": {"county_code": "320102"},
        "applicants": [{"name": "周建华等12名工人", "headcount": 12}],
        "respondents": [
            {"name": "金陵建筑有限公司", "party_type": "organisation", "credit_code": GOOD_CODE}
        ],
        **overrides,
    }


def test_known_credit_codes_pass_their_checksum() -> None:
    # Published examples of GB 32100-2015 codes (the standard's worked example among them).
    for code in ("91350100M000100Y43", "91110000600037341L"):
        assert credit_code_check(code[:17]) == code[17], code
        assert Party(name="某公司", party_type="organisation", credit_code=code).credit_code == code


def test_a_credit_code_with_a_wrong_check_character_is_refused_beside_its_field() -> None:
    wrong = GOOD_CODE[:17] + ("0" if GOOD_CODE[17] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        Party(name="某公司", party_type="organisation", credit_code=wrong)
    error = refused.value.errors()[0]
    assert error["loc"] == ("credit_code",)
    assert "校验位错误" in error["msg"]
    with pytest.raises(ValidationError, match="不含I、O、Z、S、V"):
        Party(name="某公司", party_type="organisation", credit_code="91350100M000100YI3")


def test_a_person_has_no_credit_code_and_an_organisation_no_birth_date() -> None:
    with pytest.raises(ValidationError, match="自然人不填统一社会信用代码"):
        Party(name="张三", credit_code=GOOD_CODE)
    with pytest.raises(ValidationError, match="单位当事人不填"):
        Party(name="某公司", party_type="organisation", birth_date="1980-01-01")


def test_a_group_with_representatives_needs_its_headcount() -> None:
    with pytest.raises(ValidationError, match="有代表人时须填人数"):
        Party(name="工人", representatives=[{"name": "周建华"}])
    group = Party(
        name="周建华等12名工人",
        headcount=12,
        representatives=[{"name": "周建华"}, {"name": "李明"}],
    )
    assert group.people == 12


def test_an_agent_must_act_for_a_party_in_the_case() -> None:
    agent = {
        "name": "王律师",
        "relation": "lawyer",
        "authority": "special",
        "powers": "代为承认、放弃、变更请求，代为达成调解协议",
        "represents": [{"side": "applicants", "index": 0}],
    }
    intake = IntakeDetails.model_validate(_intake(agents=[agent]))
    assert intake.agents[0].represents[0].index == 0
    stray = {**agent, "represents": [{"side": "third_parties", "index": 0}]}
    with pytest.raises(ValidationError, match="代理的当事人不存在"):
        IntakeDetails.model_validate(_intake(agents=[stray]))
    with pytest.raises(ValidationError, match="特别授权须写明代理权限"):
        IntakeDetails.model_validate(_intake(agents=[{**agent, "powers": ""}]))


def test_an_intake_recorded_before_the_new_fields_still_reads() -> None:
    old = _intake(
        applicants=[{"name": "张三", "phone": "13800000000", "watched": False}],
        respondents=[{"name": "李四", "party_type": "person"}],
    )
    intake = IntakeDetails.model_validate(old)
    assert intake.third_parties == ()
    assert intake.agents == ()
    assert intake.applicants[0].gender is None
    assert intake.applicants[0].headcount is None


def test_birth_dates_and_representatives_ids_are_masked() -> None:
    intake = IntakeDetails.model_validate(
        _intake(
            applicants=[
                {
                    "name": "周建华等12名工人",
                    "headcount": 12,
                    "representatives": [
                        {
                            "name": "周建华",
                            "id_number": "320102198506123454",
                            "phone": "13912345678",
                        }
                    ],
                }
            ],
            third_parties=[{"name": "张三", "gender": "male", "birth_date": "1985-06-12"}],
        )
    )
    document, shown = mask_document(intake.model_dump(mode="json"))
    assert shown == ()
    representative = document["applicants"][0]["representatives"][0]
    assert representative["id_number"] == "3201**********3454"
    assert representative["phone"] == "139****5678"
    assert document["third_parties"][0]["birth_date"] == "1985-**-**"
    assert document["respondents"][0]["credit_code"] == GOOD_CODE  # not personal data
    clear, shown = mask_document(intake.model_dump(mode="json"), reveal=True)
    assert clear["third_parties"][0]["birth_date"] == "1985-06-12"
    assert "third_parties[0].birth_date" in shown
