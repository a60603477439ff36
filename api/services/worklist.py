"""我的待办: the caller's worklist, and 积案 (backlog) wherever cases are listed or counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.policy.book import PolicyBook
from activities.runtime.settings import Settings
from activities.store import worklists
from activities.store.repositories import CaseFilter, CaseSummary
from activities.store.worklists import WorkFilter, WorkLine
from api.errors import database_errors, forbidden, invalid_input
from api.schemas import WorkItemView, Worklist
from api.services.agenda import AgendaEntry, unrecorded
from domain.case.labels import CATEGORY_LABELS, STAGE_LABELS
from domain.case.stages import Stage
from domain.case.worklist import (
    DATED_KINDS,
    DEFAULT_BACKLOG_DAYS,
    LEADER_KINDS,
    NOT_WORK,
    WORK_KIND_LABELS,
    WorkKind,
)
from domain.people.access import CENTER_ROLES, Principal, Role
from domain.people.privacy import scrub_text
from domain.values import Category

# Who has a worklist: the staff of an organisation, and leaders (督办) over their jurisdiction.
WORKLIST_ROLES = CENTER_ROLES | {Role.LEADER}


@cache
def _backlog_days(policy_dir: Path | None, policy_file: Path | None) -> int:
    days = PolicyBook.load(policy_dir, policy_file).base.backlog_days
    return days or DEFAULT_BACKLOG_DAYS


def backlog_days(settings: Settings) -> int:
    """积案 threshold: the policy book's ``backlog_days`` (loaded once), else 90 days."""
    return _backlog_days(settings.policy_dir, settings.policy_file)


def backlog_cutoff(settings: Settings, now: datetime) -> datetime:
    """Cases registered before this instant and still open are 积案."""
    return now - timedelta(days=backlog_days(settings))


def require_worklist_role(principal: Principal, what_zh: str, what_en: str) -> None:
    """Worklists and same-party lookups are for organisation staff and leaders only (grid
    workers, auditors and system administrators: 403)."""
    if principal.role not in WORKLIST_ROLES:
        raise forbidden(
            f"当前角色无权查看{what_zh}", f"role '{principal.role.value}' may not read {what_en}"
        )


def _kinds_for(principal: Principal) -> tuple[WorkKind, ...]:
    if principal.role is Role.LEADER:
        return (*sorted(LEADER_KINDS), WorkKind.BACKLOG)
    return tuple(kind for kind in WorkKind if kind not in NOT_WORK)


def _session_view(entry: AgendaEntry, now: datetime) -> WorkItemView:
    """待记录调解会: due by the end of its day, so it shows overdue."""
    return WorkItemView(
        case_id=entry.case_id,
        kind=WorkKind.SESSION_UNRECORDED.value,
        kind_label=WORK_KIND_LABELS[WorkKind.SESSION_UNRECORDED],
        organisation=entry.organisation,
        due_at=entry.starts_at,
        overdue=True,
        since=entry.starts_at,
        summary=f"第{entry.schedule_no}次排期的调解会（{entry.time_label}，{entry.place}）尚未记录",
        title=entry.title,
        stage=entry.stage,
        stage_label=entry.stage_label,
        category=entry.category,
        category_label=CATEGORY_LABELS[Category(entry.category)],
        jurisdiction_code=entry.jurisdiction_code,
    )


def _work_view(line: WorkLine, now: datetime) -> WorkItemView:
    return WorkItemView(
        case_id=line.case_id,
        kind=line.kind,
        kind_label=WORK_KIND_LABELS[WorkKind(line.kind)],
        organisation=line.org_id,
        due_at=line.due_at,
        overdue=line.due_at is not None and line.due_at < now,
        since=line.since,
        summary=scrub_text(line.summary),
        assignment_no=line.assignment_no,
        clock_id=line.clock_id,
        title=scrub_text(line.title),
        stage=line.stage,
        stage_label=STAGE_LABELS[Stage(line.stage)],
        category=line.category,
        category_label=CATEGORY_LABELS[Category(line.category)],
        jurisdiction_code=line.jurisdiction_code,
    )


def _backlog_view(case: CaseSummary, organisation: str | None, now: datetime) -> WorkItemView:
    days = (now - case.registered_at).days
    return WorkItemView(
        case_id=case.case_id,
        kind=WorkKind.BACKLOG.value,
        kind_label=WORK_KIND_LABELS[WorkKind.BACKLOG],
        organisation=organisation,
        due_at=None,
        overdue=False,
        since=case.registered_at,
        summary=f"登记已{days}天仍未办结",
        title=scrub_text(case.title),
        stage=case.stage,
        stage_label=STAGE_LABELS[Stage(case.stage)],
        category=case.category,
        category_label=CATEGORY_LABELS[Category(case.category)],
        jurisdiction_code=case.jurisdiction_code,
    )


