"""The registry's rules: codes nest, levels follow code lengths, a file is whole and consistent."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.organisation.organisations import OrgLevel, OrgType
from domain.organisation.registry import (
    JurisdictionLevel,
    JurisdictionNode,
    Organisation,
    Registry,
    RegistryError,
    check_no_cycle,
    check_parent,
    enclosing_codes,
    jurisdiction_level,
)
from tests.domain.county import BY_ID, COUNTY, MEIYUAN, XIAOLINGWEI, org

codes = st.integers(min_value=0, max_value=3).flatmap(
    lambda extra: st.from_regex(rf"\A\d{{{6 + 3 * extra}}}\Z", fullmatch=True)
)


@given(codes)
def test_every_code_lies_in_the_places_above_it(code: str) -> None:
    above = enclosing_codes(code)
    assert all(code.startswith(outer) for outer in above)
    assert [len(c) for c in above] == sorted((len(c) for c in above), reverse=True)
    assert len(above) == (len(code) - 6) // 3  # a grid sits in a village, a town and a county
    level = jurisdiction_level(code)
    assert level is not None
    assert list(JurisdictionLevel).index(level) == len(above)


def _node(code: str, level: str, parent: str | None) -> dict[str, Any]:
    return {"code": code, "name": f"地方{code}", "level": level, "parent_code": parent}


def test_a_place_needs_the_length_of_its_level_and_its_enclosing_parent() -> None:
    assert JurisdictionNode.model_validate(_node("320102001001001", "grid", "320102001001"))
    with pytest.raises(ValidationError, match="12位"):
        JurisdictionNode.model_validate(_node("320102001", "village", "320102"))
    with pytest.raises(ValidationError, match="320102001"):  # a village sits in its town
        JurisdictionNode.model_validate(_node("320102001001", "village", "320102"))
    with pytest.raises(ValidationError):
        JurisdictionNode.model_validate(_node("320102", "county", "320100"))


def test_an_organisation_works_at_the_level_of_its_area() -> None:
    with pytest.raises(ValidationError, match="乡镇"):
        Organisation(
            org_id="x", name="某中心", type=OrgType.CENTER, level=OrgLevel.COUNTY,
            jurisdiction_code=MEIYUAN,
        )  # fmt: skip
    center = BY_ID["my-center"]
    assert center.ref.model_dump() == {
        "org_id": "my-center",
        "name": "梅园新村街道综治中心",
        "level": "town",
        "type": "center",
    }


def test_a_parent_must_exist_and_contain_the_child() -> None:
    child = org("c", "孝陵卫社区人民调解委员会", OrgType.MEDIATION_COMMITTEE, "320102002001",
                parent_id="my-center")  # fmt: skip
    with pytest.raises(RegistryError) as unknown:
        check_parent(child, None)
    assert unknown.value.field == "parent_id"
    with pytest.raises(RegistryError) as outside:
        check_parent(child, BY_ID["my-center"])  # 孝陵卫's village under 梅园's center
    assert outside.value.field == "jurisdiction_code"
    assert "320102002001" in outside.value.message_zh
    check_parent(child, BY_ID["xlw-center"])
    check_parent(child, BY_ID["county-center"])


def test_parents_never_go_round_in_a_circle() -> None:
    parents = {"a": "b", "b": "c", "c": None}
    check_no_cycle("d", "a", parents)
    with pytest.raises(RegistryError):
        check_no_cycle("c", "a", parents)  # c under a, a under b under c


def _file(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "jurisdictions": [
            _node(COUNTY, "county", None),
            _node(MEIYUAN, "town", COUNTY),
            _node(XIAOLINGWEI, "town", COUNTY),
        ],
        "organisations": [
            BY_ID["county-center"].model_dump(mode="json"),
            BY_ID["my-center"].model_dump(mode="json"),
            BY_ID["xlw-center"].model_dump(mode="json"),
        ],
        "mediators": [
            {
                "mediator_id": "m1",
                "name": "王芳",
                "org_id": "my-center",
                "specialties": ["neighbourhood"],
                "employment": "full_time",
            },
        ],  # fmt: skip
    }
    return base | changes


def _two_county_units_over_each_other(document: dict[str, Any]) -> None:
    court = org("court", "法院诉调对接窗口", OrgType.COURT_DESK, COUNTY, parent_id="county-center")
    document["organisations"].append(court.model_dump(mode="json"))
    document["organisations"][0].update(parent_id="court")


def test_a_consistent_file_loads() -> None:
    registry = Registry.model_validate(_file())
    assert [o.org_id for o in registry.organisations] == [
        "county-center",
        "my-center",
        "xlw-center",
    ]
    assert registry.mediators[0].specialties[0].value == "neighbourhood"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda f: f["organisations"].append(f["organisations"][1]), "duplicate"),
        (lambda f: f["jurisdictions"].pop(0), "parent_code"),  # towns without their county
        (lambda f: f["organisations"][1].update(parent_id="nobody"), "nobody"),
        (lambda f: f["organisations"][1].update(jurisdiction_code="320102009"), "320102009"),
        (
            lambda f: f["organisations"][2].update(parent_id="my-center"),  # 孝陵卫 under 梅园
            "organisations[2].jurisdiction_code",
        ),
        (_two_county_units_over_each_other, "不能互为上级"),
        (lambda f: f["mediators"][0].update(org_id="gone"), "mediators[0].org_id"),
        (lambda f: f["mediators"][0].update(employment="sometimes"), "employment"),
    ],
)
def test_an_inconsistent_file_is_refused_with_the_place_of_the_fault(
    change: Any, complaint: str
) -> None:
    document = _file()
    change(document)
    with pytest.raises(ValidationError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        Registry.model_validate(document)
