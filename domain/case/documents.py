"""文书: the documents a case issues, filled from what it recorded, and what issuing records.

Each kind (人民调解协议书, 调解笔录, 处理意见书…) is filled from the case as typed fields
(``DocumentFields``); a template (deployment data, ``activities/reports/documents``) lays them
out. Issuing records ``DocumentIssued`` on the case's chain: the kind, the 文号, the version and
the SHA-256 of the canonical JSON of the filled fields (sorted keys, UTF-8, no spaces), so the
hash is the same whatever the PDF or .docx bytes are, and anyone holding the event can check it.

A document keeps its 文号 for life: reprinting gives the same number and content; when the case
changed what the document says, the next issue is version n+1 under the same number (the office
replaces a paper, it does not open a new file).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from domain.case.events import DocumentIssued
from domain.case.issued import (
    DOCUMENT_TITLES,
    DocumentFields,
    DocumentKind,
    DocumentNumber,
    IssuedDocument,
    ItemLine,
    PartyLine,
    document_key,
)
from domain.case.labels import (
    AGREEMENT_FORM_LABELS,
    CHANNEL_LABELS,
    MEDIATION_TYPE_LABELS,
    PARTY_TYPE_LABELS,
    PERFORMANCE_LABELS,
    REFERRAL_LABELS,
    SATISFACTION_LABELS,
)
from domain.case.signatures import signature_marks
from domain.case.state import Answer, CaseState
from domain.errors import ForbiddenTransition, InvalidCommand
from domain.parties import Party
from domain.values import CATEGORY_LABELS, CaseKind, china_date

PETITION_KINDS = frozenset(
    {
        DocumentKind.PETITION_ACCEPTANCE,
        DocumentKind.PETITION_DECLINE,
        DocumentKind.HANDLING_OPINION,
        DocumentKind.REVIEW_OPINION,
        DocumentKind.SECOND_REVIEW_OPINION,
    }
)
# Kinds issued once per session / visit / agreement: the command names which (latest if not).
PER_SUBJECT = frozenset(
    {DocumentKind.SESSION_RECORD, DocumentKind.FOLLOW_UP_RECORD, DocumentKind.AGREEMENT}
)
_ANSWER_LEVEL = {
    DocumentKind.HANDLING_OPINION: 1,
    DocumentKind.REVIEW_OPINION: 2,
    DocumentKind.SECOND_REVIEW_OPINION: 3,
}
# 人民调解法第二十六条: the routes left to the parties when mediation fails.
ROUTES_LEFT = "当事人可以依法通过仲裁、行政、司法等途径维护自己的权利。"


def applies_to(kind: DocumentKind, case_kind: CaseKind) -> bool:
    return (kind in PETITION_KINDS) == (case_kind is CaseKind.PETITION)


FIELD_LABELS: dict[str, str] = {
    "document_title": "文书名称",
    "document_number": "文号",
    "organisation": "出具单位",
    "case_id": "案件编号",
    "case_title": "案由",
    "category": "纠纷类别",
    "channel": "来源渠道",
    "place": "发生地",
    "issued_on": "落款日期",
    "received_on": "申请日期",
    "applicants": "申请人",
    "respondents": "被申请人",
    "facts": "纠纷事实",
    "accepted_on": "受理日期",
    "accept_note": "受理说明",
    "decline_reason": "不予受理理由",
    "decline_referral": "告知途径",
    "mediation_type": "调解类型",
    "mediators": "调解员",
    "session_no": "调解会次数",
    "held_on": "调解日期",
    "attendees": "参加人员",
    "session_summary": "调解情况",
    "agreement_terms": "协议内容",
    "agreement_form": "协议形式",
    "signed_on": "签订日期",
    "items": "履行事项",
    "failure_reason": "调解不成原因",
    "failure_referral": "告知途径",
    "routes_left": "当事人救济途径",
    "court": "受理法院",
    "applied_on": "申请日期",
    "visit_no": "回访次数",
    "visited_on": "回访日期",
    "satisfaction": "满意度",
    "follow_up_notes": "回访情况",
    "request_reason": "申请理由",
    "requested_on": "申请日期",
    "answer": "意见内容",
    "answered_on": "作出日期",
}
# Sub-fields of the list fields a template may print for each entry.
PARTY_FIELD_LABELS: dict[str, str] = {
    "role": "身份",
    "name": "姓名（名称）",
    "party_type": "类型",
    "id_number": "身份证号码",
    "phone": "联系电话",
    "address": "住址",
}
ITEM_FIELD_LABELS: dict[str, str] = {
    "item_no": "序号",
    "description": "履行事项",
    "due_on": "履行期限",
    "status": "履行情况",
}

# What a document of each kind cannot be issued without (the law's minimum; a template may ask
# for more): a missing one refuses the document, naming the field.
REQUIRED: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.APPLICATION: ("applicants", "facts", "received_on"),
    DocumentKind.ORAL_APPLICATION: ("applicants", "facts", "received_on"),
    DocumentKind.ACCEPTANCE: ("applicants", "accepted_on"),
    DocumentKind.DECLINE: ("applicants", "decline_reason", "decline_referral"),
    DocumentKind.SESSION_RECORD: ("held_on", "mediators", "session_summary"),
    DocumentKind.AGREEMENT: ("applicants", "respondents", "facts", "agreement_terms", "mediators"),
    DocumentKind.TERMINATION: ("applicants", "failure_reason", "routes_left"),
    DocumentKind.CONFIRMATION_APPLICATION: (
        "applicants",
        "respondents",
        "agreement_terms",
        "court",
    ),
    DocumentKind.FOLLOW_UP_RECORD: ("visited_on", "satisfaction"),
    DocumentKind.PETITION_ACCEPTANCE: ("applicants", "accepted_on"),
    DocumentKind.PETITION_DECLINE: ("applicants", "decline_reason", "decline_referral"),
    DocumentKind.HANDLING_OPINION: ("applicants", "answer", "answered_on"),
    DocumentKind.REVIEW_OPINION: ("applicants", "request_reason", "answer", "answered_on"),
    DocumentKind.SECOND_REVIEW_OPINION: ("applicants", "request_reason", "answer", "answered_on"),
}


def missing_field(field: str) -> InvalidCommand:
    label = FIELD_LABELS.get(field) or PARTY_FIELD_LABELS.get(field) or field
    return InvalidCommand(
        f"缺少「{label}」，无法出具文书",
        f"the document cannot be issued without '{field}'",
        field=field,
    )


def _not_recorded(kind: DocumentKind, what: str) -> ForbiddenTransition:
    title = DOCUMENT_TITLES[kind]
    return ForbiddenTransition(
        f"案件尚未{what}，不能出具{title}", f"the case has no record for '{kind.value}' yet"
    )


def _day(value: date | None) -> str | None:
    return f"{value.year}年{value.month}月{value.day}日" if value is not None else None


def _parties(role: str, parties: tuple[Party, ...]) -> tuple[PartyLine, ...]:
    return tuple(
        PartyLine(
            role=role,
            name=p.name,
            party_type=PARTY_TYPE_LABELS[p.party_type],
            id_number=p.id_number,
            phone=p.phone,
            address=p.address or None,
        )
        for p in parties
    )


def resolve_subject(state: CaseState, kind: DocumentKind, subject: int | None) -> int | None:
    """The session, visit or agreement a per-subject document is about (the latest if unnamed)."""
    if kind not in PER_SUBJECT:
        return None
    numbers = {
        DocumentKind.SESSION_RECORD: [
            s.session_no for r in state.mediation_rounds for s in r.sessions
        ],
        DocumentKind.FOLLOW_UP_RECORD: [v.visit_no for v in state.follow_ups],
        DocumentKind.AGREEMENT: [a.agreement_no for a in state.agreements],
    }[kind]
    if not numbers:
        raise _not_recorded(
            kind,
            {"session_record": "记录调解会", "follow_up_record": "回访"}.get(
                kind.value, "达成调解协议"
            ),
        )
    if subject is None:
        return numbers[-1]
    if subject not in numbers:
        raise InvalidCommand(
            f"案件没有第{subject}次记录",
            f"the case has no record number {subject}",
            field="subject",
        )
    return subject


def fill(
    state: CaseState,
    kind: DocumentKind,
    subject: int | None,
    number: DocumentNumber,
    *,
    signatures: bool = False,
) -> DocumentFields:
    """The fields of ``kind`` from ``state``; ForbiddenTransition when the case has not reached
    the step the document records, InvalidCommand naming the first required field missing.

    ``signatures``: a 协议书 carries the handwritten signatures captured for its agreement
    (domain.case.signatures); an issue recorded before they were printed replays without."""
    _check_applies(state, kind)
    subject = resolve_subject(state, kind, subject)
    petition = state.kind is CaseKind.PETITION
    values: dict[str, object] = {
        "document_title": DOCUMENT_TITLES[kind],
        "document_number": number.text,
        "organisation": number.org_name,
        "case_id": state.case_id,
        "case_title": state.title,
        "category": None if petition else CATEGORY_LABELS[state.category],
        "channel": CHANNEL_LABELS[state.channel],
        "place": "".join(
            n
            for n in (
                state.jurisdiction.county_name,
                state.jurisdiction.town_name,
                state.jurisdiction.village_name,
            )
            if n
        )
        or None,
        "received_on": _day(state.received_on or china_date(state.registered.at)),
        "applicants": _parties("信访人" if petition else "申请人", state.applicants),
        "respondents": _parties("被申请人", state.respondents),
        "facts": state.description,
    }
    values.update(_kind_values(state, kind, subject))
    if signatures and kind is DocumentKind.AGREEMENT:
        agreement = next(a for a in state.agreements if a.agreement_no == subject)
        values["signatures"] = signature_marks(state, agreement)
    fields = DocumentFields.model_validate(values)
    for field in REQUIRED[kind]:
        if is_missing(getattr(fields, field)):
            raise missing_field(field)
    return fields


def is_missing(value: object) -> bool:
    return value is None or value == "" or value == ()


def _kind_values(  # noqa: C901
    state: CaseState, kind: DocumentKind, subject: int | None
) -> dict[str, object]:
    round_ = state.mediation
    mediators = {"mediators": round_.mediators} if round_ is not None else {}
    match kind:
        case DocumentKind.APPLICATION | DocumentKind.ORAL_APPLICATION:
            return {"issued_on": _day(state.received_on or china_date(state.registered.at))}
        case DocumentKind.ACCEPTANCE | DocumentKind.PETITION_ACCEPTANCE:
            if state.accepted is None:
                raise _not_recorded(kind, "受理")
            on = state.accepted_on or china_date(state.accepted.at)
            return {"accepted_on": _day(on), "accept_note": None, "issued_on": _day(on)}
        case DocumentKind.DECLINE | DocumentKind.PETITION_DECLINE:
            if state.decline is None:
                raise _not_recorded(kind, "决定不予受理")
            return {
                "decline_reason": state.decline.reason,
                "decline_referral": state.decline.referral,
                "issued_on": _day(china_date(state.decline.recorded.at)),
            }
        case DocumentKind.SESSION_RECORD:
            for r in state.mediation_rounds:
                for s in r.sessions:
                    if s.session_no == subject:
                        return {
                            "mediation_type": MEDIATION_TYPE_LABELS[r.mediation_type],
                            "mediators": s.mediators,
                            "session_no": s.session_no,
                            "held_on": _day(s.held_on),
                            "attendees": s.attendees,
                            "session_summary": s.summary,
                            "issued_on": _day(s.held_on),
                        }
        case DocumentKind.AGREEMENT | DocumentKind.CONFIRMATION_APPLICATION:
            agreement = next(
                (a for a in state.agreements if a.agreement_no == subject), state.agreement
            )
            if agreement is None:
                raise _not_recorded(kind, "达成调解协议")
            values: dict[str, object] = {
                **mediators,
                "mediation_type": MEDIATION_TYPE_LABELS[round_.mediation_type] if round_ else None,
                "agreement_terms": agreement.terms,
                "agreement_form": AGREEMENT_FORM_LABELS.get(agreement.form),  # type: ignore[call-overload]
                "signed_on": _day(agreement.signed_on),
                "items": tuple(
                    ItemLine(item_no=i.item_no, description=i.description, due_on=_day(i.due_on))
                    for i in agreement.items
                ),
                "issued_on": _day(agreement.signed_on),
            }
            if kind is DocumentKind.CONFIRMATION_APPLICATION:
                application = state.judicial_confirmation
                values["court"] = application.court if application else None
                values["applied_on"] = _day(application.applied_on) if application else None
                values["issued_on"] = values["applied_on"]
            return values
        case DocumentKind.TERMINATION:
            if state.failure is None:
                raise _not_recorded(kind, "记录调解不成")
            return {
                **mediators,
                "failure_reason": state.failure.reason,
                "failure_referral": REFERRAL_LABELS[state.failure.referral],
                "routes_left": ROUTES_LEFT,
                "issued_on": _day(china_date(state.failure.recorded.at)),
            }
        case DocumentKind.FOLLOW_UP_RECORD:
            visit = next(v for v in state.follow_ups if v.visit_no == subject)
            agreement = state.agreement
            statuses = {p.item_no: PERFORMANCE_LABELS[p.status] for p in visit.performance}
            items = agreement.items if agreement is not None else ()
            return {
                "visit_no": visit.visit_no,
                "visited_on": _day(visit.visited_on),
                "satisfaction": SATISFACTION_LABELS[visit.satisfaction],
                "follow_up_notes": visit.notes or None,
                "items": tuple(
                    ItemLine(
                        item_no=i.item_no,
                        description=i.description,
                        due_on=_day(i.due_on),
                        status=statuses.get(i.item_no, PERFORMANCE_LABELS[i.status]),
                    )
                    for i in items
                ),
                "issued_on": _day(visit.visited_on),
            }
        case DocumentKind.HANDLING_OPINION | DocumentKind.REVIEW_OPINION:
            return _answer_values(state, kind)
        case DocumentKind.SECOND_REVIEW_OPINION:
            return _answer_values(state, kind)
    raise _not_recorded(kind, "记录相应事项")


def _answer_values(state: CaseState, kind: DocumentKind) -> dict[str, object]:
    level = _ANSWER_LEVEL[kind]
    found: Answer | None = next((a for a in reversed(state.answers) if a.level == level), None)
    if found is None or found.answer is None:
        raise _not_recorded(kind, {1: "出具处理意见", 2: "作出复查意见", 3: "作出复核意见"}[level])
    return {
        "answer": found.answer,
        "answered_on": _day(found.answered_on),
        "request_reason": found.request_reason or None,
        "requested_on": _day(found.requested_on),
        "issued_on": _day(found.answered_on),
    }


def canonical_json(kind: DocumentKind, subject: int | None, fields: DocumentFields) -> str:
    """The representation the content hash is taken of: kind, subject and the filled fields
    (every field, absent ones as null), keys sorted, UTF-8 text, no insignificant spaces."""
    dumped = fields.model_dump(mode="json", exclude=set() if fields.signatures else {"signatures"})
    body = {"kind": kind.value, "subject": subject, "fields": dumped}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_sha256(kind: DocumentKind, subject: int | None, fields: DocumentFields) -> str:
    return hashlib.sha256(canonical_json(kind, subject, fields).encode()).hexdigest()


def latest(state_documents: tuple[IssuedDocument, ...], key: str) -> IssuedDocument | None:
    return next((d for d in reversed(state_documents) if d.key == key), None)


def _check_applies(state: CaseState, kind: DocumentKind) -> None:
    if not applies_to(kind, state.kind):
        raise ForbiddenTransition(
            f"{DOCUMENT_TITLES[kind]}不适用于本类案件",
            f"'{kind.value}' does not apply to a {state.kind.value} case",
        )


def pending_key(state: CaseState, kind: DocumentKind, subject: int | None) -> str | None:
    """The key of the document a command would issue for the first time (it needs a 文号 from
    the organisation's series); None when it was issued before and keeps its number."""
    _check_applies(state, kind)
    key = document_key(kind, resolve_subject(state, kind, subject))
    return None if latest(state.documents, key) is not None else key


# What the validator checks a first issue with: the case takes the real number before recording.
PROVISIONAL_NUMBER = DocumentNumber(org_id="provisional", org_name="—", year=0, seq=0, prefix="")


def issue_bodies(
    state: CaseState,
    kind: DocumentKind,
    subject: int | None,
    number: DocumentNumber | None,
    *,
    signatures: bool = False,
) -> list[DocumentIssued]:
    """出具文书: the event recording this issue, or nothing when the document was issued before
    with the same content (a reprint: same 文号, same version). A document issued before keeps
    its 文号 and becomes version n+1 when what it says changed; a first issue takes ``number``."""
    _check_applies(state, kind)
    subject = resolve_subject(state, kind, subject)
    previous = latest(state.documents, document_key(kind, subject))
    number = previous.number if previous is not None else number
    if number is None:
        raise missing_field("document_number")
    fields = fill(state, kind, subject, number, signatures=signatures)
    digest = content_sha256(kind, subject, fields)
    if previous is not None and previous.content_sha256 == digest:
        return []
    version = previous.version + 1 if previous is not None else 1
    return [
        DocumentIssued(
            kind=kind,
            subject=subject,
            number=number,
            version=version,
            content_sha256=digest,
            fields=fields,
        )
    ]


def issued_changes(state: CaseState, body: object, at: datetime, by: str) -> dict[str, object]:
    """What ``DocumentIssued`` changes in the case: one more version in its list of documents."""
    if not isinstance(body, DocumentIssued):
        return {}
    record = IssuedDocument(
        kind=body.kind,
        subject=body.subject,
        number=body.number,
        version=body.version,
        content_sha256=body.content_sha256,
        issued_at=at,
        issued_by=by,
    )
    return {"documents": (*state.documents, record)}
