"""Request models of 挂牌督办 and 摘牌 (``api/routes/listing.py``)."""

from __future__ import annotations

from api.schemas import CommandBody
from domain.case import listing_records as r


class ListingRequest(r.ListingDetails, CommandBody):
    """挂牌督办: the lister and their level come from the caller, never from the body."""


class DelistRequest(r.DelistDetails, CommandBody):
    """摘牌: approved by the caller (the lister, or the delegate the lister named)."""
