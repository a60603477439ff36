"""The live timeline (``GET /v1/cases/{id}/timeline``) needs the Chinese event summaries only:
importing the case routes must not load the PDF library (reportlab) the dossier prints with."""

from __future__ import annotations

import subprocess
import sys

import pytest

_LOADED = (
    "import sys, {module}; print(any(name.split('.')[0] == 'reportlab' for name in sys.modules))"
)


def _loads_reportlab(module: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", _LOADED.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip() == "True"


@pytest.mark.parametrize(
    "module", ["api.routes.cases", "api.services.cases", "domain.case.summaries"]
)
def test_the_timeline_path_does_not_import_the_pdf_code(module: str) -> None:
    assert not _loads_reportlab(module), f"importing {module} loads reportlab"


def test_the_check_sees_the_pdf_code_when_it_is_imported() -> None:
    assert _loads_reportlab("activities.reports.pdf.document")
