"""No module of the application is over 550 lines, so each can be read in one sitting (issue 17).

Walks every ``.py`` file of the four application packages (``domain``, ``workflows``,
``activities``, ``api``) and names each one over the limit with its length.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "workflows", "activities", "api")
LIMIT = 550


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def oversized(root: Path) -> list[str]:
    """``path: N lines`` for each module under the application packages of ``root`` over the
    limit, sorted by path."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if (n := _lines(path)) > LIMIT:
                found.append(f"{path.relative_to(root).as_posix()}: {n} lines")
    return sorted(found)


def test_the_packages_are_found() -> None:
    """The walk reads real modules (a renamed package would otherwise pass unnoticed)."""
    for package in PACKAGES:
        assert (REPO / package / "__init__.py").is_file(), package
        assert len(list((REPO / package).rglob("*.py"))) > 3, package


@pytest.mark.parametrize(("lines", "over"), [(LIMIT, False), (LIMIT + 1, True)])
def test_the_walk_names_a_module_over_the_limit(tmp_path: Path, lines: int, over: bool) -> None:
    nested = tmp_path / "api" / "console"
    nested.mkdir(parents=True)
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
    (nested / "long.py").write_text("x = 1\n" * lines, encoding="utf-8")
    expected = [f"api/console/long.py: {lines} lines"] if over else []
    assert oversized(tmp_path) == expected


def test_no_module_is_over_550_lines() -> None:
    found = oversized(REPO)
    assert not found, f"modules over {LIMIT} lines (split them by what they hold): " + "; ".join(
        found
    )
