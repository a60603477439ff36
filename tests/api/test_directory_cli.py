"""The operator's command line under 三员分立: the first security administrators are added there,
every act lands in the administration trail under the command line's name, and a password set
there is the user's to change at first sign-in."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from sqlalchemy import select

from activities.store.tables import AdminTrailRow, UserRow


def test_the_command_line_adds_security_admins_and_its_acts_are_in_the_trail(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from activities.store.engine import create_engine, create_sessionmaker
    from activities.store.migrate import upgrade
    from worker import main

    database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    upgrade(database)
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", database)
    for user_id in ("sec-a", "sec-b"):
        add = ["users", "add", user_id, "--name", "安全管理员", "--role", "security_admin"]
        assert main(add) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("运维设置的口令-2026\n"))
    assert main(["users", "set-password", "sec-a", "--password-stdin"]) == 0
    assert main(["keys", "create", "sec-b"]) == 0

    async def stored() -> tuple[bool, list[tuple[str, str, str]]]:
        engine = create_engine(database)
        try:
            async with create_sessionmaker(engine)() as session:
                user = await session.get(UserRow, "sec-a")
                assert user is not None
                rows = await session.scalars(select(AdminTrailRow).order_by(AdminTrailRow.id))
                trail = [(row.action, row.actor_id, row.target) for row in rows]
                return user.must_change_password, trail
        finally:
            await engine.dispose()

    must_change, trail = asyncio.run(stored())
    assert must_change  # someone else chose it: the user changes it at first sign-in
    assert trail == [
        ("role_model_split", "migration-0014", ""),
        ("user_created", "cli", "sec-a"),
        ("user_created", "cli", "sec-b"),
        ("password_set", "cli", "sec-a"),
        ("key_issued", "cli", "sec-b"),
    ]
