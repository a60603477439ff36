"""Same matter (同一事项): recognising a repeat petition without ID numbers in clear."""

from __future__ import annotations

from domain.case.details import IntakeDetails
from domain.case.worklist import keyed_digest
from domain.values import CaseKind, Channel


def matter_material(intake: IntakeDetails) -> str | None:
    """The first petitioner (ID number, else name and phone), the category and the county; None
    for disputes."""
    if intake.kind is not CaseKind.PETITION or not intake.applicants:
        return None
    person = intake.applicants[0]
    who = person.id_number or f"{person.name}|{person.phone or ''}"
    return f"{who}|{intake.category.value}|{intake.jurisdiction.county_code}"


def matter_key(intake: IntakeDetails, *, key: bytes) -> str | None:
    """A keyed hash (HMAC-SHA-256 under the party key) of ``matter_material``: the store finds a
    pending petition on the same matter without holding the ID number in clear, and nobody
    without the key can try every ID number against it."""
    material = matter_material(intake)
    return None if material is None else keyed_digest(key, "matter", material)


def diverted_intake(petition: IntakeDetails) -> IntakeDetails:
    """访调对接: the dispute a petition becomes when it goes to mediation, with the same parties,
    matter and jurisdiction, received through the petition office (channel 访调对接)."""
    return IntakeDetails.model_validate(
        {
            **petition.model_dump(include=set(IntakeDetails.model_fields)),
            "kind": CaseKind.DISPUTE,
            "channel": Channel.PETITION_REFERRAL,
        }
    )
