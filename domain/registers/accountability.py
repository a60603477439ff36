"""约谈 / 通报: accountability records against an organisation or a person, about one case or a
period, with the facts found and the decisions taken.

Created by leaders over the organisation's area; read by the leader chain above the organisation
and by auditors (each read recorded). Append-only: a correction is a new record naming the one it
corrects (更正), never an edit.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

from domain.base import Frozen
from domain.days import Day
from domain.people.access import UserId
from domain.registers.reception import OrgIdText
from domain.text import LongText, Name, ShortText

RecordId = Annotated[str, StringConstraints(pattern=r"^YT-[0-9a-f]{20}$")]
CaseNumberText = Annotated[str, StringConstraints(pattern=r"^(JF|XF)-\d{4}-\d{6}$")]


class AccountabilityKind(StrEnum):
    SUMMON = "summon"  # 约谈
    NOTICE = "notice"  # 通报


class SubjectKind(StrEnum):
    ORGANISATION = "organisation"  # 单位
    PERSON = "person"  # 个人


KIND_LABELS = {AccountabilityKind.SUMMON: "约谈", AccountabilityKind.NOTICE: "通报"}
SUBJECT_LABELS = {SubjectKind.ORGANISATION: "单位", SubjectKind.PERSON: "个人"}


class AccountabilityDetails(Frozen):
    """What a leader records: whom (an organisation, or a person of one), about what (a case,
    or a period), when, the facts (问题) and the decisions (处理意见)."""

    kind: AccountabilityKind
    subject_kind: SubjectKind
    organisation: OrgIdText  # the organisation, or the one the person works for
    person_name: Name | None = None
    person_user_id: UserId | None = None
    case_id: CaseNumberText | None = None
    period_from: Day | None = None
    period_to: Day | None = None
    held_on: Day  # 约谈日期 / 通报日期
    facts: LongText
    decisions: LongText
    corrects: RecordId | None = None  # 更正: the earlier record this one corrects


class AccountabilityRecord(AccountabilityDetails):
    record_id: RecordId
    organisation_name: ShortText
    jurisdiction_code: str  # the organisation's area: the leader chain above it reads
    by_user_id: str
    by_name: Name


def refusal(details: AccountabilityDetails) -> tuple[str, str, str] | None:
    """(field, Chinese, English) when the record does not hold together, else None."""
    if details.subject_kind is SubjectKind.PERSON and details.person_name is None:
        return "person_name", "约谈或通报个人须写明姓名", "a person's name is needed"
    if details.subject_kind is SubjectKind.ORGANISATION and (
        details.person_name is not None or details.person_user_id is not None
    ):
        return (
            "person_name",
            "对单位的约谈或通报不填个人",
            "a record against a unit names no person",
        )
    period = details.period_from is not None or details.period_to is not None
    if details.case_id is not None and period:
        return "case_id", "针对一个案件或一段期间，二者择一", "about one case or a period, not both"
    if details.case_id is None and (details.period_from is None or details.period_to is None):
        return "period_from", "请写明所涉案件，或期间的起止日期", "name a case, or a period"
    if details.period_from and details.period_to and details.period_from > details.period_to:
        return "period_to", "期间的结束日期不能早于开始日期", "the period ends before it starts"
    return None
