"""The console's routers and static files, mounted on the app beside the JSON API (``/v1``)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from activities.reports.pdf.fonts import PACKAGED_CJK_FONT
from api.console import (
    pages_account,
    pages_accountability,
    pages_admin,
    pages_audit,
    pages_audit_registers,
    pages_auth,
    pages_case_list,
    pages_cases,
    pages_documents,
    pages_files,
    pages_grid,
    pages_indicators,
    pages_intake,
    pages_leader,
    pages_ledger,
    pages_monthly_reports,
    pages_receptions,
    pages_registry,
    pages_requests,
    pages_screening,
    pages_sessions,
    pages_watched,
    pages_worklist,
)
from api.console.templating import STATIC_DIR
from api.console.webfont import web_font

_fonts = APIRouter(include_in_schema=False)


@_fonts.get("/static/fonts/cjk.ttf")
async def cjk_font() -> Response:
    """The CJK font the package ships for the PDF dossier, for browsers on machines without one
    (read and unpacked once per process)."""
    return Response(
        web_font(PACKAGED_CJK_FONT),
        media_type="font/ttf",
        headers={"Cache-Control": "public, max-age=604800"},
    )


def install_console(app: FastAPI) -> None:
    app.include_router(_fonts)
    for pages in (
        pages_auth,
        pages_worklist,
        pages_sessions,
        pages_screening,
        pages_intake,
        pages_case_list,  # /cases/export before /cases/{case_id}
        pages_ledger,
        pages_cases,
        pages_files,
        pages_documents,
        pages_grid,
        pages_leader,
        pages_receptions,
        pages_accountability,
        pages_watched,
        pages_indicators,
        pages_monthly_reports,
        pages_audit,
        pages_audit_registers,
        pages_admin,
        pages_requests,
        pages_account,
        pages_registry,
    ):
        app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
