"""Tables: cases read model, append-only case_events, intake keys, number series, registry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from activities.store.identity_tables import (
    AccessTrailRow,
    AdminTrailRow,
    ApiKeyRow,
    ConsoleSessionRow,
    CredentialRequestRow,
    IdempotencyKeyRow,
    OneTimeLinkRow,
    SignInEventRow,
    SignInThrottleRow,
    UserRow,
)
from activities.store.table_base import Base, EventId, JsonDocument, OrderedJsonDocument

# The identity tables live in ``identity_tables``; their names stay importable from here.
__all__ = [
    "Base",
    "EventId",
    "JsonDocument",
    "OrderedJsonDocument",
    "UserRow",
    "ConsoleSessionRow",
    "SignInEventRow",
    "SignInThrottleRow",
    "IdempotencyKeyRow",
    "ApiKeyRow",
    "AccessTrailRow",
    "AdminTrailRow",
    "CredentialRequestRow",
    "OneTimeLinkRow",
]


class CaseRow(Base):
    """案件 read model: the columns a list screen filters on, plus the whole state as JSON."""

    __tablename__ = "cases"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(32), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # Title and description as masked for display (migration 0016): what ``q`` searches for
    # readers who may not reveal personal data (``activities.store.case_search``).
    masked_title: Mapped[str | None] = mapped_column(String(200))
    masked_description: Mapped[str | None] = mapped_column(Text)
    # 检索词 (migration 0021, ``domain.case.search``): number tails, party names, the masked
    # phone's and ID's shown digits, Chinese characters and pairs, keyed hashes of whole numbers;
    # on PostgreSQL posted in ``case_search_terms`` (migration 0023, ``search_tables``).
    search_terms: Mapped[str | None] = mapped_column(Text)
    jurisdiction_code: Mapped[str] = mapped_column(String(12), index=True)
    risk_level: Mapped[str] = mapped_column(String(16))
    responsible_unit: Mapped[str | None] = mapped_column(String(200), index=True)
    responsible_person: Mapped[str | None] = mapped_column(String(200))
    package_leader: Mapped[str | None] = mapped_column(String(200), index=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict[str, Any]] = mapped_column(OrderedJsonDocument)
    matter_key: Mapped[str | None] = mapped_column(String(64), index=True)
    center_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("organisations.org_id", name="fk_cases_center_organisation")
    )
    # Who holds the case now (承办单位), the organisation a transfer awaits (待签收), the
    # registering user and the grid of a grid worker's report (migration 0010).
    holder_id: Mapped[str | None] = mapped_column(String(64))
    incoming_id: Mapped[str | None] = mapped_column(String(64))
    reporter_id: Mapped[str | None] = mapped_column(String(64), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(15))
    # The list's columns (migration 0020, ``domain.case.list_columns``): the nearest running
    # clock's due time (``due_rank``: that time, or NO_DUE when none runs, so "by deadline"
    # walks an index with cases without a clock last), its name and whose it is; the holder's
    # name; the people "mine" matches (``|王芳|李四|``); the parties as ``张伟 等3人``.
    due_rank: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # default NO_DUE (0020)
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_due_name: Mapped[str | None] = mapped_column(String(200))
    next_due_org: Mapped[str | None] = mapped_column(String(64))
    next_due_org_name: Mapped[str | None] = mapped_column(String(200))
    holder_name: Mapped[str | None] = mapped_column(String(200))
    persons: Mapped[str | None] = mapped_column(String(1000))
    parties_label: Mapped[str | None] = mapped_column(String(300))
    # Which rules of the read model wrote this row and its side rows (migration 0030): after an
    # upgrade, rows below ``read_model_rebuild.READ_MODEL_VERSION`` are rebuilt from their
    # documents by today's projection code, never by a migration's copy of it.
    read_model_version: Mapped[int] = mapped_column(Integer, server_default="0")
    # 挂牌督办 (migration 0025): the listing's 督办时限 while the case is listed, else NULL.
    listed_until: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_cases_registered", "registered_at", "case_id"),
        # By deadline, nearest first: everything, and a holder's (我的在办 of an organisation).
        Index("ix_cases_due", "due_rank", "case_id"),
        Index("ix_cases_holder_due", "holder_id", "due_rank", "case_id"),
        # A center's list, newest first (center roles always list within their center).
        Index("ix_cases_center_registered", "center_id", "registered_at", "case_id"),
        # The holder's and the awaited organisation's lists, newest first.
        Index("ix_cases_holder_registered", "holder_id", "registered_at", "case_id"),
        Index("ix_cases_incoming_registered", "incoming_id", "registered_at", "case_id"),
        # Jurisdiction subtrees (LIKE '320102%') on PostgreSQL, counts from the index alone.
        Index(
            "ix_cases_jurisdiction_subtree",
            "jurisdiction_code",
            postgresql_ops={"jurisdiction_code": "varchar_pattern_ops"},
            postgresql_include=[
                "stage",
                "kind",
                "category",
                "center_id",
                "registered_at",
                "holder_id",
            ],
        ).ddl_if(dialect="postgresql"),
    )


# A work item with no due time sorts after every due one (both stores order this constant last).
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)


class CaseOrganisationRow(Base):
    """案件关联单位: each organisation related to a case and how (holder, incoming, registrar,
    former, co_handler, assignee); the reach of center roles' lists and counts."""

    __tablename__ = "case_organisations"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    relation: Mapped[str] = mapped_column(String(16), primary_key=True)
    # One row per case and organisation is its reach row (lists and counts walk those), and
    # every row carries the case's list columns: an organisation's list is read in order from
    # its own rows, its counts from the index alone.
    reach: Mapped[bool] = mapped_column(Boolean)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stage: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    due_rank: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # as cases.due_rank

    __table_args__ = (
        # An organisation's list by deadline (migration 0020).
        Index(
            "ix_case_organisations_due",
            "org_id",
            "due_rank",
            "case_id",
            postgresql_where=text("reach"),
            sqlite_where=text("reach"),
        ),
        Index(
            "ix_case_organisations_reach",
            "org_id",
            "registered_at",
            "case_id",
            postgresql_where=text("reach"),
            sqlite_where=text("reach"),
            postgresql_include=["stage", "kind", "category", "jurisdiction_code"],
        ),
    )


