"""What leaders and handlers record about a case's risk and a leader's instructions.

风险研判 (risk reassessment): a new risk level and flags with the reasons, at any time while the
case is open. 领导批示 (instruction): a leader's written instruction, optionally with a deadline
(落实时限), which the handling unit answers with 落实反馈. A leader's 签收意见 on an alert reaches
the handling unit the same way, as an instruction without a deadline.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field

from domain.base import Frozen
from domain.days import Day
from domain.text import Actor, LongText, ShortText
from domain.values import RiskFlags, RiskLevel


class ReassessDetails(Frozen):
    """风险研判: the risk as judged now, and why."""

    risk_level: RiskLevel
    flags: RiskFlags = RiskFlags()
    reasons: LongText


class InstructionDetails(Frozen):
    """领导批示: what the leader instructs, and by when it is to be carried out (optional)."""

    text: LongText
    deadline: Annotated[
        Day | None,
        Field(
            description="落实时限（到期未反馈的，逐级提醒直至批示领导）"
            "/ the day by which it is to be carried out; overdue escalates to the leader."
        ),
    ] = None
    alert_id: Annotated[
        ShortText | None,
        Field(description="批示所针对的预警 / the alert the instruction answers, if any"),
    ] = None


class InstructionAnswerDetails(Frozen):
    """落实反馈: how the handling unit carried the instruction out."""

    instruction_no: Annotated[int, Field(ge=1)]
    result: LongText


class InstructionSource(StrEnum):
    INSTRUCTION = "instruction"  # 领导批示
    ACKNOWLEDGEMENT = "acknowledgement"  # 签收意见 of an alert


INSTRUCTION_SOURCE_LABELS: dict[InstructionSource, str] = {
    InstructionSource.INSTRUCTION: "领导批示",
    InstructionSource.ACKNOWLEDGEMENT: "签收意见",
}


class RiskAssessment(Frozen):
    """One 风险研判 as recorded (the first is the intake's own judgement, not listed here)."""

    assessment_no: int
    risk_level: RiskLevel
    flags: RiskFlags
    previous_level: RiskLevel
    previous_flags: RiskFlags
    reasons: str
    alert_ids: tuple[str, ...] = ()  # the alerts it raised (直报…)
    at: AwareDatetime
    by: Actor


class InstructionAnswer(Frozen):
    result: str
    at: AwareDatetime
    by: Actor
    organisation_id: str | None = None


class Instruction(Frozen):
    """A leader's instruction (or 签收意见) and, once given, the handling unit's answer."""

    instruction_no: int
    source: InstructionSource = InstructionSource.INSTRUCTION
    text: str
    leader: Actor
    deadline: Day | None = None
    alert_id: str | None = None
    clock_id: str | None = None
    at: AwareDatetime
    answer: InstructionAnswer | None = None

    @property
    def open(self) -> bool:
        return self.answer is None
