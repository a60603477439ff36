"""Auditors (审计): case search, then for one case — each read asking for its purpose first — the
timeline, the case as of a moment, chain verification, the dossier PDF, the replay result; and
the access trail (访问留痕). Every read goes through the audit services, which record it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from api.console.forms import iso_moment
from api.console.pages_cases import _checked_case_id
from api.console.session import ConsoleRoute, ConsoleUser, PageError, checked_form, require
from api.console.templating import render
from api.deps import (
    FilesDep,
    ReplayWorkflowsDep,
    ScopesDep,
    SessionmakerDep,
    SettingsDep,
    TemplatesDep,
    TemporalDep,
)
from api.errors import ApiError
from api.services import audit, bundle, cases
from domain.people.access import Permission
from domain.people.administration import (
    ADMIN_ACTION_LABELS,
    DETAIL_LABELS,
    DETAIL_VALUE_LABELS,
)
from domain.text import CONTROL_CHARS_ZH, ONE_LINE
from domain.values import CHINA_TZ

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

Auditor = Annotated[ConsoleUser, Depends(require(Permission.AUDIT))]

VIEWS = {
    "timeline": "时间线",
    "state": "某一时刻的状态",
    "verify": "核验哈希链",
    "dossier": "下载卷宗（PDF）",
    "bundle": "导出卷宗包（含证据材料）",
    "replay": "重放验证",
}


def stated_purpose(value: str | None) -> tuple[str | None, str]:
    """The stated purpose, or the message beside the purpose field."""
    text = (value or "").strip()
    if len(text) < 2:
        return None, "请先说明查阅用途（至少2个字，记入访问留痕）"
    if len(text) > 500:
        return None, "用途说明过长：最多 500 字"
    if not re.fullmatch(ONE_LINE, text):
        return None, f"用途说明{CONTROL_CHARS_ZH}（不可见的控制符），请删除后重试"
    return text, ""


AS_OF_FORMAT = "时刻格式不正确，请按“年-月-日 时:分”填写，如 2026-03-02 09:30"


def _as_of(value: str | None) -> tuple[datetime | None, str]:
    """``2026-03-02 09:30`` (or ``2026年3月2日 9时30分``) from the page, read as China time; or
    the message beside the field."""
    if not value or not value.strip():
        return None, ""
    try:
        parsed = datetime.fromisoformat(iso_moment(value.strip()))
    except ValueError:
        return None, AS_OF_FORMAT
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA_TZ)), ""


@router.get("/audit")
async def audit_home(
    request: Request,
    user: Auditor,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    q: str | None = None,
) -> Response:
    text = (q or "").strip()[:100] or None
    found = await cases.list_cases(
        {
            "stage": None,
            "kind": None,
            "category": None,
            "jurisdiction": None,
            "responsible_unit": None,
            "package_leader": None,
            "text": text,
        },
        backlog=False,
        cursor=None,
        limit=50,
        principal=user.principal,
        settings=settings,
        sessionmaker=sessionmaker,
    )
    return render(request, "audit_home.html", {"user": user, "items": found.items, "q": text or ""})


@router.get("/audit/cases/{case_id}")
async def audit_case_form(
    request: Request, case_id: str, user: Auditor, scopes: ScopesDep
) -> Response:
    """The purpose and the views to choose from; nothing is read (or recorded) by a GET."""
    case_id = _checked_case_id(case_id)
    await scopes.ensure_reachable(user.principal, case_id)
    return render(request, "audit_case.html", _case_context(user, case_id, "", "", ""))


def _case_context(
    user: ConsoleUser, case_id: str, view: str, purpose: str, as_of: str
) -> dict[str, Any]:
    return {
        "user": user,
        "case_id": case_id,
        "views": VIEWS,
        "view": view,
        "purpose": purpose,
        "as_of": as_of,
        "purpose_error": "",
        "as_of_error": "",
        "result": None,
        "error": "",
    }


@router.post("/audit/cases/{case_id}")
async def audit_case(
    request: Request,
    case_id: str,
    user: Auditor,
    sessionmaker: SessionmakerDep,
    scopes: ScopesDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    workflows: ReplayWorkflowsDep,
    files: FilesDep,
    templates: TemplatesDep,
) -> Response:
    """One audit read of the case, with its purpose: a POST with the session's form token, so a
    link elsewhere cannot make an auditor's browser read (and record a purpose) unasked."""
    case_id = _checked_case_id(case_id)
    form = await checked_form(request, user)
    view = (form.get("view") or [""])[0]
    purpose = (form.get("purpose") or [""])[0]
    as_of = (form.get("as_of") or [""])[0] or None
    principal = user.principal
    await scopes.ensure_reachable(principal, case_id)
    context = _case_context(user, case_id, view, purpose, as_of or "")
    if view not in VIEWS:
        return render(request, "audit_case.html", context, status=422)
    stated, problem = stated_purpose(purpose)
    moment, moment_problem = _as_of(as_of) if view == "state" else (None, "")
    if stated is None or moment_problem:
        context["purpose_error"] = problem
        context["as_of_error"] = moment_problem
        return render(request, "audit_case.html", context, status=422)
    try:
        if view == "timeline":
            context["result"] = await cases.timeline(
                case_id,
                reveal=False,
                event_types=None,
                since=None,
                until=None,
                purpose=stated,
                principal=principal,
                sessionmaker=sessionmaker,
                scopes=scopes,
            )
        elif view == "state":
            context["result"] = await audit.state_at(
                case_id,
                as_of=moment,
                reveal=False,
                purpose=stated,
                principal=principal,
                sessionmaker=sessionmaker,
                scopes=scopes,
            )
        elif view == "verify":
            report = await audit.verify(
                case_id,
                purpose=stated,
                principal=principal,
                sessionmaker=sessionmaker,
                scopes=scopes,
                files=files,
                temporal=temporal,
            )
            context["result"] = report.model_dump(mode="json")
        elif view == "replay":
            replayed = await audit.replay(
                case_id,
                purpose=stated,
                principal=principal,
                sessionmaker=sessionmaker,
                scopes=scopes,
                temporal=temporal,
                workflows=workflows,
            )
            context["result"] = replayed.model_dump(mode="json")
        elif view == "bundle":
            path = await bundle.bundle(
                case_id,
                purpose=stated,
                principal=principal,
                sessionmaker=sessionmaker,
                scopes=scopes,
                settings=settings,
                files=files,
                templates=templates,
            )
            return FileResponse(
                path,
                media_type="application/zip",
                filename=f"{case_id}-bundle.zip",
                headers={"Cache-Control": "no-store"},
                background=BackgroundTask(path.unlink, missing_ok=True),
            )
        else:
            found = await audit.dossier(
                case_id,
                format="pdf",
                reveal=False,
                purpose=stated,
                principal=principal,
                sessionmaker=sessionmaker,
                scopes=scopes,
                font_path=settings.pdf_font_path,
                files=files,
            )
            assert found.pdf is not None
            return Response(
                found.pdf,
                media_type="application/pdf",
                headers={
                    "Content-Disposition": f'attachment; filename="{case_id}-dossier.pdf"',
                    "Cache-Control": "no-store",
                },
            )
    except ApiError as refused:
        if refused.status == 422 or (refused.status == 404 and view == "state"):
            context["error"] = refused.body.message_zh
            return render(request, "audit_case.html", context, status=refused.status)
        raise
    return render(request, "audit_case.html", context)


