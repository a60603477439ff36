"""``fengqiao calendar push``: newly published holiday data to cases with provisional clocks."""

from __future__ import annotations

from activities.policy.calendar_data import load_calendar
from activities.policy.calendar_push import push_calendar
from activities.runtime.settings import Settings
from activities.runtime.temporal_client import connect
from activities.store.engine import create_engine, create_sessionmaker


async def run_calendar_push(settings: Settings) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        client = await connect(settings)
        calendar = load_calendar(settings.calendar_dir)
        pushed = await push_calendar(client, create_sessionmaker(engine), calendar)
    finally:
        await engine.dispose()
    print(f"节假日数据 {calendar.version}：{len(pushed)} 件案件重算临时期限 / cases rescheduled")
    for case_id in pushed:
        print(f"  {case_id}")
    return 0
