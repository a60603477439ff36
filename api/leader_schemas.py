"""Request and answer models of 风险研判, 领导批示 and 落实反馈 (``api/routes/leader_acts.py``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from api.schemas import ActionRoute, CommandBody
from domain.case import commands as c
from domain.case import leader_records as r


class ReassessRequest(r.ReassessDetails, CommandBody):
    pass


class InstructionRequest(r.InstructionDetails, CommandBody):
    pass


class InstructionAnswerRequest(r.InstructionAnswerDetails, CommandBody):
    pass


REASSESS_ROUTE = ActionRoute(
    path="risk-assessments",
    command=c.ReassessRisk,
    request=ReassessRequest,
    summary="风险研判 / reassess the case's risk",
)
INSTRUCTION_ROUTE = ActionRoute(
    path="instructions",
    command=c.IssueInstruction,
    request=InstructionRequest,
    summary="领导批示 / a leader's instruction (optionally with a deadline)",
)
ANSWER_ROUTE = ActionRoute(
    path="instructions/answer",
    command=c.AnswerInstruction,
    request=InstructionAnswerRequest,
    summary="落实反馈 / how the instruction was carried out",
)

LEADER_ROUTES = (REASSESS_ROUTE, INSTRUCTION_ROUTE, ANSWER_ROUTE)


class InstructionView(BaseModel):
    """One instruction (or 签收意见) on a case, masked: free text scrubbed of personal data."""

    case_id: str
    case_title: str
    instruction_no: int
    source: str
    source_label: str
    text: str
    leader: str
    deadline: date | None
    due_at: datetime | None
    issued_at: datetime
    answered: bool
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None


class InstructionList(BaseModel):
    items: list[InstructionView]
