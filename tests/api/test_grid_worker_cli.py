"""网格员 accounts from the command line: an organisation, and a registered grid of its area."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from activities.identity import principals
from domain.people.access import Role


def test_users_add_takes_a_grid_worker_with_a_grid_of_their_organisation(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from activities.policy.routing import DEMO_REGISTRY
    from activities.store.engine import create_engine, create_sessionmaker
    from activities.store.migrate import upgrade
    from worker import main

    database = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    upgrade(database)
    env = pytest.MonkeyPatch()
    env.setenv("FENGQIAO_DATABASE_URL", database)
    try:
        assert main(["registry", "load", str(DEMO_REGISTRY)]) == 0
        add = ["users", "add", "wxm", "--name", "王小明", "--role", "grid_worker"]
        committee = ["--center", "xw-cjl-committee"]  # 长江路社区人民调解委员会, 320102001001
        assert main([*add, *committee]) == 1  # no grid
        assert main([*add, *committee, "--grid", "320102001002001"]) == 1  # 大行宫's grid
        assert main([*add, *committee, "--grid", "320102001001009"]) == 1  # no such grid
        assert main([*add, "--grid", "320102001001001"]) == 1  # no organisation
        capsys.readouterr()
        assert main([*add, *committee, "--grid", "320102001001001"]) == 0
        assert main(["users", "list"]) == 0
        assert "网格 320102001001001" in capsys.readouterr().out
    finally:
        env.undo()

    async def stored() -> Any:
        engine = create_engine(database)
        try:
            async with create_sessionmaker(engine)() as session:
                row = await principals.get_user("wxm", session=session)
                assert row is not None
                return principals.principal_of(row)
        finally:
            await engine.dispose()

    principal = asyncio.run(stored())
    assert principal.role is Role.GRID_WORKER
    assert principal.grid_code == "320102001001001"
    assert principal.jurisdiction == "320102001001"  # the grid's village
    assert principal.may_register_at("320102001001")
    assert not principal.may_register_at("320102001002")
