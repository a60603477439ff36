"""属地 from one place code: the levels it lies in, named where the registry names them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.values import Jurisdiction


def test_a_village_brings_its_town_and_county_with_the_names_known() -> None:
    names = {"320115": "江宁区", "320115001": "东山街道", "320115001001": "上坊社区"}
    place = Jurisdiction.at("320115001001", names)
    assert (place.county_code, place.town_code, place.village_code) == (
        "320115",
        "320115001",
        "320115001001",
    )
    assert (place.county_name, place.town_name, place.village_name) == (
        "江宁区",
        "东山街道",
        "上坊社区",
    )


def test_a_town_is_placed_without_a_village_and_unknown_names_are_left_out() -> None:
    place = Jurisdiction.at("320115001", {"320115": "江宁区"})
    assert place.code == "320115001"
    assert place.village_code is None
    assert (place.county_name, place.town_name) == ("江宁区", None)


@pytest.mark.parametrize("code", ["", "32011", "32011500100", "320115001001001"])
def test_a_code_of_no_level_is_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        Jurisdiction.at(code)
