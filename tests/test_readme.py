"""The README's front door: its HTTP example is a body the intake accepts, and its links lead to
files the repository holds."""

from __future__ import annotations

import re
from pathlib import Path

from api.schemas import IntakeRequest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_intake_example_is_a_body_the_api_accepts() -> None:
    text = README.read_text(encoding="utf-8")
    body = re.search(r"-d '(\{.*?\})'\n", text, flags=re.S)
    assert body is not None, "the README shows no intake body"
    request = IntakeRequest.model_validate_json(body.group(1))
    assert request.jurisdiction.code == "320102001001"
    assert request.applicants[0].phone == "13812345678"


def test_every_link_of_the_readme_leads_to_a_file_of_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+?)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not t.startswith("http")]
    assert local, "the README links nothing"
    missing = [t for t in local if not (README.parent / t).exists()]
    assert not missing, missing
