"""调解会排期 routes: book a session ahead, move it, cancel it (``POST /v1/cases/{id}/sessions/…``).

Recording a session held stays ``POST /v1/cases/{id}/sessions`` (with ``schedule_no`` when it was
booked ahead).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from api.schemas import ActionRoute, CommandBody
from domain.case import commands as c
from domain.case.agenda import CancelDetails, PostponeDetails, ScheduleDetails
from domain.text import ShortText


class ScheduleSessionRequest(ScheduleDetails, CommandBody):
    """安排调解会: mediators chosen from the roster (``mediator_ids``: the API fills in their
    names), or named (``mediators``)."""

    mediators: Annotated[tuple[ShortText, ...], Field(max_length=50)] = ()


class PostponeSessionRequest(PostponeDetails, CommandBody):
    pass


class CancelSessionRequest(CancelDetails, CommandBody):
    pass


SESSION_ROUTES: tuple[ActionRoute, ...] = (
    ActionRoute(
        path="sessions/schedule",
        command=c.ScheduleSession,
        request=ScheduleSessionRequest,
        summary="安排调解会 / book a session ahead (mediators and parties notified)",
    ),
    ActionRoute(
        path="sessions/postpone",
        command=c.PostponeSession,
        request=PostponeSessionRequest,
        summary="调解会改期 / move a booked session",
    ),
    ActionRoute(
        path="sessions/cancel",
        command=c.CancelSession,
        request=CancelSessionRequest,
        summary="取消调解会 / cancel a booked session",
    ),
)
