"""风险研判 and 领导批示 in the dossier: every reassessment of the case's risk, every instruction
(and 签收意见) with the handling unit's 落实反馈, and the 约谈/通报 about the case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from activities.reports.sections.parts import Part, Stamp
from domain.case.leader_records import INSTRUCTION_SOURCE_LABELS
from domain.case.leader_summaries import flag_names
from domain.case.state import CaseState
from domain.registers.accountability import KIND_LABELS, AccountabilityRecord
from domain.values import RISK_LABELS


class RiskAssessment(Part):
    """第 N 次风险研判: the level before and after, the flags, why, and what it reported."""

    assessment_no: int
    previous_level_label: str
    risk_level_label: str
    flags: list[str]
    reasons: str
    alert_ids: list[str]
    recorded: Stamp


class Instruction(Part):
    """领导批示 (or 签收意见): what was instructed, by when, and how it was carried out."""

    instruction_no: int
    source_label: str
    text: str
    leader: str
    deadline: date | None
    alert_id: str | None
    recorded: Stamp
    result: str | None
    answered: Stamp | None


def risk_assessments(state: CaseState) -> list[RiskAssessment]:
    return [
        RiskAssessment(
            assessment_no=r.assessment_no,
            previous_level_label=RISK_LABELS[r.previous_level],
            risk_level_label=RISK_LABELS[r.risk_level],
            flags=flag_names(r.flags),
            reasons=r.reasons,
            alert_ids=list(r.alert_ids),
            recorded=Stamp(at=r.at, by=r.by),
        )
        for r in state.risk_assessments
    ]


def instructions(state: CaseState) -> list[Instruction]:
    return [
        Instruction(
            instruction_no=i.instruction_no,
            source_label=INSTRUCTION_SOURCE_LABELS[i.source],
            text=i.text,
            leader=i.leader,
            deadline=i.deadline,
            alert_id=i.alert_id,
            recorded=Stamp(at=i.at, by=i.leader),
            result=i.answer.result if i.answer else None,
            answered=Stamp(at=i.answer.at, by=i.answer.by) if i.answer else None,
        )
        for i in state.instructions
    ]


class AccountabilityEntry(Part):
    """约谈 / 通报 about the case: against whom, when, the facts and the decisions."""

    record_id: str
    kind_label: str
    subject: str
    held_on: date
    facts: str
    decisions: str
    corrects: str | None
    by: str


def accountability(records: Sequence[AccountabilityRecord]) -> list[AccountabilityEntry]:
    return [
        AccountabilityEntry(
            record_id=r.record_id,
            kind_label=KIND_LABELS[r.kind],
            subject=r.organisation_name + (f" {r.person_name}" if r.person_name else ""),
            held_on=r.held_on,
            facts=r.facts,
            decisions=r.decisions,
            corrects=r.corrects,
            by=r.by_name,
        )
        for r in records
    ]
