"""Issued documents (文书) as the case keeps them: kind, 文号, version and content hash."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from domain.base import Frozen
from domain.organisation.organisations import OrgId


class DocumentKind(StrEnum):
    APPLICATION = "application"  # 人民调解申请书
    ORAL_APPLICATION = "oral_application"  # 人民调解口头申请登记表
    ACCEPTANCE = "acceptance"  # 受理通知书
    DECLINE = "decline"  # 不予受理告知书
    SESSION_RECORD = "session_record"  # 调解笔录 (one per session)
    AGREEMENT = "agreement"  # 人民调解协议书
    TERMINATION = "termination"  # 调解终结书
    CONFIRMATION_APPLICATION = "confirmation_application"  # 司法确认申请书
    FOLLOW_UP_RECORD = "follow_up_record"  # 回访记录 (one per visit)
    PETITION_ACCEPTANCE = "petition_acceptance"  # 信访事项受理告知书
    PETITION_DECLINE = "petition_decline"  # 信访事项不予受理告知书
    HANDLING_OPINION = "handling_opinion"  # 信访事项处理意见书
    REVIEW_OPINION = "review_opinion"  # 信访事项复查意见书
    SECOND_REVIEW_OPINION = "second_review_opinion"  # 信访事项复核意见书


DOCUMENT_TITLES: dict[DocumentKind, str] = {
    DocumentKind.APPLICATION: "人民调解申请书",
    DocumentKind.ORAL_APPLICATION: "人民调解口头申请登记表",
    DocumentKind.ACCEPTANCE: "人民调解受理通知书",
    DocumentKind.DECLINE: "不予受理告知书",
    DocumentKind.SESSION_RECORD: "调解笔录",
    DocumentKind.AGREEMENT: "人民调解协议书",
    DocumentKind.TERMINATION: "调解终结书",
    DocumentKind.CONFIRMATION_APPLICATION: "司法确认申请书",
    DocumentKind.FOLLOW_UP_RECORD: "回访记录",
    DocumentKind.PETITION_ACCEPTANCE: "信访事项受理告知书",
    DocumentKind.PETITION_DECLINE: "信访事项不予受理告知书",
    DocumentKind.HANDLING_OPINION: "信访事项处理意见书",
    DocumentKind.REVIEW_OPINION: "信访事项复查意见书",
    DocumentKind.SECOND_REVIEW_OPINION: "信访事项复核意见书",
}


class DocumentNumber(Frozen):
    """文号: one organisation's series per year, e.g. （2026）玄调字第12号."""

    org_id: OrgId
    org_name: Annotated[str, Field(min_length=1, max_length=200)]
    year: int
    seq: Annotated[int, Field(ge=0)]
    prefix: Annotated[str, Field(max_length=20)]

    @property
    def text(self) -> str:
        return f"（{self.year}）{self.prefix}第{self.seq}号"


class PartyLine(Frozen):
    """当事人的基本情况 as a document prints them (ID and phone masked on a masked copy)."""

    role: str  # 申请人 / 被申请人 / 信访人
    name: str
    party_type: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


class ItemLine(Frozen):
    item_no: int
    description: str
    due_on: str | None = None
    status: str | None = None


SignaturePlace = Literal["applicants", "respondents", "mediators"]


class SignatureMark(Frozen):
    """手写签名 printed at a place to sign (domain.case.signatures): whose, the image's SHA-256
    (an attachment of the case, so on its chain) and the day it was captured."""

    place: SignaturePlace
    name: str
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    signed_on: str  # 2026年3月2日


class DocumentFields(Frozen):
    """Every field a template may name. ``None`` (or empty) means the case has not recorded it."""

    document_title: str
    document_number: str
    organisation: str
    case_id: str
    case_title: str
    category: str | None = None
    channel: str | None = None
    place: str | None = None
    issued_on: str | None = None
    received_on: str | None = None
    applicants: tuple[PartyLine, ...] = ()
    respondents: tuple[PartyLine, ...] = ()
    facts: str | None = None
    accepted_on: str | None = None
    accept_note: str | None = None
    decline_reason: str | None = None
    decline_referral: str | None = None
    mediation_type: str | None = None
    mediators: tuple[str, ...] = ()
    session_no: int | None = None
    held_on: str | None = None
    attendees: tuple[str, ...] = ()
    session_summary: str | None = None
    agreement_terms: str | None = None
    agreement_form: str | None = None
    signed_on: str | None = None
    items: tuple[ItemLine, ...] = ()
    failure_reason: str | None = None
    failure_referral: str | None = None
    routes_left: str | None = None
    court: str | None = None
    applied_on: str | None = None
    visit_no: int | None = None
    visited_on: str | None = None
    satisfaction: str | None = None
    follow_up_notes: str | None = None
    request_reason: str | None = None
    requested_on: str | None = None
    answer: str | None = None
    answered_on: str | None = None
    # Left out of the content hash when empty, so documents issued before signatures were
    # printed keep their hash (domain.case.documents.canonical_json).
    signatures: tuple[SignatureMark, ...] = ()


class IssuedDocument(Frozen):
    """One issued version of a document, as the case keeps it (the fields are in the event)."""

    kind: DocumentKind
    subject: int | None = None
    number: DocumentNumber
    version: int
    content_sha256: str
    issued_at: AwareDatetime
    issued_by: str

    @property
    def key(self) -> str:
        return document_key(self.kind, self.subject)


def document_key(kind: DocumentKind, subject: int | None) -> str:
    """Which document: its kind, and for per-session (visit, agreement) kinds which one."""
    return kind.value if subject is None else f"{kind.value}:{subject}"