class WorkItemRow(Base):
    """待办: one thing an organisation must do on a case (``domain.case.worklist``), with the case's
    summary columns so a worklist page reads this table alone."""

    __tablename__ = "work_items"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # due_at, or NO_DUE: the order of the worklist (nearest due, then oldest since).
    rank_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(String(500))
    assignment_no: Mapped[int | None] = mapped_column(Integer)
    clock_id: Mapped[str | None] = mapped_column(String(64))
    # The people it names, as ``|王芳|李四|`` (for "mine").
    person: Mapped[str | None] = mapped_column(String(1000))
    jurisdiction_code: Mapped[str] = mapped_column(String(12))
    case_kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # An organisation's worklist in order, and its counts per group.
        Index("ix_work_items_org_rank", "org_id", "rank_at", "since", "case_id", "item_key"),
        Index("ix_work_items_org_kind", "org_id", "kind"),
        # A leader's: the jurisdiction subtree (PostgreSQL: prefix LIKE), or everything in order.
        Index("ix_work_items_rank", "rank_at", "since", "case_id", "item_key"),
        Index(
            "ix_work_items_jurisdiction_subtree",
            "jurisdiction_code",
            postgresql_ops={"jurisdiction_code": "varchar_pattern_ops"},
            postgresql_include=["kind"],
        ),
    )


class CasePartyRow(Base):
    """当事人索引: a case's party keys (SHA-256 of the normalised ID number, else of name and
    phone; ``domain.case.worklist.party_key``), never the clear values."""

    __tablename__ = "case_parties"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    party_key: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (Index("ix_case_parties_key", "party_key", "case_id"),)


