"""Composition root: settings → client → activities → Worker; and the ``fengqiao`` entry point.

The subcommands live in ``api/cli``; this module only builds what needs every layer at once
(the workflow classes next to their activities) and hands it to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.worker import PollerBehaviorSimpleMaximum, UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.audit.history_archive import archive_periodically
from activities.files.store import file_store
from activities.identity.refused_commands import RefusalRecorder
from activities.notify.outbound import OutboundPolicy
from activities.policy.book import PolicyBook
from activities.policy.calendar_data import load_calendar
from activities.policy.indicators import load_indicators
from activities.policy.screening import load_screening_policy
from activities.reports.documents.templates import load_templates
from activities.runtime.command_guard import CommandGuard
from activities.runtime.engine_keys import engine_keys
from activities.runtime.log_context import ActivityLogContext
from activities.runtime.party_keys import party_keyring
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect_with_retry, metrics_runtime
from activities.store.engine import create_engine, create_sessionmaker
from activities.tasks.calendar_push import CalendarPusher
from activities.tasks.delivery import Notifier
from activities.tasks.diversion import Diversions
from activities.tasks.documents import DocumentNumbers
from activities.tasks.ledger_import import LedgerImports
from activities.tasks.monthly_reports import MonthlyReports
from activities.tasks.policy import PolicyProvider
from activities.tasks.projection import CaseStore
from activities.tasks.schedules import ensure_schedules
from activities.tasks.screening import ScreeningDuties
from api import cli
from workflows.calendar_push import CalendarPushWorkflow
from workflows.case_workflow import CaseWorkflow
from workflows.diversion import DiversionWorkflow
from workflows.ledger_import import LedgerImportWorkflow
from workflows.monthly_report import MonthlyReportWorkflow
from workflows.screening import ScreeningDutyWorkflow, ScreeningPeriodWorkflow

log = structlog.get_logger("fengqiao.worker")

# Every workflow this deployment runs (and replays): the worker registers them, audit replays them.
WORKFLOWS: tuple[type, ...] = (
    CaseWorkflow,
    DiversionWorkflow,
    ScreeningPeriodWorkflow,
    ScreeningDutyWorkflow,
    CalendarPushWorkflow,
    LedgerImportWorkflow,
    MonthlyReportWorkflow,
)


def case_activities(
    engine: AsyncEngine,
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    projection_engine: AsyncEngine | None = None,
) -> list[Any]:
    """The real activities: projection store, policy snapshot, alert notifier, 文号.
    ``projection_engine``: the projection's own pool (its statements go by key: see
    ``create_engine``'s ``custom_plans``)."""
    # The templates are checked here too: a worker with a broken template set does not start.
    prefixes = load_templates(settings.document_templates_dir).prefixes
    store = CaseStore(
        projection_engine or engine,
        search_key=settings.search_hash_key,
        party_hash_key=party_keyring(settings).current_key,
    )
    return [
        store.project_case_events,
        policy_provider(settings).load_case_policy,
        Notifier(
            create_sessionmaker(engine), http, policy=OutboundPolicy.from_settings(settings)
        ).deliver_alert,
        DocumentNumbers(create_sessionmaker(engine), prefixes).assign_document_number,
    ]


def diversion_activities(engine: AsyncEngine, client: Client, settings: Settings) -> list[Any]:
    """The steps of a diversion (访调对接): they reach other cases through the Temporal client."""
    steps = Diversions(create_sessionmaker(engine), client, settings)
    return [steps.reserve_dispute_number, steps.record_diversion, steps.open_diverted_dispute]


def ledger_activities(engine: AsyncEngine, client: Client, settings: Settings) -> list[Any]:
    """台账导入: batches of rows registered through intake (the kept file in the file store)."""
    imports = LedgerImports(create_sessionmaker(engine), client, file_store(settings), settings)
    return [imports.import_ledger_batch, imports.finish_ledger_import]


def report_activities(engine: AsyncEngine, settings: Settings) -> list[Any]:
    """The monthly report's (月报): the places that report, and one place's report made."""
    reports = MonthlyReports(
        create_sessionmaker(engine),
        file_store(settings),
        load_indicators(settings.policy_dir),
        settings.pdf_font_path,
    )
    return [reports.report_places, reports.make_monthly_report]


def recurring_activities(engine: AsyncEngine, client: Client, settings: Settings) -> list[Any]:
    """排查 duties (opened per period, recorded as their workflows decide) and the holiday-data
    push: they reach other workflows through the Temporal client."""
    sessionmaker = create_sessionmaker(engine)
    duties = ScreeningDuties(
        sessionmaker,
        client,
        load_screening_policy(settings.screening_policy_file),
        settings.task_queue,
    )
    pusher = CalendarPusher(client, sessionmaker, load_calendar(settings.calendar_dir))
    return [duties.open_screening_duties, duties.record_screening_duty, pusher.push_calendar_page]


