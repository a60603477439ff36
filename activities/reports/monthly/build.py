"""Gathering a month's report for a place from the store (indicator facts, accountability items,
the case lines), as of a cut-off: the same place, month and cut-off give the same report."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from activities.reports.monthly.model import (
    MonthlyReport,
    ReportAck,
    ReportBreach,
    ReportCase,
    ReportInstruction,
    report_figure,
    report_id,
)
from activities.reports.monthly.screening import screening_lines
from activities.store import indicator_facts
from activities.store import registry as registry_store
from activities.store.indicator_tables import IndicatorFactRow
from activities.store.tables import CaseRow
from domain.case.labels import STAGE_LABELS
from domain.case.stages import Stage
from domain.indicators.accountability import accountability
from domain.indicators.compute import figures
from domain.indicators.definitions import IndicatorSet, parse_period
from domain.people.privacy import scrub_text
from domain.values import CATEGORY_LABELS, Category, china_date


async def _cases(
    jurisdiction: str, start: date, end: date, session: AsyncSession
) -> list[ReportCase]:
    """The cases registered or concluded in the month, by number."""
    facts = IndicatorFactRow
    rows = await session.execute(
        select(
            facts.case_id,
            facts.category,
            facts.registered_on,
            facts.concluded_on,
            CaseRow.masked_title,
            CaseRow.stage,
            CaseRow.holder_name,
        )
        .join(CaseRow, CaseRow.case_id == facts.case_id)
        .where(
            facts.jurisdiction_code.like(jurisdiction + "%"),
            or_(
                facts.registered_on.between(start, end),
                facts.concluded_on.between(start, end),
            ),
        )
        .order_by(facts.case_id)
    )
    return [
        ReportCase(
            case_id=row.case_id,
            title=scrub_text(row.masked_title or ""),
            category=CATEGORY_LABELS.get(Category(row.category), row.category),
            stage=STAGE_LABELS.get(Stage(row.stage), row.stage),
            holder=row.holder_name or "",
            registered_on=row.registered_on,
            concluded_on=row.concluded_on,
        )
        for row in rows
    ]


async def build_monthly_report(
    indicators: IndicatorSet,
    *,
    jurisdiction: str,
    month: str,
    as_of: datetime,
    session: AsyncSession,
) -> MonthlyReport:
    period = parse_period(month)
    day = china_date(as_of)
    facts, petitions = await indicator_facts.scope_facts(
        session=session,
        jurisdiction=jurisdiction,
        org_ids=None,
        category=None,
        start=period.start,
        end=period.end,
    )
    found = figures(indicators, facts, period, as_of=day, petitions=petitions)
    by_id = {d.indicator_id: d for d in indicators.indicators}
    items = await indicator_facts.items_in_scope(
        session=session, jurisdiction=jurisdiction, org_ids=None, start=period.start, end=period.end
    )
    held = accountability(items, period, as_of=as_of)
    orgs = {o.org_id: o.name for o in await registry_store.list_organisations(session=session)}
    names = await registry_store.jurisdiction_names([jurisdiction], session=session)
    return MonthlyReport(
        report_id=report_id(jurisdiction, month, as_of),
        jurisdiction=jurisdiction,
        scope_name=names.get(jurisdiction, jurisdiction),
        month=month,
        period_label=period.label,
        start=period.start,
        end=period.end,
        as_of=as_of,
        indicator_version=indicators.version,
        figures=[report_figure(by_id[f.indicator_id], f) for f in found],
        cases=await _cases(jurisdiction, period.start, period.end, session),
        breaches=[
            ReportBreach(
                organisation=orgs.get(line.org_id or "", line.org_id or "（未登记单位）"),
                breaches=line.breaches,
                cases="、".join(line.cases),
            )
            for line in held.breaches
        ],
        acknowledgement=[
            ReportAck.model_validate(line.model_dump()) for line in held.acknowledgement
        ],
        unanswered=[
            ReportInstruction.model_validate(line.model_dump()) for line in held.unanswered
        ],
        screening=await screening_lines(
            jurisdiction, period.start, period.end, as_of=as_of, session=session
        ),
    )
