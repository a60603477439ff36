"""No log line written during the whole test suite holds a clear ID number or phone (issue 4).

Runs last: it reads the session's captured log (every record of this process, rendered exactly
as production renders it) and the log files of the processes the end-to-end tests started.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import structlog

from tests.privacy_samples import DESCRIPTION, TITLE, clear_personal_data

pytestmark = pytest.mark.last

CLEAR_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
CLEAR_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")


def _leaks(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        if CLEAR_ID.search(line) or CLEAR_MOBILE.search(line):
            found.append(f"{path.name}:{number + 1}: {line[:300]}")
    return found


def test_the_capture_masks_what_code_logs(captured_logs: Path) -> None:
    """The check below has teeth: a line that does log personal data arrives masked."""
    structlog.get_logger("hygiene").info(
        "party", id_number="320102199003071234", note="13812345678"
    )
    logging.getLogger("hygiene.stdlib").warning("call 13987654321 about 11010519491231002X")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = captured_logs.read_text(encoding="utf-8")
    for masked in ("3201**********1234", "138****5678", "139****4321", "1101**********002X"):
        assert masked in text


def test_the_capture_masks_numbers_in_every_written_form(captured_logs: Path) -> None:
    """Issue 16, finding 7: +86 and 0086 prefixes, groups with dashes or spaces, ID numbers in
    groups and landlines are masked in log lines too, structlog's and stdlib's alike."""
    structlog.get_logger("hygiene").info("case_text", title=TITLE, description=DESCRIPTION)
    logging.getLogger("hygiene.stdlib").warning("case text: %s %s", TITLE, DESCRIPTION)
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = [
        line
        for line in captured_logs.read_text(encoding="utf-8").splitlines()
        if "case_text" in line or "case text" in line
    ]
    assert len(lines) == 2
    for line in lines:
        assert "138-****-5678" in line
        assert clear_personal_data(line) == []


def test_no_log_line_of_the_suite_holds_clear_personal_data(
    captured_logs: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = sorted(tmp_path_factory.getbasetemp().glob("**/*.log"))
    assert captured_logs in files
    assert captured_logs.stat().st_size > 0
    leaks = [leak for path in files for leak in _leaks(path)]
    assert leaks == [], "\n".join(leaks[:20])
