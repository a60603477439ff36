"""Rendering: one Jinja2 environment for the console's templates, with China-time filters and the
Chinese labels of coded values."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape

from api.console.highlight import highlight
from domain.case import labels
from domain.case.agenda import shown_status
from domain.case.stages import TERMINAL_STAGES, Stage
from domain.deadlines.why import due_time_text
from domain.parties import AUTHORITY_LABELS, PETITION_SIDE_LABELS, RELATION_LABELS, SIDE_LABELS
from domain.people.access import ROLE_LABELS as USER_ROLE_LABELS
from domain.people.access import Permission, Role
from domain.people.privacy import scrub_text
from domain.people.trail_words import fields_words, read_words
from domain.values import CHINA_TZ, CaseKind

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"


def china_time(value: datetime | str | None) -> str:
    """``2026-03-02 09:30`` in China time (UTC+8); empty for nothing."""
    if value is None or value == "":
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def china_seconds(value: datetime | str | None) -> str:
    """``2026-03-02 09:30:15`` in China time: a moment an auditor asked for, to the second."""
    if value is None or value == "":
        return ""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def due_time(value: datetime | str | None) -> str:
    """A due instant as the law counts it: the end of the last day reads ``…-30 24:00``."""
    if value is None or value == "":
        return ""
    return due_time_text(datetime.fromisoformat(value) if isinstance(value, str) else value)


def china_day(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value[:10]
    return value.isoformat()


_LOGIN = re.compile(r"^(?P<name>.*\S) \((?P<login>[A-Za-z0-9_.@-]+)\)$")


def person(value: str | None) -> str:
    """``王芳 (wangfang)`` as ``王芳``: the name is what people read; the login id stays where it
    tells accounts apart (用户管理, the auditors' pages)."""
    if not value:
        return ""
    found = _LOGIN.match(value)
    return found.group("name") if found else value


def _label(table: dict[Any, str]) -> Any:
    by_value = {getattr(key, "value", key): text for key, text in table.items()}

    def label(value: Any) -> str:
        return by_value.get(getattr(value, "value", value), str(value))

    return label


_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=ChainableUndefined,  # masked documents leave fields out (e.g. 重点人员 flags)
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(
    china_time=china_time,
    china_seconds=china_seconds,
    read_words=read_words,
    fields_words=fields_words,
    china_day=china_day,
    due_time=due_time,
    person=person,
    stage_label=_label(labels.STAGE_LABELS),
    category_label=_label(labels.CATEGORY_LABELS),
    channel_label=_label(labels.CHANNEL_LABELS),
    risk_label=_label(labels.RISK_LABELS),
    kind_label=_label(labels.CASE_KIND_LABELS),
    mediation_label=_label(labels.MEDIATION_TYPE_LABELS),
    referral_label=_label(labels.REFERRAL_LABELS),
    decision_label=_label(labels.COURT_DECISION_LABELS),
    performance_label=_label(labels.PERFORMANCE_LABELS),
    satisfaction_label=_label(labels.SATISFACTION_LABELS),
    outcome_label=_label(labels.OUTCOME_LABELS),
    clock_status_label=_label(labels.CLOCK_STATUS_LABELS),
    party_type_label=_label(labels.PARTY_TYPE_LABELS),
    form_label=_label(labels.AGREEMENT_FORM_LABELS),
    alert_kind_label=_label(labels.ALERT_KIND_LABELS),
    alert_status_label=_label(labels.ALERT_STATUS_LABELS),
    event_label=_label(labels.EVENT_LABELS),
    answer_level_label=_label(labels.ANSWER_LEVEL_LABELS),
    pause_reason_label=_label(labels.PAUSE_REASON_LABELS),
    user_role_label=_label(USER_ROLE_LABELS),
    flag_label=_label(labels.RISK_FLAG_LABELS),
    highlight=highlight,
    masked=scrub_text,  # free text quoted back into a page's text (a query in a heading)
)


def china_today() -> str:
    """Today in China (date formats' example)."""
    return datetime.now(CHINA_TZ).date().isoformat()


def session_status(status: str, stage: str) -> tuple[str, str]:
    """A booked session's key and label on a case at ``stage`` (未召开 once the case ended)."""
    return shown_status(status, case_ended=Stage(stage) in TERMINAL_STAGES)


_env.globals.update(
    Role=Role, Permission=Permission, china_today=china_today, session_status=session_status
)
# 当事人: the sides as a case kind names them, an agent's authority and relation.
_env.globals.update(
    side_labels={
        kind.value: {side.value: text for side, text in table.items()}
        for kind, table in (
            (CaseKind.DISPUTE, SIDE_LABELS),
            (CaseKind.PETITION, PETITION_SIDE_LABELS),
        )
    },
    authority_labels={k.value: v for k, v in AUTHORITY_LABELS.items()},
    relation_labels={k.value: v for k, v in RELATION_LABELS.items()},
)


def render(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """A page; the layout reads ``user`` (the signed-in person, or None) from the context."""
    page = _env.get_template(template).render(
        {
            "request": request,
            "user": None,
            "flash": None,
            "today": china_today(),  # date formats' example
            "notices": getattr(request.state, "notices", None),  # the menu's counts
            **context,
        }
    )
    return HTMLResponse(
        page,
        status_code=status,
        headers={
            # Nothing from outside: scripts, styles, fonts and images come from this server only.
            "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",
        },
    )


def fragment(request: Request, template: str, block: str, context: dict[str, Any]) -> HTMLResponse:
    """One block of a page (what a script swaps into the page it already shows)."""
    found = _env.get_template(template)
    values = {"request": request, "user": None, "flash": None, **context}
    # A block alone does not run the page's imports: the form macros are handed to it.
    macros: Any = _env.get_template("_form.html").make_module(values)
    values["inputs"] = macros.inputs
    html = "".join(found.blocks[block](found.new_context(values)))
    return HTMLResponse(
        html, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    )
