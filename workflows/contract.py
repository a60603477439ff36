"""The names and payloads the API, the worker and the workflow agree on (no workflow code here)."""

from __future__ import annotations

from domain.base import Frozen
from domain.events import Event
from domain.state import CaseState

WORKFLOW_TYPE = "CaseWorkflow"
APPLY_UPDATE = "apply"
STATE_QUERY = "state"
PROJECT_ACTIVITY = "project_case_events"


class CaseWorkflowInput(Frozen):
    """How a case workflow starts: empty for a new case, or the state continue-as-new hands over."""

    state: CaseState | None = None
    # Continue-as-new once the history passes this many events (kept across runs).
    max_history_events: int = 2_000


class ProjectionBatch(Frozen):
    """Events not yet in the store, and the case state after the last of them."""

    case_id: str
    events: tuple[Event, ...]
    state: CaseState


class ProjectionResult(Frozen):
    inserted: int
