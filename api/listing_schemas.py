"""Request models of 挂牌督办 and 摘牌 (``api/routes/listing.py``)."""

from __future__ import annotations

from api.schemas import ActionRoute, CommandBody
from domain.case import commands as c
from domain.case import listing_records as r


class ListingRequest(r.ListingDetails, CommandBody):
    """挂牌督办: the lister and their level come from the caller, never from the body."""


class DelistRequest(r.DelistDetails, CommandBody):
    """摘牌: approved by the caller (the lister, or the delegate the lister named)."""


LISTING_ROUTE = ActionRoute(
    path="listing",
    command=c.ListCase,
    request=ListingRequest,
    summary="挂牌督办 / list the case for supervision with a deadline",
)
DELISTING_ROUTE = ActionRoute(
    path="delisting",
    command=c.DelistCase,
    request=DelistRequest,
    summary="摘牌 / take the resolved case off the list (the lister's approval)",
)
LISTING_ROUTES = (LISTING_ROUTE, DELISTING_ROUTE)
