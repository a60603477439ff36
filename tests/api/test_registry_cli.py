"""``fengqiao registry load`` and ``show``: a file in, the registry out; a bad file refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activities.policy.routing import DEMO_REGISTRY
from activities.store.migrate import upgrade
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
