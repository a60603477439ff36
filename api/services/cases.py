"""Reading cases (查阅): lists and counts within the caller's reach, a case, its timeline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.identity.access_trail import Access
from activities.runtime.settings import Settings
from activities.store import case_search, repositories
from api.access import (
    CaseScopes,
    check_reveal,
    jurisdiction_code,
    reachable,
    record_access,
    shown,
)
from api.errors import case_not_found, database_errors, invalid_input, unavailable
from api.gateway import query_state
from api.schemas import (
    CaseList,
    CaseListItem,
    CaseStats,
    Timeline,
    case_view_json,
    labels_of,
    timeline_entry,
)
from api.services.documents import report_status, stored_case
from api.services.worklist import backlog_cutoff, backlog_days
from domain.case.labels import EVENT_LABELS
from domain.case.summaries import event_summaries
from domain.people.access import Permission, Principal
from domain.people.privacy import scrub_text

# How a search that matched on clear personal data is named in the access trail.
SEARCH_ENDPOINT = "GET /v1/cases?q"


def reach_filter(
    principal: Principal, filters: Mapping[str, Any] | None = None, **more: Any
) -> repositories.CaseFilter:
    """The caller's filters narrowed to the caller's reach (never widened by them): for center
    roles the cases related to their organisation in any way (holder, incoming, registrar,
    former holder, co-handler, assigned department: ``case_organisations``), wherever they lie;
    for others their jurisdiction subtree."""
    within, organisation = principal.list_reach
    if organisation is not None:
        within = None
    return repositories.CaseFilter(
        **(filters or {}), **more, within=within, organisation=organisation
    )


async def list_cases(
    filters: dict[str, str | None],
    *,
    backlog: bool,
    cursor: str | None,
    limit: int,
    principal: Principal,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> CaseList:
    before = backlog_cutoff(settings, datetime.now(UTC)) if backlog else None
    # 检索: only roles that may reveal personal data search it, and each hit on it is recorded.
    in_clear = principal.may(Permission.REVEAL_PII)
    where = reach_filter(principal, filters, backlog_before=before, text_in_clear=in_clear)
    try:
        async with sessionmaker() as session:
            page = await repositories.list_cases(where, cursor=cursor, limit=limit, session=session)
            text = where.text
            hits = (
                await case_search.hits_on_personal_data(
                    [item.case_id for item in page.items], text, session=session
                )
                if in_clear and text
                else []
            )
    except ValueError as error:
        raise invalid_input("分页游标无效", "invalid cursor", field="cursor") from error
    except (SQLAlchemyError, OSError) as error:
        raise unavailable("案件数据库", "case database") from error
    await record_access(
        sessionmaker,
        principal,
        [Access(hit.case_id, hit.jurisdiction_code, SEARCH_ENDPOINT, hit.fields) for hit in hits],
    )
    items = [
        CaseListItem(
            **{**item.model_dump(), "title": scrub_text(item.title)},
            labels=labels_of(item.stage, item.category, item.channel, item.risk_level),
        )
        for item in page.items
    ]
    return CaseList(items=items, next_cursor=page.next_cursor)


async def case_stats(
    filters: dict[str, str | None],
    *,
    principal: Principal,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> CaseStats:
    where = reach_filter(principal, filters)
    before = backlog_cutoff(settings, datetime.now(UTC))
    with database_errors():
        async with sessionmaker() as session:
            counts, backlog = await repositories.count_cases_and_backlog(
                where, backlog_before=before, session=session
            )
    return CaseStats(
        total=sum(counts.values()),
        by_stage=counts,
        backlog=backlog,
        backlog_days=backlog_days(settings),
    )


async def read_case(
    case_id: str,
    *,
    consistent: bool,
    reveal: bool,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    temporal: Client,
    purpose: str | None = None,
) -> dict[str, Any]:
    """The case from the read model (or the workflow itself when ``consistent``), masked unless
    revealed; a reveal is recorded in the access trail (with its stated ``purpose``, the reason
    the console asks for) before the answer."""
    check_reveal(principal, reveal)
    document = await query_state(temporal, case_id) if consistent else None
    if document is None:
        document = await stored_case(sessionmaker, case_id)
    if not reachable(principal, document):
        raise case_not_found(case_id)
    if not principal.may(Permission.READ_CASE):  # 网格员: the status of what they reported
        return report_status(document)
    view, fields = shown(principal, case_view_json(document), reveal=reveal)
    accesses = [Access(case_id, jurisdiction_code(document), "GET /v1/cases/{id}", fields, purpose)]
    await record_access(sessionmaker, principal, accesses if fields else [])
    result: dict[str, Any] = view
    return result


async def timeline(
    case_id: str,
    *,
    reveal: bool,
    event_types: list[str] | None,
    since: datetime | None,
    until: datetime | None,
    purpose: str | None,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
) -> dict[str, Any]:
    """The case's events in order; an auditor (who reads no case otherwise) states a purpose,
    and the read is recorded."""
    auditing = not principal.may(Permission.READ_CASE)  # the permission let in only auditors
    if auditing and purpose is None:
        raise invalid_input(
            "审计查阅须说明查阅用途", "an audit read needs a purpose", field="purpose"
        )
    check_reveal(principal, reveal)
    unknown = sorted(set(event_types or ()) - set(EVENT_LABELS))
    if unknown:
        raise invalid_input("未知的事件类型", f"unknown event type {unknown[0]}", field="type")
    code = await scopes.ensure_reachable(principal, case_id)
    with database_errors():
        async with sessionmaker() as session:
            events = await repositories.case_events(case_id, session=session)
    if not events:
        raise case_not_found(case_id)
    summaries = event_summaries(events)
    entries = [
        timeline_entry(event, summaries.get(event.seq, ""))
        for event in events
        if (not event_types or event.type in event_types)
        and (since is None or event.at >= since)
        and (until is None or event.at <= until)
    ]
    found = Timeline(case_id=case_id, entries=entries)
    view, fields = shown(principal, found.model_dump(mode="json"), reveal=reveal)
    accesses = [Access(case_id, code, "GET /v1/cases/{id}/timeline", fields, purpose)]
    await record_access(sessionmaker, principal, accesses if fields or auditing else [])
    result: dict[str, Any] = view
    return result
