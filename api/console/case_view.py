"""What the case page shows of hand-offs (承办单位与转办交办), read from the case document.

Nothing here decides anything: it names what the case records (holder, the transfer awaiting
签收 and the clock its receiver must answer, assignments and their reports, co-handlers, the
log) in the words the page uses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from api.services.papers import issued_list
from domain.case.documents import applies_to
from domain.case.issued import DOCUMENT_TITLES, DocumentKind
from domain.case.labels import EVENT_LABELS
from domain.values import CaseKind


@dataclass(frozen=True)
class HandoffView:
    holder: dict[str, Any] | None
    pending: dict[str, Any] | None
    pending_due: str | None  # the open clock the receiving organisation must answer (签收时限)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    co_handlers: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    lift_suggestion: dict[str, Any] | None = None
    routing: dict[str, Any] | None = None

    @property
    def shown(self) -> bool:
        """Anything beyond the registering organisation holding the case."""
        return bool(
            self.pending or self.assignments or self.co_handlers or self.log or self.routing
        )


_OPEN = {"running", "warned", "overdue", "paused"}


def _answer_due(document: dict[str, Any], org_id: str) -> str | None:
    for clock in document.get("clocks") or ():
        owner = clock.get("organisation") or {}
        if owner.get("org_id") == org_id and clock.get("status") in _OPEN:
            due: str = clock["schedule"]["due"]["due_at"]
            return due
    return None


def _log_entry(entry: dict[str, Any], registrar: str | None) -> dict[str, Any]:
    """One line of the routing log; the registration's names who registered the case and where
    it was routed (登记：{登记单位}，分流至 {承办单位})."""
    if entry["kind"] != "case_registered":
        return {**entry, "label": EVENT_LABELS.get(entry["kind"], entry["kind"])}
    routed = entry["organisation"]["name"]
    text = f"{registrar}，分流至 {routed}" if registrar else f"分流至 {routed}"
    return {**entry, "label": "登记", "text": text}


def handoff_view(document: dict[str, Any], registrar: str | None = None) -> HandoffView:
    """承办单位与转办交办; ``registrar``: the name of the organisation that registered the case
    (the case records its id, ``center_id``)."""
    pending = document.get("pending_transfer")
    log = [_log_entry(entry, registrar) for entry in document.get("handoffs") or ()]
    return HandoffView(
        holder=document.get("holder"),
        pending=pending,
        pending_due=_answer_due(document, pending["to_organisation"]["org_id"])
        if pending
        else None,
        assignments=list(document.get("assignments") or ()),
        co_handlers=list(document.get("co_handlers") or ()),
        log=log,
        lift_suggestion=document.get("lift_suggestion"),
        routing=document.get("routing"),
    )


@dataclass(frozen=True)
class DocumentGroup:
    """One document (kind and subject) with its versions, newest first."""

    key: str
    title: str
    versions: list[dict[str, Any]]

    @property
    def latest(self) -> dict[str, Any]:
        return self.versions[0]


@dataclass(frozen=True)
class PapersView:
    """The 文书 section: what was issued, and the kinds this case's documents come in."""

    groups: list[DocumentGroup]
    kinds: list[tuple[str, str]]
    may_issue: bool
    may_reveal: bool
    issue_key: str = field(default_factory=lambda: str(uuid.uuid4()))  # a retry issues once


def papers_view(
    case_id: str, document: dict[str, Any], *, may_issue: bool, may_reveal: bool
) -> PapersView:
    """The documents issued, grouped per document, with links to print each version."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in issued_list(case_id, document):
        grouped.setdefault(entry["key"], []).append(entry)
    groups = [
        DocumentGroup(key, versions[0]["title"], list(reversed(versions)))
        for key, versions in grouped.items()
    ]
    case_kind = CaseKind(document["kind"])
    kinds = [(k.value, DOCUMENT_TITLES[k]) for k in DocumentKind if applies_to(k, case_kind)]
    return PapersView(groups, kinds, may_issue, may_reveal)


# 开始计时/停止计时: shown under the clock they belong to, folded out of the case's timeline.
FOLDED_EVENTS = frozenset({"clock_started", "clock_stopped"})


@dataclass(frozen=True)
class TimelineFold:
    """The timeline's clock starts and stops, by clock (for each 时限's 计时记录)."""

    by_clock: dict[str, list[dict[str, Any]]]
    folded: int  # how many entries the timeline hides until 显示全部 is ticked


def fold_timeline(entries: list[dict[str, Any]]) -> TimelineFold:
    by_clock: dict[str, list[dict[str, Any]]] = {}
    folded = 0
    for entry in entries:
        if entry["type"] not in FOLDED_EVENTS:
            continue
        data = entry.get("data") or {}
        clock_id = (data.get("clock") or {}).get("clock_id") or data.get("clock_id")
        folded += 1
        if clock_id:
            by_clock.setdefault(str(clock_id), []).append(entry)
    return TimelineFold(by_clock=by_clock, folded=folded)
