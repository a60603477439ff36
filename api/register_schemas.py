"""Request and answer models of the leaders' registers: 领导接访 (``api/routes/registers.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from api.schemas import CommandBody, IntakeRequest
from domain.parties import Party
from domain.registers.accountability import AccountabilityDetails
from domain.registers.reception import ReceptionDetails
from domain.registers.watched import WatchedDetails
from domain.text import Remark
from domain.values import Channel, ResidentId


class ReceptionRequest(ReceptionDetails, CommandBody):
    """领导接访: the day, the place, the receiving organisation (接访单位) and the visitors."""


class ReceptionIntakeRequest(IntakeRequest):
    """A case registered from a reception: the intake body (the channel is 领导接访 whatever
    it says; left out, it is filled in). ``visitors`` names the reception's visitors (by their
    place in its list, from 0) who apply: their names and numbers as the reception recorded
    them become applicants, before any given in ``applicants``."""

    channel: Channel = Channel.LEADER_RECEPTION
    applicants: Annotated[tuple[Party, ...], Field(max_length=200)] = ()
    visitors: Annotated[
        tuple[Annotated[int, Field(ge=0, le=199)], ...],
        Field(
            max_length=200, description="申请人为哪几位来访人员（序号从0起）/ visitors who apply"
        ),
    ] = ()


class VisitorView(BaseModel):
    name: str
    id_number: str | None  # masked
    phone: str | None  # masked
    people: int
    matter: str


class ReceptionCaseView(BaseModel):
    case_id: str
    title: str
    stage: str
    stage_label: str
    registered_at: datetime


class ReceptionView(BaseModel):
    reception_id: str
    leader_user_id: str
    leader_name: str
    leader_title: str
    jurisdiction_code: str
    organisation: str
    organisation_name: str
    received_on: date
    place: str
    visitors: list[VisitorView]
    note: str
    case_count: int
    cases: list[ReceptionCaseView] | None = None  # on a single reception


class ReceptionList(BaseModel):
    items: list[ReceptionView]


class AccountabilityRequest(AccountabilityDetails, CommandBody):
    """约谈 / 通报: against an organisation or a person of it, about a case or a period."""


class AccountabilityView(BaseModel):
    record_id: str
    kind: str
    kind_label: str
    subject_kind: str
    subject_label: str
    organisation: str
    organisation_name: str
    jurisdiction_code: str
    person_name: str | None
    person_user_id: str | None
    case_id: str | None
    period_from: date | None
    period_to: date | None
    held_on: date
    facts: str
    decisions: str
    corrects: str | None
    by_user_id: str
    by_name: str
    recorded_at: datetime


class AccountabilityList(BaseModel):
    items: list[AccountabilityView]


class WatchedRequest(WatchedDetails, CommandBody):
    """重点人员: the person by ID number, type, grade, where they live, 包保责任人."""


class WatchedLookup(CommandBody):
    """Find a person in the register by ID number (sent in the body, never in a URL)."""

    id_number: ResidentId
    purpose: Annotated[Remark, Field(description="查阅目的（审计人员必填）/ why")] = ""


class WatchedCaseView(BaseModel):
    case_id: str
    title: str
    stage: str
    stage_label: str
    holder_name: str | None
    jurisdiction_code: str
    registered_at: datetime


class WatchedView(BaseModel):
    watched_id: str
    id_number: str  # masked
    name: str
    person_type: str
    type_label: str
    grade: str
    grade_label: str
    jurisdiction_code: str
    minder_user_id: str
    minder_name: str
    note: str
    by_name: str
    cases: list[WatchedCaseView] | None = None  # on a single entry


class WatchedList(BaseModel):
    items: list[WatchedView]
