"""The case page's 承办单位与转办交办 section, from the case document (no browser)."""

from __future__ import annotations

from typing import Any

from api.console.case_view import handoff_view

_AT = {"at": "2026-12-06T10:00:00Z", "by": "张桂兰 (jn-zhangguilan)"}
_ROOM = {"org_id": "jn-labour-room", "name": "江宁区劳动争议调解室", "level": "county"}
_TOWN = {"org_id": "jn-ds-center", "name": "东山街道综治中心", "level": "town"}


def _document(*handoffs: dict[str, Any]) -> dict[str, Any]:
    return {"center_id": "jn-sf-committee", "holder": _ROOM, "handoffs": list(handoffs)}


def test_the_registration_line_names_the_registering_organisation_and_the_routed_one() -> None:
    registered = {"kind": "case_registered", "organisation": _ROOM, "recorded": _AT}
    view = handoff_view(_document(registered), "上坊社区人民调解委员会")
    [line] = view.log
    assert (line["label"], line["text"]) == (
        "登记",
        "上坊社区人民调解委员会，分流至 江宁区劳动争议调解室",
    )
    # A registrar not (or no longer) in the registry: the line still says where it was routed.
    [line] = handoff_view(_document(registered)).log
    assert line["text"] == "分流至 江宁区劳动争议调解室"


def test_a_recalled_transfer_is_labelled_in_the_log() -> None:
    recalled = {
        "kind": "transfer_recalled",
        "organisation": _TOWN,
        "from_organisation": _ROOM,
        "reason": "转错单位",
        "recorded": _AT,
    }
    [line] = handoff_view(_document(recalled)).log
    assert line["label"] == "撤回转办"
    assert "text" not in line
