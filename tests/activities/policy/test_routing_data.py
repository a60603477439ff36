"""The shipped 分流 rules on the demo county: where each kind of case is suggested to go."""

from __future__ import annotations

import pytest

from activities.policy.routing import DEMO_REGISTRY, load_registry_file, load_routing_rules
from domain.organisation.routing import suggest
from domain.values import Category, RiskLevel

DEMO = load_registry_file(DEMO_REGISTRY)
RULES = load_routing_rules()


def _where(category: Category, *, at: str, registrar: str, risk: RiskLevel = RiskLevel.LOW) -> str:
    org = DEMO.organisation(registrar)
    assert org is not None
    found = suggest(
        RULES, DEMO.organisations, category=category, risk_level=risk, registrar=org,
        jurisdiction_code=at,
    )  # fmt: skip
    assert found is not None
    return found.organisation.name


@pytest.mark.parametrize(
    ("category", "at", "registrar", "risk", "expected"),
    [
        (Category.LABOUR, "320102001001", "xw-cjl-committee", RiskLevel.LOW,
         "玄武区劳动争议调解室"),
        (Category.LABOUR, "320102002", "xw-xlw-center", RiskLevel.CRITICAL, "玄武区劳动争议调解室"),
        (Category.MEDICAL, "320102002002", "xw-zl-committee", RiskLevel.LOW,
         "玄武区医患纠纷人民调解委员会"),
        (Category.TRAFFIC, "320102001002", "xw-dxg-committee", RiskLevel.LOW,
         "梅园新村派出所调解室"),
        (Category.NEIGHBOURHOOD, "320102002001", "xw-xlw-committee", RiskLevel.MAJOR,
         "孝陵卫街道综治中心"),
        (Category.LAND_DEMOLITION, "320102002", "xw-xlw-center", RiskLevel.CRITICAL,
         "玄武区矛盾纠纷多元化解中心"),
        (Category.MARRIAGE_FAMILY, "320102001001", "xw-cjl-committee", RiskLevel.ELEVATED,
         "长江路社区人民调解委员会"),
        (Category.PROPERTY_MANAGEMENT, "320102001", "xw-myxc-center", RiskLevel.LOW,
         "梅园新村街道综治中心"),  # no rule: the registrar keeps it
    ],
)  # fmt: skip
def test_the_shipped_rules_route_the_demo_county(
    category: Category, at: str, registrar: str, risk: RiskLevel, expected: str
) -> None:
    assert _where(category, at=at, registrar=registrar, risk=risk) == expected
