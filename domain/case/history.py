"""The case as it stood at a past moment (某一时点的案件状态), folded from its recorded events."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.case.events import Event
from domain.case.evolve import evolve
from domain.case.state import CaseState


def state_as_of(events: Iterable[Event], instant: datetime) -> CaseState | None:
    """Fold the events recorded at or before ``instant``; ``None`` if the case did not exist yet.

    ``events`` are one case's events in seq order. Event times never decrease along seq (they are
    workflow time), so stopping at the first later event is the same as filtering by time, and it
    keeps the fold a prefix of the history even if a store held times out of order.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"the instant must be timezone-aware, got {instant!r}")
    state: CaseState | None = None
    for event in events:
        if event.at > instant:
            break
        state = evolve(state, event)
    return state
