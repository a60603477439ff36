"""Same matter (同一事项): recognising a repeat petition without ID numbers in clear."""

from __future__ import annotations

import hashlib

from domain.case.details import IntakeDetails
from domain.values import CaseKind, Channel


def matter_key(intake: IntakeDetails) -> str | None:
    """A digest of the first petitioner, the category and the county; None for disputes.

    The petitioner is identified by ID number, else by name and phone; the digest lets the store
    find a pending petition on the same matter without holding the ID number in clear.
    """
    if intake.kind is not CaseKind.PETITION or not intake.applicants:
        return None
    person = intake.applicants[0]
    who = person.id_number or f"{person.name}|{person.phone or ''}"
    text = f"{who}|{intake.category.value}|{intake.jurisdiction.county_code}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
