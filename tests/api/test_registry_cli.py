"""``fengqiao registry load`` and ``show``: a file in, the registry out; a bad file refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activities.identity import principals
from activities.policy.routing import DEMO_REGISTRY
from activities.runtime.settings import Settings
from activities.store import registry as store
from activities.store.engine import create_engine, create_sessionmaker
from activities.store.migrate import upgrade, upgrade_async
from api.cli.demo_accounts import demo_keys
from worker import main


def test_the_registry_loads_from_a_file_and_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    upgrade(database)
    monkeypatch.setenv("FENGQIAO_DATABASE_URL", database)

    assert main(["registry", "load", str(DEMO_REGISTRY)]) == 0
    assert "14 个单位" in capsys.readouterr().out
    assert main(["registry", "load", str(DEMO_REGISTRY)]) == 0
    assert "0 个单位" in capsys.readouterr().out  # the second load changes nothing

    assert main(["registry", "show", "--under", "320102002"]) == 0
    shown = capsys.readouterr().out
    assert "孝陵卫街道综治中心" in shown
    assert "钟灵社区第二网格" in shown
    assert "郑永年" in shown  # the roster of 钟灵社区人民调解委员会
    assert "梅园新村街道综治中心" not in shown  # another town

    broken = json.loads(DEMO_REGISTRY.read_text(encoding="utf-8"))
    broken["organisations"][3]["parent_id"] = "xw-xlw-center"  # 长江路 under 孝陵卫's center
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    assert main(["registry", "load", str(bad)]) == 1
    refused = capsys.readouterr().out
    assert "organisations[3].jurisdiction_code" in refused
    assert "bad.json" in refused


async def test_the_demo_accounts_belong_to_the_demo_county(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    await upgrade_async(database)
    settings = Settings(database_url=database)
    first = await demo_keys(settings)
    again = await demo_keys(settings)  # a second run: same accounts, fresh keys
    assert set(first) == set(again)
    assert {"demo-mediator", "demo-leader", "demo-auditor"} <= set(first)  # the first three
    assert first["demo-mediator"] != again["demo-mediator"]
    engine = create_engine(database)
    try:
        async with create_sessionmaker(engine)() as session:
            # Each staff account belongs to the organisation of its kind in the demo county.
            for user_id, name in {
                "demo-mediator": "玄武区矛盾纠纷多元化解中心",
                "demo-town-mediator": "梅园新村街道综治中心",
                "demo-village-mediator": "长江路社区人民调解委员会",
                "demo-labour-mediator": "玄武区劳动争议调解室",
                "demo-hrss": "玄武区人力资源和社会保障局",
                "demo-grid-worker": "长江路社区人民调解委员会",
            }.items():
                user = await principals.get_user(user_id, session=session)
                assert user is not None
                center = await store.get_organisation(str(user.center_id), session=session)
                assert center is not None
                assert center.name == name, user_id
            grid_worker = await principals.get_user("demo-grid-worker", session=session)
            assert grid_worker is not None
            assert grid_worker.role == "grid_worker"
            assert grid_worker.grid_code == "320102001001001"  # 长江路社区第一网格
            labour = await store.list_mediators(org_id="xw-labour-room", session=session)
            assert {m.name for m in labour} == {"黄志刚", "马晓燕"}
    finally:
        await engine.dispose()
