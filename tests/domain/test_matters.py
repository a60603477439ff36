"""Same matter (同一事项) and diversion (访调对接), as pure functions."""

from __future__ import annotations

import hashlib

from domain.case.details import IntakeDetails
from domain.case.matters import diverted_intake, matter_key, matter_material
from domain.values import CaseKind, Channel
from tests.samples import PETITION_INTAKE, intake_body

KEY = b"k" * 32
OTHER_KEY = b"o" * 32


def _petition(**overrides: object) -> IntakeDetails:
    return IntakeDetails.model_validate(intake_body(**{**PETITION_INTAKE, **overrides}))


def test_the_same_petitioner_category_and_county_is_the_same_matter() -> None:
    first = matter_key(_petition(), key=KEY)
    assert first is not None
    assert matter_key(_petition(title="再次来信", channel="online"), key=KEY) == first
    assert matter_key(_petition(category="labour"), key=KEY) != first
    other_county = {"county_code": "320104", "town_code": "320104001"}
    assert matter_key(_petition(jurisdiction=other_county), key=KEY) != first
    assert "110101199003071233" not in first  # a digest, never the ID number in clear


def test_the_matter_key_is_keyed_so_nobody_without_the_key_can_try_id_numbers() -> None:
    first = matter_key(_petition(), key=KEY)
    material = matter_material(_petition())
    assert material is not None
    assert material.startswith("110101199003071233|")
    unkeyed = hashlib.sha256(material.encode()).hexdigest()
    assert first is not None
    assert first != unkeyed  # the plain digest of earlier releases
    assert matter_key(_petition(), key=OTHER_KEY) != first


def test_disputes_have_no_matter_key() -> None:
    assert matter_key(IntakeDetails.model_validate(intake_body()), key=KEY) is None


def test_a_diverted_petition_becomes_a_dispute_with_the_same_parties() -> None:
    petition = _petition()
    dispute = diverted_intake(petition)
    assert dispute.kind is CaseKind.DISPUTE
    assert dispute.channel is Channel.PETITION_REFERRAL
    assert dispute.applicants == petition.applicants
    assert dispute.title == petition.title
    assert dispute.jurisdiction == petition.jurisdiction
