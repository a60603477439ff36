"""我上报的事项: a grid worker's (网格员) home page, the status of the cases they reported.

A grid worker reports from their grid through the API (``POST /v1/cases`` with their key, e.g.
from a mobile app); here they follow where each report stands and who handles it, never its
parties or its record.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api.console.session import ConsoleRoute, ConsoleUser, require
from api.console.templating import render
from api.deps import SessionmakerDep
from api.services.documents import own_reports
from domain.access import Permission

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Reporter = Annotated[ConsoleUser, Depends(require(Permission.READ_OWN_REPORTS))]


@router.get("/reports")
async def reports_page(request: Request, user: Reporter, sessionmaker: SessionmakerDep) -> Response:
    reports = await own_reports(user.principal, limit=100, sessionmaker=sessionmaker)
    return render(request, "reports.html", {"user": user, "reports": reports})
