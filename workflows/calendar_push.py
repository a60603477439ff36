"""CalendarPushWorkflow: newly published holiday data (节假日安排) to every open case with a
provisional clock, page by page.

Each page is one activity that pushes to its cases with bounded concurrency and leaves out (and
logs) a case that does not answer in time, for the next push; pushing twice changes nothing the
second time. Started by its Schedule, or by ``fengqiao calendar push``.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.screening_contract import (
        CALENDAR_PUSH_WORKFLOW,
        PUSH_CALENDAR_PAGE_ACTIVITY,
        SHOWN_CASES,
        CalendarPage,
        CalendarPageResult,
        CalendarPushInput,
        CalendarPushResult,
    )

# A long push hands over to a fresh run (continue-as-new) after this many pages.
PAGES_PER_RUN = 200


@workflow.defn(name=CALENDAR_PUSH_WORKFLOW)
class CalendarPushWorkflow:
    @workflow.run
    async def run(self, request: CalendarPushInput) -> CalendarPushResult:
        after, pushed, unanswered = request.after, request.pushed, request.unanswered
        shown = list(request.case_ids)
        for _ in range(PAGES_PER_RUN):
            page: CalendarPageResult = await workflow.execute_activity(
                PUSH_CALENDAR_PAGE_ACTIVITY,
                CalendarPage(after=after),
                result_type=CalendarPageResult,
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
            )
            pushed += len(page.pushed)
            unanswered += page.unanswered
            shown += page.pushed[: max(0, SHOWN_CASES - len(shown))]
            if page.last is None:
                return CalendarPushResult(
                    pushed=pushed, unanswered=unanswered, case_ids=tuple(shown)
                )
            after = page.last
        workflow.continue_as_new(
            CalendarPushInput(
                after=after, pushed=pushed, unanswered=unanswered, case_ids=tuple(shown)
            )
        )
