"""Folding 风险研判, 领导批示 and 落实反馈 (and the 签收意见 of an alert) into the case."""

from __future__ import annotations

from domain.case import events as e
from domain.case.leader_records import (
    Instruction,
    InstructionAnswer,
    InstructionSource,
    RiskAssessment,
)
from domain.case.listing import listing_changes
from domain.case.state import CaseState, Stamp


def leader_changes(state: CaseState, body: e.EventBody, stamp: Stamp) -> dict[str, object]:
    """The fields ``body`` changes, or {} for an event of another kind."""
    if isinstance(body, e.CaseListed | e.CaseDelisted):
        return listing_changes(state, body, stamp)
    match body:
        case e.RiskReassessed():
            assessment = RiskAssessment(
                assessment_no=body.assessment_no,
                risk_level=body.risk_level,
                flags=body.flags,
                previous_level=body.previous_level,
                previous_flags=body.previous_flags,
                reasons=body.reasons,
                alert_ids=body.alert_ids,
                at=stamp.at,
                by=stamp.by,
            )
            return {
                "risk_level": body.risk_level,
                "flags": body.flags,
                "risk_assessments": (*state.risk_assessments, assessment),
            }
        case e.InstructionIssued():
            instruction = Instruction(
                instruction_no=body.instruction_no,
                text=body.text,
                leader=stamp.by,
                deadline=body.deadline,
                alert_id=body.alert_id,
                at=stamp.at,
            )
            return {"instructions": (*state.instructions, instruction)}
        case e.AlertAcknowledged() if body.note.strip():
            # 签收意见: the leader's note reaches the handling unit as an instruction to answer.
            note = Instruction(
                instruction_no=len(state.instructions) + 1,
                source=InstructionSource.ACKNOWLEDGEMENT,
                text=body.note,
                leader=stamp.by,
                alert_id=body.alert_id,
                at=stamp.at,
            )
            return {"instructions": (*state.instructions, note)}
        case e.InstructionAnswered():
            answer = InstructionAnswer(
                result=body.result,
                at=stamp.at,
                by=stamp.by,
                organisation_id=body.organisation_id,
            )
            return {
                "instructions": tuple(
                    i.model_copy(update={"answer": answer})
                    if i.instruction_no == body.instruction_no
                    else i
                    for i in state.instructions
                )
            }
    return {}