class CaseEventRow(Base):
    """case_events: one row per event, append-only, hash-chained, unique on (case_id, seq)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    command_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # The event chain (domain.audit.chain): the predecessor's hash, and this event's own seal.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The workflow's history length when the batch was decided inside its workflow task (a local
    # activity); NULL for a regular activity's batch. Not sealed: it says which attempt wrote it.
    history_length: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),)


class SupersededEventRow(Base):
    """case_events_superseded: events of a workflow-task attempt that never became history, taken
    out of the chain (as they were) when the attempt that did decided the case again. Append-only;
    the chain lets a row go only once it is here (0031)."""

    __tablename__ = "case_events_superseded"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32), index=False)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    command_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    history_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The history length of the attempt that replaced it.
    superseded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    superseded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (Index("ix_case_events_superseded_case", "case_id", "seq"),)


class IntakeKeyRow(Base):
    """An intake's Idempotency-Key and the case number it was given."""

    __tablename__ = "intake_keys"

    idempotency_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseSeriesRow(Base):
    """The last number issued in a series such as ``JF-2026``."""

    __tablename__ = "case_series"

    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class AlertRow(Base):
    """督办提醒 read model: one row per alert, rewritten as the case's alert changes."""

    __tablename__ = "alerts"

    alert_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    clock_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    level: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(String(12), index=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_seq: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)

    __table_args__ = (
        # An inbox (one status, newest first) walks this index backwards (migration 0012).
        Index("ix_alerts_status_raised", "status", "raised_at", "alert_id"),
        # 逾期 within a jurisdiction subtree, from the index alone (PostgreSQL).
        Index(
            "ix_alerts_breach_subtree",
            "jurisdiction_code",
            postgresql_ops={"jurisdiction_code": "varchar_pattern_ops"},
            postgresql_include=["case_id", "raised_at"],
            postgresql_where=text("kind = 'breach' AND status <> 'closed'"),
        ).ddl_if(dialect="postgresql"),
    )


class AlertDeliveryRow(Base):
    """One delivery attempt of one notification to one channel (append-only)."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(200), index=True)
    alert_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecipientRow(Base):
    """The directory: how to reach a recipient (``person:王芳``, ``town-leader:320102001``…)."""

    __tablename__ = "recipients"

    recipient_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    channels: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)


class HistoryArchiveRow(Base):
    """历史归档: one closed CaseWorkflow run's Temporal history, kept after retention deletes it.

    Append-only; ``history`` is ``WorkflowHistory.to_json()`` verbatim (Text, byte-exact).
    """

    __tablename__ = "history_archives"

    workflow_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_count: Mapped[int] = mapped_column(Integer)
    archived_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    history: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_history_archives_closed", "closed_at"),)


class JurisdictionRow(Base):
    """行政区划与网格: county (6 digits) ⊃ town (9) ⊃ village (12) ⊃ grid (15), with names."""

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(
        String(15), ForeignKey("jurisdictions.code", name="fk_jurisdictions_parent"), index=True
    )


class OrganisationRow(Base):
    """单位: a center, committee, sector room, police room, court desk or department."""

    __tablename__ = "organisations"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    jurisdiction_code: Mapped[str] = mapped_column(String(12), index=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("organisations.org_id", name="fk_organisations_parent"), index=True
    )
    # The categories it handles (Category values); empty: every category.
    categories: Mapped[list[str]] = mapped_column(JsonDocument)
    active: Mapped[bool] = mapped_column(Boolean, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RosterMediatorRow(Base):
    """调解员名册: a mediator, the organisation they serve, specialties, full- or part-time."""

    __tablename__ = "roster_mediators"

    mediator_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("organisations.org_id", name="fk_roster_mediators_org"), index=True
    )
    specialties: Mapped[list[str]] = mapped_column(JsonDocument)
    employment: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseBehindRow(Base):
    """记录同步滞后: a case whose events the store refused to take (the projection gave up).

    The events are safe in the case's workflow; this row says the read model and the audit
    trail stop at ``projected_seq`` and why, until a later projection lands (then it is removed).
    """

    __tablename__ = "cases_behind"

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    projected_seq: Mapped[int] = mapped_column(Integer)  # the last event the store holds
    failed_seq: Mapped[int] = mapped_column(Integer)  # the first event it refused
    workflow_seq: Mapped[int] = mapped_column(Integer)  # the last event of the refused batch
    jurisdiction_code: Mapped[str | None] = mapped_column(String(12), index=True)
    reason: Mapped[str] = mapped_column(String(200))  # the error's kind, never its content
    attempts: Mapped[int] = mapped_column(Integer, server_default="1")
