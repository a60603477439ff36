"""Same matter (同一事项) and diversion (访调对接), as pure functions."""

from __future__ import annotations

from domain.case.details import IntakeDetails
from domain.case.matters import diverted_intake, matter_key
from domain.values import CaseKind, Channel
from tests.samples import PETITION_INTAKE, intake_body


def _petition(**overrides: object) -> IntakeDetails:
    return IntakeDetails.model_validate(intake_body(**{**PETITION_INTAKE, **overrides}))


def test_the_same_petitioner_category_and_county_is_the_same_matter() -> None:
    first = matter_key(_petition())
    assert first is not None
    assert matter_key(_petition(title="再次来信", channel="online")) == first
    assert matter_key(_petition(category="labour")) != first
    other_county = {"county_code": "320104", "town_code": "320104001"}
    assert matter_key(_petition(jurisdiction=other_county)) != first
    assert "110101199003071233" not in first  # a digest, never the ID number in clear


def test_disputes_have_no_matter_key() -> None:
    assert matter_key(IntakeDetails.model_validate(intake_body())) is None


def test_a_diverted_petition_becomes_a_dispute_with_the_same_parties() -> None:
    petition = _petition()
    dispute = diverted_intake(petition)
    assert dispute.kind is CaseKind.DISPUTE
    assert dispute.channel is Channel.PETITION_REFERRAL
    assert dispute.applicants == petition.applicants
    assert dispute.title == petition.title
    assert dispute.jurisdiction == petition.jurisdiction
