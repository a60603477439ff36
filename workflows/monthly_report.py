"""MonthlyReportWorkflow: 月报 for every county and town, as of one cut-off.

Started by the ``monthly-report`` Schedule on the 1st of each month (the month before, as of the
moment the run starts), or for any past month on request. Each place's report is one idempotent
activity (the same place, month and cut-off are kept once), so a worker lost half-way makes the
rest on resume and nothing twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.values import china_date
    from workflows.report_contract import (
        MAKE_MONTHLY_REPORT_ACTIVITY,
        MONTHLY_REPORT_WORKFLOW,
        REPORT_PLACES_ACTIVITY,
        MonthlyReportJob,
        MonthlyReportMade,
        MonthlyReportResult,
        MonthlyReportRun,
        ReportPlaces,
        ReportPlacesRequest,
    )

STEP_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
# Places reported at once (each report reads the store and prints a PDF).
AT_ONCE = 4


def previous_month(year: int, month: int) -> str:
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


@workflow.defn(name=MONTHLY_REPORT_WORKFLOW)
class MonthlyReportWorkflow:
    @workflow.run
    async def run(self, request: MonthlyReportRun) -> MonthlyReportResult:
        started = workflow.now()
        today = china_date(started)
        month = request.month or previous_month(today.year, today.month)
        as_of = request.as_of or started
        places = await workflow.execute_activity(
            REPORT_PLACES_ACTIVITY,
            ReportPlacesRequest(within=request.within),
            result_type=ReportPlaces,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=STEP_RETRY,
        )
        made: list[MonthlyReportMade] = []
        codes = list(places.codes)
        for i in range(0, len(codes), AT_ONCE):
            made += await asyncio.gather(
                *(
                    workflow.execute_activity(
                        MAKE_MONTHLY_REPORT_ACTIVITY,
                        MonthlyReportJob(
                            jurisdiction=code,
                            month=month,
                            as_of=as_of,
                            requested_by=request.requested_by,
                        ),
                        result_type=MonthlyReportMade,
                        start_to_close_timeout=timedelta(minutes=10),
                        retry_policy=STEP_RETRY,
                    )
                    for code in codes[i : i + AT_ONCE]
                )
            )
        return MonthlyReportResult(month=month, as_of=as_of, reports=tuple(made))
