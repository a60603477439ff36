"""``fengqiao audit``: verify the tamper-evident event chain, replay archived histories."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.common import RawValue
from temporalio.service import RPCError

from activities.audit.chain_audit import VerificationReport, all_case_ids, verify_case
from activities.audit.replay import ReplayReport, replay_case
from activities.files.store import file_store
from activities.reports import bundle_verify
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect, data_converter
from activities.store.engine import create_engine, create_sessionmaker
from api.cli.audit_checkpoint import (
    add_checkpoint_commands,
    checkpoint_cli,
    checkpoint_key_cli,
    verify_checkpoint_cli,
)
from api.cli.indicator_audit import add_indicator_audit, indicator_audit_cli
from domain.errors import UnknownCase
from workflows.contract import REPROJECT_SIGNAL, STATE_QUERY

CONNECT_TIMEOUT_SECONDS = 10.0


def add_audit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="审计: verify event chains, replay histories")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="check each case's hash chain and read model")
    verify.add_argument("cases", nargs="*", metavar="CASE", help="case ids, e.g. JF-2026-000001")
    verify.add_argument("--all", action="store_true", help="every case in the store")
    bundled = actions.add_parser(
        "verify-bundle", help="check a case bundle (zip) offline against its manifest"
    )
    bundled.add_argument("bundle", metavar="FILE")
    replay = actions.add_parser("replay", help="replay a case's recorded history (determinism)")
    replay.add_argument("case", metavar="CASE")
    reproject = actions.add_parser(
        "reproject", help="offer a case's held events to the store again (once it can take them)"
    )
    reproject.add_argument("cases", nargs="+", metavar="CASE")
    add_indicator_audit(actions)
    add_checkpoint_commands(actions)


def run_audit(args: argparse.Namespace, settings: Settings, workflows: Sequence[type]) -> int:
    """Exit status 0 when everything checked out, 1 when anything did not, 2 on bad usage."""
    if args.audit_command == "verify":
        if not args.cases and not args.all:
            _say("请指定案件编号或 --all / give case ids or --all")
            return 2
        return asyncio.run(verify_cli(settings, tuple(args.cases), every=args.all))
    if args.audit_command == "verify-bundle":
        return bundle_verify.main(["verify-bundle", args.bundle])
    if args.audit_command == "replay":
        return asyncio.run(replay_cli(settings, args.case, workflows=workflows))
    if args.audit_command == "reproject":
        return asyncio.run(reproject_cli(settings, tuple(args.cases)))
    if args.audit_command == "indicators":
        return asyncio.run(indicator_audit_cli(settings, args))
    if args.audit_command == "checkpoint":
        return asyncio.run(checkpoint_cli(settings, Path(args.out)))
    if args.audit_command == "verify-checkpoint":
        return asyncio.run(verify_checkpoint_cli(settings, Path(args.checkpoint), args.public_key))
    if args.audit_command == "checkpoint-key":
        return checkpoint_key_cli()
    return 2


def report_line(report: VerificationReport) -> str:
    """One line per case: Chinese first, English beside it."""
    head = report.head_hash[:16] if report.head_hash else "-"
    kept = len(report.superseded)
    if report.ok:
        # Events a lost attempt wrote, moved out of the chain as they were: said, not a failure.
        aside = (
            (f"，另有 {kept} 个已被取代的事件（原样保存）", f", {kept} superseded kept")
            if kept
            else ("", "")
        )
        return (
            f"{report.case_id}  正常：{report.events} 个事件，{report.files_checked} 个文件，"
            f"链头 {head}{aside[0]} / OK: {report.events} events, {report.files_checked} files, "
            f"head {head}{aside[1]}"
        )
    zh: list[str] = []
    en: list[str] = []
    altered = [e.seq for e in report.superseded if not e.intact]
    if altered:
        seqs = "、".join(str(seq) for seq in altered)
        zh.append(f"已被取代的第 {seqs} 号事件内容被改动")
        en.append(f"superseded event(s) {', '.join(map(str, altered))} altered")
    broken = report.first_broken
    if broken is not None:
        zh.append(f"事件链断裂于第 {broken.seq} 号事件（{broken.message_zh}）")
        en.append(f"chain broken at seq {broken.seq} [{broken.reason}]: {broken.message_en}")
    for problem in report.file_problems:
        if problem.problem == "missing":
            zh.append(f"材料「{problem.name}」缺失（{problem.sha256[:16]}）")
            en.append(f"file {problem.attachment_id} missing ({problem.sha256[:16]})")
        else:
            zh.append(f"材料「{problem.name}」内容被改动（{problem.sha256[:16]}）")
            en.append(f"file {problem.attachment_id} altered ({problem.sha256[:16]})")
    if not report.trail_complete:
        held = report.events
        zh.append(f"事件链不完整：存储 {held} 个事件，工作流已记至第 {report.workflow_seq} 号")
        en.append(
            f"trail incomplete: {held} events stored, the workflow is at {report.workflow_seq}"
        )
    if not report.read_model_matches:
        count = len(report.read_model_differences)
        zh.append(f"读模型与事件不一致（{count} 处）")
        en.append(f"read model differs from the events: {'; '.join(report.read_model_differences)}")
    return f"{report.case_id}  异常：{'；'.join(zh)} / FAILED: {'; '.join(en)}"


async def _temporal(settings: Settings) -> Client | None:
    try:
        return await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT_SECONDS)
    except (RuntimeError, TimeoutError, RPCError) as error:
        _say(
            f"Temporal（{settings.temporal_address}）不可达，不核对工作流的事件序号 / "
            f"Temporal unreachable, the trail is not compared with the workflows: {error}"
        )
        return None


async def workflow_seq(client: Client | None, case_id: str) -> int | None:
    """The last seq the case's workflow recorded (None: no client, or the workflow is gone)."""
    if client is None:
        return None
    try:
        raw: RawValue = await asyncio.wait_for(
            client.get_workflow_handle(case_id).query(STATE_QUERY, result_type=RawValue),
            CONNECT_TIMEOUT_SECONDS,
        )
    except (RPCError, TimeoutError, WorkflowQueryFailedError):
        return None
    document = json.loads(raw.payload.data)
    return int(document["seq"]) if isinstance(document, dict) else None


