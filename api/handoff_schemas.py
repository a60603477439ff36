"""Request models of the hand-off routes (转办 签收 退回 撤回 交办 反馈 上提 联合调处).

A body names an organisation by its id, with the domain command's field name; the API resolves
the id in the registry to the ``OrgRef`` the case records (``api/services/handoffs.py``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from api.schemas import ActionRoute, CommandBody
from domain.case import commands as c
from domain.case import details as d
from domain.days import Day
from domain.organisation.organisations import OrgId
from domain.text import LongText, OptionalText


class TransferRequest(CommandBody):
    """转办: to another organisation, which takes it (签收) or sends it back (退回)."""

    to_organisation: Annotated[OrgId, Field(description="接收单位编号 / receiving organisation id")]
    reason: LongText


class TakeRequest(d.TakeDetails, CommandBody):
    pass


class ReturnRequest(d.ReturnDetails, CommandBody):
    pass


class RecallRequest(d.RecallDetails, CommandBody):
    pass


class AssignRequest(CommandBody):
    """交办: a department reports back by the deadline the assigner sets."""

    department: Annotated[OrgId, Field(description="承办部门编号 / the department's id")]
    deadline: Day
    instructions: LongText


class ReportBackRequest(d.ReportBackDetails, CommandBody):
    pass


class LiftRequest(CommandBody):
    """上提一级: to the organisation named, or by default the holder's parent (上级单位)."""

    to_organisation: Annotated[
        OrgId | None,
        Field(
            description="上提至的单位编号；省略则为承办单位的上级单位"
            " / the organisation to lift to; omitted: the holder's parent"
        ),
    ] = None
    reason: LongText


class CoHandlerRequest(CommandBody):
    """联合调处: an organisation joins, or leaves, the handling of the case."""

    organisation: Annotated[OrgId, Field(description="联合调处单位编号 / organisation id")]
    note: OptionalText = ""


HANDOFF_ROUTES: tuple[ActionRoute, ...] = (
    ActionRoute(
        path="transfer", command=c.Transfer, request=TransferRequest, summary="转办 / transfer"
    ),
    ActionRoute(path="take", command=c.Take, request=TakeRequest, summary="签收 / take a transfer"),
    ActionRoute(
        path="return", command=c.Return, request=ReturnRequest, summary="退回 / return a transfer"
    ),
    ActionRoute(
        path="recall",
        command=c.Recall,
        request=RecallRequest,
        summary="撤回转办 / recall a transfer not yet taken",
    ),
    ActionRoute(
        path="assign", command=c.Assign, request=AssignRequest, summary="交办 / assign a department"
    ),
    ActionRoute(
        path="report-back",
        command=c.ReportBack,
        request=ReportBackRequest,
        summary="办理结果反馈 / report back on an assignment",
    ),
    ActionRoute(
        path="lift", command=c.Lift, request=LiftRequest, summary="上提一级 / lift a level"
    ),
    ActionRoute(
        path="co-handlers",
        command=c.AddCoHandler,
        request=CoHandlerRequest,
        summary="联合调处：增加单位 / add a co-handling organisation",
    ),
    ActionRoute(
        path="co-handlers/remove",
        command=c.RemoveCoHandler,
        request=CoHandlerRequest,
        summary="联合调处：移除单位 / remove a co-handling organisation",
    ),
)
