"""Request and response models of the case API (one request model per action)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from activities.repositories import CaseSummary
from domain import commands as c
from domain import details as d
from domain.base import Frozen
from domain.events import Event
from domain.labels import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    RISK_LABELS,
    STAGE_LABELS,
)
from domain.stages import Stage
from domain.state import CaseState
from domain.values import Actor, Category, Channel, RiskLevel


class Labels(BaseModel):
    """Chinese labels for a case's coded fields (for the console and documents)."""

    stage: str
    category: str
    channel: str
    risk_level: str


def labels_of(stage: str, category: str, channel: str, risk_level: str) -> Labels:
    return Labels(
        stage=STAGE_LABELS[Stage(stage)],
        category=CATEGORY_LABELS[Category(category)],
        channel=CHANNEL_LABELS[Channel(channel)],
        risk_level=RISK_LABELS[RiskLevel(risk_level)],
    )


class CaseView(CaseState):
    """A case as the API shows it: the state and its Chinese labels."""

    labels: Labels


def case_view_json(state: CaseState) -> dict[str, Any]:
    """CaseView as JSON without validating the state a second time (hot path)."""
    payload = state.model_dump(mode="json")
    payload["labels"] = labels_of(
        state.stage, state.category, state.channel, state.risk_level
    ).model_dump()
    return payload


class CaseListItem(CaseSummary):
    labels: Labels


class CaseList(BaseModel):
    items: list[CaseListItem]
    next_cursor: str | None


class TimelineEntry(BaseModel):
    seq: int
    type: str
    label: str
    at: datetime
    actor: str
    command_id: str
    data: dict[str, Any]


class Timeline(BaseModel):
    case_id: str
    entries: list[TimelineEntry]


def timeline_entry(event: Event) -> TimelineEntry:
    data = event.body.model_dump(mode="json", exclude={"type"})
    return TimelineEntry(
        seq=event.seq,
        type=event.type,
        label=EVENT_LABELS.get(event.type, event.type),
        at=event.at,
        actor=event.actor,
        command_id=event.command_id,
        data=data,
    )


def _request_model(details: type[Frozen], name: str) -> type[Frozen]:
    model: type[Frozen] = create_model(  # type: ignore[call-overload]
        name,
        __base__=(details,),
        __config__=None,
        actor=(Actor, ...),
    )
    model.model_config = ConfigDict(frozen=True, extra="forbid")
    return model


IntakeRequest = _request_model(d.IntakeDetails, "IntakeRequest")


class ActionRoute(BaseModel):
    """One ``POST /v1/cases/{case_id}/{path}`` route and the command it sends."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: str
    command: type[Any]
    request: type[Any]
    summary: str


def _route(path: str, command: type[Any], details: type[Frozen], summary: str) -> ActionRoute:
    name = "".join(part.capitalize() for part in path.split("-")) + "Request"
    return ActionRoute(
        path=path, command=command, request=_request_model(details, name), summary=summary
    )


ACTION_ROUTES: tuple[ActionRoute, ...] = (
    _route("accept", c.Accept, d.AcceptDetails, "受理 / accept"),
    _route("decline", c.Decline, d.DeclineDetails, "不予受理 / decline"),
    _route("plan", c.Plan, d.PlanDetails, "一案一策 / set or revise the plan"),
    _route(
        "package-leader",
        c.AssignPackageLeader,
        d.PackageLeaderDetails,
        "领导包案 / assign the package leader",
    ),
    _route("start-mediation", c.StartMediation, d.MediationDetails, "开始调解 / start mediation"),
    _route("sessions", c.RecordSession, d.SessionDetails, "调解会 / record a mediation session"),
    _route("agreement", c.RecordAgreement, d.AgreementDetails, "调解协议 / record the agreement"),
    _route(
        "mediation-failure",
        c.RecordMediationFailure,
        d.MediationFailureDetails,
        "调解不成 / record mediation failure",
    ),
    _route(
        "judicial-confirmation",
        c.ApplyJudicialConfirmation,
        d.JudicialConfirmationDetails,
        "申请司法确认 / apply for judicial confirmation",
    ),
    _route(
        "court-decision",
        c.RecordCourtDecision,
        d.CourtDecisionDetails,
        "法院裁定 / record the court's decision",
    ),
    _route("follow-ups", c.RecordFollowUp, d.FollowUpDetails, "回访 / record a follow-up visit"),
    _route("close", c.Close, d.CloseDetails, "销号 / close the case"),
    _route("withdraw", c.Withdraw, d.WithdrawDetails, "撤回 / withdraw the case"),
)