async def verify_cli(settings: Settings, case_ids: tuple[str, ...], *, every: bool) -> int:
    """``fengqiao audit verify``: 0 when every case checked out, 1 otherwise."""
    engine = create_engine(settings.resolved_database_url, pool_size=1)
    sessions = create_sessionmaker(engine)
    client = await _temporal(settings)
    files = file_store(settings)
    try:
        wanted = list(dict.fromkeys(case_ids))
        if every:
            async with sessions() as session:
                known = await all_case_ids(session=session)
            wanted += [case_id for case_id in known if case_id not in wanted]
        failed = 0
        for case_id in wanted:
            async with sessions() as session:
                try:
                    report = await verify_case(
                        session, case_id, files, workflow_seq=await workflow_seq(client, case_id)
                    )
                except UnknownCase as error:
                    failed += 1
                    _say(f"{case_id}  异常：{error.message_zh} / FAILED: {error.message_en}")
                    continue
            failed += not report.ok
            _say(report_line(report))
        total = len(wanted)
        summary = f"共核验 {total} 件，异常 {failed} 件 / {total} cases verified, {failed} failed"
        _say(summary)
        return 1 if failed else 0
    finally:
        await engine.dispose()


async def reproject_cli(settings: Settings, case_ids: tuple[str, ...]) -> int:
    """``fengqiao audit reproject``: each case's workflow offers its held events to the store
    again (after the cause of the refusal was fixed); ``audit verify`` tells when they landed."""
    client = await _temporal(settings)
    if client is None:
        return 1
    failed = 0
    for case_id in case_ids:
        try:
            await client.get_workflow_handle(case_id).signal(REPROJECT_SIGNAL)
        except RPCError as error:
            failed += 1
            _say(f"{case_id}  无法通知工作流 / cannot signal the workflow: {error}")
            continue
        _say(f"{case_id}  已请求重新写入 / asked to project its held events again")
    return 1 if failed else 0


_SOURCE_LABEL = {"archive": "归档 archive", "live": "在线 live"}


async def replay_cli(settings: Settings, case_id: str, *, workflows: Sequence[type]) -> int:
    """Exit status 0 when every run of the case replays deterministically, 1 otherwise."""
    client: Client | None
    try:
        client = await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT_SECONDS)
    except (RuntimeError, TimeoutError, RPCError) as error:
        client = None
        _say(
            f"Temporal（{settings.temporal_address}）不可达，仅重放归档 / "
            f"Temporal unreachable, replaying the archive only: {error}"
        )
    engine = create_engine(settings.resolved_database_url)
    try:
        report = await replay_case(
            create_sessionmaker(engine),
            client,
            case_id,
            workflows=workflows,
            data_converter=data_converter(settings),
        )
    except Exception as error:  # the store is away or not migrated
        _say(f"无法读取历史归档 / cannot read the history archive: {type(error).__name__}: {error}")
        return 1
    finally:
        await engine.dispose()
    _print_report(report)
    return 0 if report.ok else 1


def _print_report(report: ReplayReport) -> None:
    for note in report.notes:
        _say(note)
    if report.error is not None:
        _say(f"重放失败 / replay failed: {report.error}")
        return
    _say(
        f"案件 {report.case_id}：{len(report.runs)} 次运行 / case {report.case_id}: "
        f"{len(report.runs)} run(s)"
    )
    for run in report.runs:
        head = f"  运行 run {run.run_id}（{_SOURCE_LABEL[run.source]}，{run.events} 个事件 events）"
        if run.skipped:
            _say(f"{head}：跳过，无已完成的工作流任务 / skipped, no completed workflow task")
        elif run.ok:
            _say(f"{head}：确定性重放通过 / replays deterministically")
        else:
            _say(f"{head}：重放失败 / replay FAILED: {run.error}")
    if report.ok:
        _say("结论：全部运行确定性重放通过 / result: every run replays deterministically")
    else:
        _say("结论：存在不确定性或重放失败 / result: NOT every run replays deterministically")


def _say(line: str) -> None:
    print(line, flush=True)
