"""Reading cases (查阅): lists and counts within the caller's reach, a case, its timeline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from activities.identity.access_trail import Access
from activities.runtime.settings import Settings
from activities.store import case_search, repositories
from activities.store import registry as registry_store
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
from domain.case.list_columns import principal_keys
from domain.case.search import SearchPlan, search_plan
from domain.case.summaries import event_summaries
from domain.people.access import Permission, Principal
from domain.people.privacy import scrub_text

# How a search that matched on clear personal data is named in the access trail.
SEARCH_ENDPOINT = "GET /v1/cases?q"


def search_of(
    filters: Mapping[str, Any], *, principal: Principal, settings: Settings
) -> SearchPlan | None:
    """检索: what the ``text`` filter (``q``) asks for. Only a reader who may reveal personal data
    looks a whole phone or ID number up (by its keyed hash); the others find what the masked
    list shows. A query of nothing searchable (punctuation) finds nothing."""
    text = filters.get("text")
    if not text:
        return None
    reveal = principal.may(Permission.REVEAL_PII)
    return search_plan(text, reveal=reveal, key=settings.search_hash_key if reveal else None)


def _without_text(filters: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in filters.items() if name != "text"}


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


class Holding(StrEnum):
    """我的在办: the open cases naming me (承办人, mediator, 包案领导), or my organisation holds."""

    MINE = "mine"
    ORGANISATION = "organisation"


def holding_filters(principal: Principal, holding: Holding | None) -> dict[str, Any]:
    """The filter 我的在办 adds (within the caller's reach, which still applies)."""
    if holding is None:
        return {}
    if holding is Holding.MINE:
        people = principal_keys(principal.user_id, principal.mediator_id)
        return {"people": people, "open_only": True}
    if principal.center_id is None:
        raise invalid_input(
            "本账号不属于任何单位，没有单位在办", "no organisation to hold cases", field="holding"
        )
    return {"holder": principal.center_id, "open_only": True}


def list_filter(
    filters: Mapping[str, Any],
    *,
    backlog: bool,
    holding: Holding | None,
    principal: Principal,
    settings: Settings,
) -> repositories.CaseFilter:
    """The caller's filters, 积案 and 我的在办, narrowed to the caller's reach."""
    before = backlog_cutoff(settings, datetime.now(UTC)) if backlog else None
    chosen = {**_without_text(filters), **holding_filters(principal, holding)}
    plan = search_of(filters, principal=principal, settings=settings)
    return reach_filter(principal, chosen, backlog_before=before, search=plan)


def search_key_of(principal: Principal, settings: Settings) -> bytes | None:
    """The key of whole-number hashes, for a reader who may reveal personal data only."""
    return settings.search_hash_key if principal.may(Permission.REVEAL_PII) else None


async def search_hits(
    where: repositories.CaseFilter,
    items: list[repositories.CaseSummary],
    *,
    key: bytes | None,
    session: AsyncSession,
) -> dict[str, case_search.SearchHit]:
    """How each line of a search page was found (nothing when the list is not a search)."""
    if where.search is None:
        return {}
    ids = [item.case_id for item in items]
    return await case_search.search_hits(ids, where.search, key=key, session=session)


def hit_access(hits: Mapping[str, case_search.SearchHit]) -> list[Access]:
    """The access trail's rows for the lines a search found on personal data."""
    return [
        Access(hit.case_id, hit.jurisdiction_code, SEARCH_ENDPOINT, hit.personal_fields)
        for hit in sorted(hits.values(), key=lambda hit: hit.case_id)
        if hit.personal_fields
    ]


def list_item(item: repositories.CaseSummary, hit: str | None = None) -> CaseListItem:
    """A list line as every reader may see it (free text scrubbed of ID and phone numbers; a
    search's hit shown masked)."""
    return CaseListItem(
        **{**item.model_dump(), "title": scrub_text(item.title)},
        labels=labels_of(item.stage, item.category, item.channel, item.risk_level),
        # The snippet quotes the matched text: a number written into a name is masked too.
        hit=scrub_text(hit) if hit else None,
    )


async def list_cases(
    filters: Mapping[str, Any],
    *,
    backlog: bool,
    cursor: str | None,
    limit: int,
    principal: Principal,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    holding: Holding | None = None,
    by_deadline: bool = False,
) -> CaseList:
    """A page of the list; 我的在办 is always nearest deadline first."""
    where = list_filter(
        filters, backlog=backlog, holding=holding, principal=principal, settings=settings
    )
    try:
        async with sessionmaker() as session:
            page = await repositories.list_cases(
                where,
                cursor=cursor,
                limit=limit,
                session=session,
                by_deadline=by_deadline or holding is not None,
            )
            named = await named_organisations(page.items, session=session)
            key = search_key_of(principal, settings)
            hits = await search_hits(where, page.items, key=key, session=session)
    except ValueError as error:
        raise invalid_input("分页游标无效", "invalid cursor", field="cursor") from error
    except (SQLAlchemyError, OSError) as error:
        raise unavailable("案件数据库", "case database") from error
    await record_access(sessionmaker, principal, hit_access(hits))
    items = [
        list_item(item, hits[item.case_id].snippet if item.case_id in hits else None)
        for item in named
    ]
    return CaseList(items=items, next_cursor=page.next_cursor)


async def named_organisations(
    items: list[repositories.CaseSummary], *, session: AsyncSession
) -> list[repositories.CaseSummary]:
    """The lines with the holder's and the deadline owner's names from the registry where the
    case recorded none (a case its registering center still holds names only the id)."""
    missing = {i.holder_id for i in items if i.holder_id and not i.holder_name}
    missing |= {i.next_due_org for i in items if i.next_due_org and not i.next_due_org_name}
    names = await registry_store.organisation_names(missing, session=session) if missing else {}
    if not names:
        return items
    return [
        item.model_copy(
            update={
                "holder_name": item.holder_name or names.get(item.holder_id or ""),
                "next_due_org_name": item.next_due_org_name or names.get(item.next_due_org or ""),
            }
        )
        for item in items
    ]


async def case_stats(
    filters: dict[str, str | None],
    *,
    principal: Principal,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> CaseStats:
    plan = search_of(filters, principal=principal, settings=settings)
    where = reach_filter(principal, _without_text(filters), search=plan)
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