@router.get("/audit/trail")
async def access_trail(
    request: Request,
    user: Auditor,
    sessionmaker: SessionmakerDep,
    purpose: str | None = None,
    case_id: str | None = None,
) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "purpose": purpose or "",
        "case_id": case_id or "",
        "items": None,
        "purpose_error": "",
    }
    if purpose is None:
        return render(request, "audit_trail.html", context)
    stated, problem = stated_purpose(purpose)
    if stated is None:
        context["purpose_error"] = problem
        return render(request, "audit_trail.html", context, status=422)
    wanted = _checked_case_id(case_id) if case_id else None
    found = await audit.trail(
        case_id=wanted,
        principal_id=None,
        since=None,
        until=None,
        limit=200,
        purpose=stated,
        principal=user.principal,
        sessionmaker=sessionmaker,
    )
    context["items"] = found.items
    return render(request, "audit_trail.html", context)


@router.get("/audit/admin-trail")
async def administration_trail(
    request: Request,
    user: Auditor,
    sessionmaker: SessionmakerDep,
    purpose: str | None = None,
    target: str | None = None,
) -> Response:
    """管理留痕: every administrative act; the read itself is appended to it."""
    context: dict[str, Any] = {
        "user": user,
        "purpose": purpose or "",
        "target": target or "",
        "page": None,
        "purpose_error": "",
        "labels": {action.value: label for action, label in ADMIN_ACTION_LABELS.items()},
        "detail_labels": DETAIL_LABELS,
        "detail_values": DETAIL_VALUE_LABELS,
    }
    if purpose is None:
        return render(request, "audit_admin_trail.html", context)
    stated, problem = stated_purpose(purpose)
    if stated is None:
        context["purpose_error"] = problem
        return render(request, "audit_admin_trail.html", context, status=422)
    wanted = (target or "").strip()[:64] or None
    if wanted is not None and not USER_ID.match(wanted):
        raise PageError(422, "用户名格式不正确")
    context["page"] = await audit.administration_trail(
        actor_id=None,
        target=wanted,
        limit=200,
        purpose=stated,
        principal=user.principal,
        sessionmaker=sessionmaker,
    )
    return render(request, "audit_admin_trail.html", context)
