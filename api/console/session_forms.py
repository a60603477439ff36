"""调解会排期 forms on the case page: book a session (安排调解会), move it (改期), cancel it, and
the booking a session recorded as held answers; the roster picker ticks the signed-in mediator
when her account is linked to her roster entry (调解员名册)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from api.console.forms import Field, Options
from domain.case.agenda import session_time

MOMENT_HINT = "格式：年-月-日 时:分（北京时间），如 2026-12-14 09:30"
SESSION_FIELDS: dict[str, list[Field]] = {
    "sessions/schedule": [
        Field("starts_at", "调解会时间", "moment", True, hint=MOMENT_HINT),
        Field("place", "地点", required=True),
        Field("mediators", "调解员（每行一人）", "lines", True),
        Field("parties", "通知参加的当事人", "checks"),
        Field("note", "备注", "textarea"),
    ],
    "sessions/postpone": [
        Field("schedule_no", "排期的调解会", "select", True),
        Field("starts_at", "新的调解会时间", "moment", True, hint=MOMENT_HINT),
        Field("place", "新的地点（不填则不变）"),
        Field("reason", "改期原因", "textarea", True),
    ],
    "sessions/cancel": [
        Field("schedule_no", "排期的调解会", "select", True),
        Field("reason", "取消原因", "textarea", True),
    ],
}


def booked_options(document: dict[str, Any]) -> Options:
    """The sessions booked on the case and still to be held."""
    return tuple(
        (
            str(s["schedule_no"]),
            f"第{s['schedule_no']}次：{session_time(datetime.fromisoformat(s['starts_at']))}"
            f"，{s['place']}",
        )
        for s in document.get("scheduled_sessions") or ()
        if s.get("status") == "scheduled"
    )


def _party_options(document: dict[str, Any]) -> Options:
    sides = ("applicants", "respondents", "third_parties")
    names = [p["name"] for side in sides for p in document.get(side) or ()]
    return tuple((name, name) for name in dict.fromkeys(names))


def roster_picker(roster: Options, mediator_id: str | None) -> Field:
    """调解员 from the roster, the signed-in mediator ticked when she is on it."""
    mine = mediator_id if mediator_id and any(v == mediator_id for v, _ in roster) else ""
    return Field(
        "mediator_ids",
        "调解员（从调解员名册选择）",
        "checks",
        True,
        roster,
        hint="名册为承办单位及联合调处单位的在册调解员",
        value=mine,
    )


def session_fields(
    path: str,
    fields: list[Field],
    document: dict[str, Any],
    roster: Options,
    mediator_id: str | None,
) -> list[Field] | None:
    """The fields of a session form for this case (None: ``path`` is not one)."""
    if path == "sessions/schedule":
        parties = _party_options(document)
        shown = [replace(f, options=parties) if f.name == "parties" else f for f in fields]
        if roster:
            picker = roster_picker(roster, mediator_id)
            shown = [picker if f.name == "mediators" else f for f in shown]
        return shown
    if path in ("sessions/postpone", "sessions/cancel"):
        booked = booked_options(document)
        return [replace(f, options=booked) if f.name == "schedule_no" else f for f in fields]
    if path == "sessions":
        booked = booked_options(document)
        if not booked:
            return fields
        linked = Field(
            "schedule_no",
            "对应的排期",
            "select",
            False,
            (("", "未排期的调解会"), *booked),
            hint="召开的是已排期的调解会时请选择，排期随之记为已召开",
        )
        return [linked, *fields]
    return None
