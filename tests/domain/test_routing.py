"""分流: rules suggest who handles a case; the most specific rule whose target exists wins."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.organisation.organisations import OrgLevel, OrgType
from domain.organisation.routing import (
    RoutingRule,
    RoutingRules,
    RoutingTarget,
    candidates,
    suggest,
)
from domain.values import Category, RiskLevel
from tests.domain.county import (
    BY_ID,
    CHANGJIANG,
    COUNTY,
    MEIYUAN,
    ORGS,
    RULES,
    VILLAGES,
    ZHONGLING,
    typed,
)


def _suggested(
    category: Category,
    *,
    at: str,
    registrar: str,
    risk: RiskLevel = RiskLevel.LOW,
    rules: RoutingRules = RULES,
    orgs: tuple = ORGS,  # type: ignore[type-arg]
) -> tuple[str, str | None, str]:
    found = suggest(
        rules,
        orgs,
        category=category,
        risk_level=risk,
        registrar=BY_ID[registrar],
        jurisdiction_code=at,
    )
    assert found is not None
    return found.organisation.org_id, found.rule_id, found.reason


def test_a_labour_dispute_at_a_village_goes_to_the_county_labour_room() -> None:
    org_id, rule_id, reason = _suggested(Category.LABOUR, at=CHANGJIANG, registrar="cj-committee")
    assert (org_id, rule_id) == ("labour-room", "labour")
    assert "劳动争议" in reason
    assert "玄武区劳动争议调解室" in reason


def test_sector_rooms_take_their_own_category_only() -> None:
    assert _suggested(Category.MEDICAL, at=COUNTY, registrar="county-center")[0] == (
        "medical-committee"
    )


def test_traffic_goes_to_the_town_police_room_where_there_is_one() -> None:
    assert _suggested(Category.TRAFFIC, at=CHANGJIANG, registrar="cj-committee")[0] == "my-police"
    # 孝陵卫 has no police-station room: the next rule that resolves (the village's committee).
    assert _suggested(Category.TRAFFIC, at=ZHONGLING, registrar="zl-committee")[:2] == (
        "zl-committee",
        "village",
    )


@pytest.mark.parametrize("risk", [RiskLevel.MAJOR, RiskLevel.CRITICAL])
def test_a_major_risk_from_a_village_goes_up_to_its_town_center(risk: RiskLevel) -> None:
    org_id, rule_id, reason = _suggested(
        Category.NEIGHBOURHOOD, at=ZHONGLING, registrar="zl-committee", risk=risk
    )
    assert (org_id, rule_id) == ("xlw-center", "major-village")
    assert "孝陵卫街道综治中心" in reason


@pytest.mark.parametrize("risk", [RiskLevel.LOW, RiskLevel.ELEVATED])
def test_everything_else_at_a_village_stays_with_its_committee(risk: RiskLevel) -> None:
    assert _suggested(Category.MARRIAGE_FAMILY, at=CHANGJIANG, registrar="cj-committee", risk=risk)[
        :2
    ] == ("cj-committee", "village")


def test_with_no_rule_that_resolves_the_registrar_keeps_the_case() -> None:
    org_id, rule_id, reason = _suggested(Category.CONTRACT, at=MEIYUAN, registrar="my-center")
    assert (org_id, rule_id) == ("my-center", None)
    assert "登记单位" in reason


def test_a_rule_for_a_place_overrides_the_general_rule() -> None:
    local = RoutingRule(
        rule_id="meiyuan-labour",
        jurisdiction=MEIYUAN,
        categories=(Category.LABOUR,),
        target=RoutingTarget(org_id="my-center"),
    )
    rules = RoutingRules(version="t", rules=(*RULES.rules, local))
    assert _suggested(Category.LABOUR, at=CHANGJIANG, registrar="cj-committee", rules=rules)[
        :2
    ] == ("my-center", "meiyuan-labour")
    # Outside 梅园新村 the general rule still applies.
    assert _suggested(Category.LABOUR, at=ZHONGLING, registrar="zl-committee", rules=rules)[0] == (
        "labour-room"
    )


def test_a_rule_with_filters_beats_a_catch_all_listed_before_it() -> None:
    catch_all = RoutingRule(rule_id="all-to-county", target=RoutingTarget(org_id="county-center"))
    rules = RoutingRules(version="t", rules=(catch_all, *RULES.rules))
    assert _suggested(Category.LABOUR, at=CHANGJIANG, registrar="cj-committee", rules=rules)[0] == (
        "labour-room"
    )
    assert _suggested(Category.CONTRACT, at=MEIYUAN, registrar="my-center", rules=rules)[:2] == (
        "county-center",
        "all-to-county",
    )


def test_an_inactive_organisation_is_never_suggested() -> None:
    closed = tuple(o.model_copy(update={"active": o.org_id != "labour-room"}) for o in ORGS)
    assert _suggested(Category.LABOUR, at=CHANGJIANG, registrar="cj-committee", orgs=closed)[
        :2
    ] == ("cj-committee", "village")


def test_a_target_names_an_organisation_or_a_type_and_level() -> None:
    with pytest.raises(ValueError, match="二者取一"):
        RoutingTarget(org_id="x", type=OrgType.CENTER, level=OrgLevel.TOWN)
    with pytest.raises(ValueError, match="二者取一"):
        RoutingTarget(type=OrgType.CENTER)
    with pytest.raises(ValueError, match="duplicate"):
        RoutingRules(version="t", rules=(RULES.rules[0], RULES.rules[0]))


def test_candidates_cover_the_place_and_handle_the_category_nearest_first() -> None:
    found = [
        o.org_id for o in candidates(ORGS, category=Category.LABOUR, jurisdiction_code=CHANGJIANG)
    ]
    assert found == ["cj-committee", "my-center", "county-center", "hrss", "labour-room"]
    medical = candidates(ORGS, category=Category.MEDICAL, jurisdiction_code=ZHONGLING)
    assert "labour-room" not in [o.org_id for o in medical]
    assert "my-center" not in [o.org_id for o in medical]  # 梅园's center does not cover 钟灵


places = st.sampled_from([COUNTY, MEIYUAN, "320102002", *VILLAGES])


@settings(max_examples=300, deadline=None)
@given(
    category=st.sampled_from(Category),
    risk=st.sampled_from(RiskLevel),
    registrar=st.sampled_from(ORGS),
    place=places,
    order=st.permutations(RULES.rules),
)
def test_suggestions_are_active_fitting_and_independent_of_the_book_order(
    category: Category, risk: RiskLevel, registrar: object, place: str, order: list[RoutingRule]
) -> None:
    from domain.organisation.registry import Organisation

    assert isinstance(registrar, Organisation)
    found = suggest(
        RULES,
        ORGS,
        category=category,
        risk_level=risk,
        registrar=registrar,
        jurisdiction_code=place,
    )
    assert found is not None
    chosen = BY_ID[found.organisation.org_id]
    assert chosen.active
    if found.rule_id is None:
        assert chosen == registrar
    else:
        rule = next(r for r in RULES.rules if r.rule_id == found.rule_id)
        assert rule.matches(
            category=category, risk_level=risk, registrar_level=registrar.level,
            jurisdiction_code=place,
        )  # fmt: skip
        assert (chosen.type, chosen.level) == (rule.target.type, rule.target.level)
        assert chosen.covers(place)
        if rule.target.handles_category:
            assert chosen in candidates(ORGS, category=category, jurisdiction_code=place)
    # No two rules of this book that can match together are equally specific: order is moot.
    shuffled = RoutingRules(version="t", rules=tuple(order))
    again = suggest(
        shuffled, ORGS, category=category, risk_level=risk, registrar=registrar,
        jurisdiction_code=place,
    )  # fmt: skip
    assert again == found


def test_a_typed_target_takes_the_nearest_organisation() -> None:
    rules = RoutingRules(
        version="t",
        rules=(RoutingRule(rule_id="center", target=typed(OrgType.CENTER, OrgLevel.TOWN)),),
    )
    assert _suggested(Category.OTHER, at=CHANGJIANG, registrar="county-center", rules=rules)[0] == (
        "my-center"
    )
    assert _suggested(Category.OTHER, at=ZHONGLING, registrar="county-center", rules=rules)[0] == (
        "xlw-center"
    )
    assert _suggested(Category.OTHER, at=COUNTY, registrar="county-center", rules=rules)[:2] == (
        "county-center",
        None,
    )  # no town center covers the whole county