async def _with_case_sides(
    items: list[WorkItemView], *, session: AsyncSession
) -> list[WorkItemView]:
    """Each line with its case's 承办单位 and parties (one query for the page)."""
    sides = await worklists.case_sides({item.case_id for item in items}, session=session)
    return [
        item.model_copy(
            update={
                "holder_id": side.holder_id,
                "holder_name": side.holder_name,
                "parties_label": scrub_text(side.parties_label) if side.parties_label else None,
            }
        )
        if (side := sides.get(item.case_id)) is not None
        else item
        for item in items
    ]


def work_filter(
    principal: Principal, *, mine: bool = False, of_organisation: str | None = None
) -> WorkFilter:
    """The work items a caller's worklist holds: their organisation's (``mine``: naming them), or
    a leader's kinds within the jurisdiction subtree."""
    leader = principal.role is Role.LEADER
    kinds = _kinds_for(principal)
    return WorkFilter(
        organisation=of_organisation if leader else principal.center_id,
        within=principal.jurisdiction if leader else None,
        kinds=tuple(k.value for k in kinds if k not in DATED_KINDS),
        person=principal.display_name if mine else None,
    )


async def worklist(
    *,
    group: WorkKind | None,
    mine: bool,
    cursor: str | None,
    limit: int,
    principal: Principal,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    of_organisation: str | None = None,
) -> Worklist:
    """The caller's worklist: an organisation's items (``mine``: those naming the caller), or a
    leader's within the jurisdiction subtree (``of_organisation``: one organisation's items
    there, the leader board's drill-down); 积案 counted, and listed when asked for."""
    require_worklist_role(principal, "待办", "a worklist")
    now = datetime.now(UTC)
    kinds = _kinds_for(principal)
    if group is not None and group not in kinds:
        raise invalid_input(
            f"领导待办不含此分组：{WORK_KIND_LABELS[group]}",
            f"a leader's worklist has no group {group.value}",
            field="group",
        )
    person = principal.display_name if mine else None
    leader = principal.role is Role.LEADER
    organisation = of_organisation if leader else principal.center_id
    within = principal.jurisdiction if leader else None
    work = work_filter(principal, mine=mine, of_organisation=of_organisation)
    backlog = CaseFilter(
        within=within,
        holder=organisation,
        responsible_person=person if not leader else None,
        package_leader=person if leader else None,
        backlog_before=backlog_cutoff(settings, now),
    )
    try:
        with database_errors():
            async with sessionmaker() as session:
                counts = await worklists.count_work(work, session=session)
                counts[WorkKind.BACKLOG.value] = await worklists.count_matching(
                    backlog, session=session
                )
                sessions_due, sessions = 0, list[AgendaEntry]()
                if not leader:
                    first = group is None and cursor is None
                    sessions_due, sessions = await unrecorded(
                        mine=mine,
                        principal=principal,
                        sessionmaker=sessionmaker,
                        now=now,
                        limit=limit if group is WorkKind.SESSION_UNRECORDED or first else 0,
                        session=session,
                    )
                    counts[WorkKind.SESSION_UNRECORDED.value] = sessions_due
                if group is WorkKind.SESSION_UNRECORDED:
                    items = [_session_view(entry, now) for entry in sessions]
                    next_cursor = None
                elif group is WorkKind.BACKLOG:
                    cases, next_cursor = await worklists.list_backlog(
                        backlog, cursor=cursor, limit=limit, session=session
                    )
                    items = [_backlog_view(case, organisation, now) for case in cases]
                else:
                    page = await worklists.list_work(
                        work,
                        kind=group.value if group else None,
                        cursor=cursor,
                        limit=limit,
                        session=session,
                    )
                    items = [_work_view(line, now) for line in page.items]
                    # On the first page of every group: the sessions to record, before the rest.
                    items = [_session_view(entry, now) for entry in sessions] + items
                    next_cursor = page.next_cursor
                items = await _with_case_sides(items, session=session)
    except ValueError as error:
        raise invalid_input("分页游标无效", "invalid cursor", field="cursor") from error
    every = {kind.value: counts.get(kind.value, 0) for kind in kinds}
    return Worklist(
        scope="jurisdiction" if leader else ("mine" if mine else "organisation"),
        organisation=organisation,
        jurisdiction=within,
        group=group.value if group else None,
        counts=every,
        group_labels={kind.value: WORK_KIND_LABELS[kind] for kind in kinds},
        total=sum(every.values()),
        items=items,
        next_cursor=next_cursor,
    )
