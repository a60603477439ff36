"""What every part of the dossier is made of: a frozen model, instants in China time, and stamps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer

from domain.case.state import Stamp as RecordedStamp
from domain.values import CHINA_TZ


def china_iso(at: datetime) -> str:
    """``2026-03-02T09:30:00+08:00``: an instant in China time, to the second."""
    return at.astimezone(CHINA_TZ).isoformat(timespec="seconds")


# An instant, written in China time to the second in the JSON document.
Instant = Annotated[AwareDatetime, PlainSerializer(china_iso, return_type=str, when_used="json")]


class Part(BaseModel):
    """One part of the dossier: immutable, and no field the document does not define."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Stamp(Part):
    """Who recorded something (记录人), and when."""

    at: Instant
    by: str


def stamp(recorded: RecordedStamp) -> Stamp:
    """The dossier's copy of who recorded something, and when."""
    return Stamp(at=recorded.at, by=recorded.by)