def policy_provider(settings: Settings) -> PolicyProvider:
    """Policy files and holiday data are read and validated once, when the worker starts."""
    return PolicyProvider(
        PolicyBook.load(settings.policy_dir, settings.policy_file),
        load_calendar(settings.calendar_dir),
    )


def command_guard(settings: Settings, recorder: RefusalRecorder) -> CommandGuard:
    """The check of the API's signature on every command, with the keys from settings."""
    return CommandGuard(
        engine_keys(settings).command,
        recorder.put,
        required=settings.command_signatures_required,
        max_age=timedelta(seconds=settings.command_max_age_seconds),
    )


def build_worker(
    client: Client,
    task_queue: str,
    activities: Sequence[Any],
    *,
    guard: CommandGuard | None = None,
    max_cached_workflows: int = 1000,
    sandboxed: bool = False,
) -> Worker:
    """The worker; ``guard`` checks the API's signature on every command (the deployed worker
    always has one; a test of workflow code alone may leave it out).

    Workflows run outside the SDK's sandbox: it re-imports the workflow's modules for every new
    run and enters itself for every payload the codec seals (a fifth of the worker's CPU per
    command, ``make bench``). Determinism is kept by what workflow code may import (the import
    contracts), by replaying every recorded history in the sandbox (the Replayer's default) and
    by the case workflow's own tests, which run ``sandboxed``."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=list(activities),
        # Activities' log lines name their workflow; the guard checks every command's signature.
        interceptors=[ActivityLogContext(), *([guard] if guard is not None else [])],
        max_cached_workflows=max_cached_workflows,
        # A new case's first workflow task (intake) comes on the shared queue, whose partitions
        # the SDK's default (one poller of five) waited on; five each way took API p99 from
        # 325–375 to 282–284 ms in make bench (bench/README.md).
        nonsticky_to_sticky_poll_ratio=1.0,
        workflow_task_poller_behavior=PollerBehaviorSimpleMaximum(maximum=10),
        workflow_runner=SandboxedWorkflowRunner() if sandboxed else UnsandboxedWorkflowRunner(),
    )


async def run_worker(settings: Settings) -> None:
    engine = create_engine(
        settings.resolved_database_url, pool_size=settings.db_pool_size, pre_ping=False
    )
    projection_engine = create_engine(
        settings.resolved_database_url,
        pool_size=settings.db_pool_size,
        pre_ping=False,
        custom_plans=False,
    )
    # The SDK's metrics for Prometheus on the worker's metrics port (when one is set).
    client = await connect_with_retry(settings, runtime=metrics_runtime(settings))
    http = httpx.AsyncClient(timeout=15)
    activities = (
        case_activities(engine, settings, http, projection_engine=projection_engine)
        + diversion_activities(engine, client, settings)
        + recurring_activities(engine, client, settings)
        + ledger_activities(engine, client, settings)
    )
    activities += report_activities(engine, settings)
    if settings.create_schedules:
        # Idempotent: a schedule that exists keeps its state (an administrator's pause).
        created = await ensure_schedules(
            client, load_screening_policy(settings.screening_policy_file), settings.task_queue
        )
        log.info("schedules_ensured", created=created)
    recorder = RefusalRecorder(create_sessionmaker(engine))
    worker = build_worker(
        client,
        settings.task_queue,
        activities,
        guard=command_guard(settings, recorder),
        max_cached_workflows=settings.worker_max_cached_workflows,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info(
        "worker_started",
        task_queue=settings.task_queue,
        temporal=settings.temporal_address,
        metrics_port=settings.worker_metrics_port or None,
    )
    # What exists now (modules, workflow definitions, pools) lives as long as the process: out of
    # the collector's way. A command makes thousands of short-lived objects (states, payloads):
    # a younger generation ten times the default is collected a tenth as often (the collector
    # took about 8 % of the worker's CPU per command with the defaults).
    gc.freeze()
    gc.set_threshold(7000, 10, 10)
    async with worker:
        refusals = asyncio.create_task(recorder.run(), name="refused-commands")
        # Keeps closed case histories past Temporal's retention; 0 turns it off in this process.
        archiver = (
            asyncio.create_task(
                archive_periodically(
                    client,
                    create_sessionmaker(engine),
                    interval_seconds=settings.archive_interval_seconds,
                ),
                name="history-archiver",
            )
            if settings.archive_interval_seconds > 0
            else None
        )
        await stop.wait()
        for task in (archiver, refusals):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    await http.aclose()
    await engine.dispose()
    await projection_engine.dispose()
    log.info("worker_stopped")


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, cli.Composition(workflows=WORKFLOWS, run_worker=run_worker))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
