"""The command routes ``POST /v1/cases/{case_id}/{action}``: one per command, built alike.

Which router mounts which command: clocks and alerts (时限), the petition track (信访), and every
other command with the cases (案件), hand-offs (转办 交办 上提 联合调处) among them; each command is
mounted exactly once. A hand-off body names organisations by id: ``api/services/handoffs.py``
resolves them in the registry.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ScopesDep, SessionmakerDep, SettingsDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.handoff_schemas import HANDOFF_ROUTES
from api.params import CaseIdPath, IdempotencyKey
from api.permissions import Mediator
from api.schemas import ACTION_ROUTES, ActionRoute, CaseView, CommandBody
from api.services import commands, handoffs
from api.session_schemas import SESSION_ROUTES

CLOCK_ACTIONS = frozenset({"clocks/pause", "clocks/resume", "clocks/extend", "alerts/ack"})
PETITION_ACTIONS = frozenset(
    {
        "reply",
        "review-requests",
        "review-answers",
        "second-review-requests",
        "second-review-answers",
        "repeats",
    }
)


def add_action_route(router: APIRouter, route: ActionRoute) -> None:
    command_model = route.command
    command_type: str = command_model.model_fields["type"].default

    async def act(
        case_id: CaseIdPath,
        body: CommandBody,
        principal: Mediator,
        scopes: ScopesDep,
        sessionmaker: SessionmakerDep,
        temporal: TemporalDep,
        settings: SettingsDep,
        idempotency_key: IdempotencyKey = None,
    ) -> JSONResponse:
        view = await commands.act(
            case_id,
            command_type,
            handoffs.command_maker(route, body, sessionmaker),
            body=body,
            assignment_no=handoffs.assignment_no(body),
            key=idempotency_key,
            principal=principal,
            scopes=scopes,
            sessionmaker=sessionmaker,
            temporal=temporal,
            settings=settings,
        )
        return JSONResponse(view)

    # The body model is chosen per route; postponed annotations cannot name it.
    act.__annotations__["body"] = route.request
    act.__name__ = "action_" + route.path.replace("-", "_")
    router.add_api_route(
        f"/{{case_id}}/{route.path}",
        act,
        methods=["POST"],
        response_model=CaseView,
        responses=ERROR_RESPONSES,
        summary=route.summary,
    )


def add_action_routes(router: APIRouter, paths: frozenset[str] | None = None) -> None:
    """Mount the commands in ``paths``; None: every command no other router mounts."""
    others = CLOCK_ACTIONS | PETITION_ACTIONS
    for route in (*ACTION_ROUTES, *HANDOFF_ROUTES, *SESSION_ROUTES):
        if (route.path in paths) if paths is not None else (route.path not in others):
            add_action_route(router, route)
