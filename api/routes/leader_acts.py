"""风险研判, 领导批示, 落实反馈 on a case, and the leaders' list of instructions.

``POST /v1/cases/{case_id}/risk-assessments`` (the case's handlers, or a leader within reach),
``POST /v1/cases/{case_id}/instructions`` (a leader within reach),
``POST /v1/cases/{case_id}/instructions/answer`` (the handling unit),
``GET /v1/instructions?open=true`` (a leader: the instructions within their jurisdiction).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionmakerDep
from api.errors import ERROR_RESPONSES
from api.leader_schemas import (
    ANSWER_ROUTE,
    INSTRUCTION_ROUTE,
    REASSESS_ROUTE,
    InstructionList,
    InstructionView,
)
from api.permissions import Assessor, Instructor, Mediator
from api.routes.actions import add_action_route
from api.services import instructions

router = APIRouter(tags=["leaders 领导批示"])
cases = APIRouter(prefix="/v1/cases", tags=["cases 案件"])
add_action_route(cases, REASSESS_ROUTE, Assessor)
add_action_route(cases, INSTRUCTION_ROUTE, Instructor)
add_action_route(cases, ANSWER_ROUTE, Mediator)
router.include_router(cases)


@router.get(
    "/v1/instructions",
    response_model=InstructionList,
    responses=ERROR_RESPONSES,
    summary="领导批示及落实反馈 / instructions within the leader's jurisdiction",
)
async def list_instructions(
    principal: Instructor,
    sessionmaker: SessionmakerDep,
    open: Annotated[bool, Query(description="仅未反馈的 / open ones only")] = True,  # noqa: A002
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InstructionList:
    items = await instructions.list_instructions(
        open_only=open, limit=limit, principal=principal, sessionmaker=sessionmaker
    )
    return InstructionList(items=[InstructionView.model_validate(i) for i in items])
