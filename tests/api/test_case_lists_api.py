"""案件列表 over HTTP on both stores: the next deadline and whose, the holder, the parties;
by deadline; 我的在办; the export as CSV and xlsx (read back, masked, in the access trail);
the notice counts. A token in each test's titles keeps its cases apart from other tests'."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Any

import httpx
import openpyxl
import pytest

from activities.identity import access_trail
from tests.api.helpers import act, create_case, create_petition
from tests.conftest import Stack
from tests.samples import action_bodies, china_today

CLEAR = ("13812345678", "13987654321", "110101199003071233")


async def _three_cases(mediator: httpx.AsyncClient) -> tuple[str, list[dict[str, Any]]]:
    """A dispute only registered (no clock runs), a letter (acceptance due within 15 days) and a
    dispute accepted and planned for 王芳 (plan deadline 30 days on; mediation a month)."""
    token = f"T{uuid.uuid4().hex[:8]}"
    title = f"{token} 工资纠纷 联系13812345678"
    waiting = await create_case(mediator, title=title)
    letter = await create_petition(mediator, title=title)
    planned = await create_case(mediator, title=title)
    response = await act(mediator, planned["case_id"], "accept")
    assert response.status_code == 200, response.text
    response = await act(
        mediator, planned["case_id"], "plan", _plan(responsible_person_id="wangfang")
    )
    assert response.status_code == 200, response.text
    return token, [waiting, letter, planned]


def _plan(**chosen: str) -> dict[str, Any]:
    """The sample plan with its 责任人 chosen from the users (by id, no name typed)."""
    body = {
        k: v for k, v in action_bodies(china_today())["plan"].items() if k != "responsible_person"
    }
    return {**body, **chosen}


async def _ids(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get("/v1/cases", params=params)
    assert response.status_code == 200, response.text
    return [item["case_id"] for item in response.json()["items"]]


async def test_the_list_by_deadline_shows_whose_it_is_the_holder_and_the_parties(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    token, (waiting, letter, planned) = await _three_cases(mediator)
    by_deadline = await _ids(mediator, q=token, sort="deadline")
    # By hand: the letter's acceptance (15 days) before the plan's 30 days; no clock last.
    assert by_deadline == [letter["case_id"], planned["case_id"], waiting["case_id"]]
    newest_first = await _ids(mediator, q=token)
    assert newest_first == [planned["case_id"], letter["case_id"], waiting["case_id"]]

    items = (await mediator.get("/v1/cases", params={"q": token, "sort": "deadline"})).json()
    first, _, last = items["items"]
    assert first["next_due_at"] is not None
    assert first["next_due_org"] == "xw-center"  # the center must decide on acceptance
    assert first["next_due_name"]
    assert first["holder_id"] == "xw-center"
    assert last["next_due_at"] is None
    assert items["items"][2]["parties_label"] == "张伟 等2人"
    assert not any(value in str(items) for value in CLEAR)
    assert "138****5678" in first["title"]


async def test_holding_mine_and_my_organisations_open_cases_nearest_deadline_first(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator = clients["mediator"]
    token, (waiting, letter, planned) = await _three_cases(mediator)
    # 王芳 is the plan's responsible person of the third only, chosen by her user id; the case
    # records her name beside it.
    assert await _ids(mediator, q=token, holding="mine") == [planned["case_id"]]
    stored = (await mediator.get(f"/v1/cases/{planned['case_id']}")).json()
    assert (
        stored["plans"][-1]["responsible_person"],
        stored["plans"][-1]["responsible_person_id"],
    ) == ("王芳", "wangfang")
    # A plan naming 王芳 by hand only (no id) is not matched by name any more.
    hand = await create_case(mediator, title=f"{token} 手填责任人")
    assert (await act(mediator, hand["case_id"], "accept")).status_code == 200
    assert (await act(mediator, hand["case_id"], "plan")).status_code == 200
    assert await _ids(mediator, q=token, holding="mine") == [planned["case_id"]]
    # Another of the center's staff chosen: it is hers, not 王芳's.
    response = await act(mediator, hand["case_id"], "plan", _plan(responsible_person_id="chenjing"))
    assert response.status_code == 200, response.text
    assert await _ids(clients["center_admin"], q=token, holding="mine") == [hand["case_id"]]
    assert await _ids(mediator, q=token, holding="mine") == [planned["case_id"]]
    # A 包案领导 chosen by id finds the case in their own 我的在办.
    leader = _leader_body(leader_id="zhoujun")
    response = await act(mediator, hand["case_id"], "assign_package_leader", leader)
    assert response.status_code == 200, response.text
    county_leader = clients["county_leader"]
    assert await _ids(county_leader, q=token, holding="mine") == [hand["case_id"]]
    assert (await county_leader.get(f"/v1/cases/{hand['case_id']}")).json()["package_leaders"][-1][
        "leader_name"
    ] == "周军"
    # Held no longer once closed or withdrawn: back to the organisation's list below.
    response = await act(mediator, hand["case_id"], "withdraw")
    assert response.status_code == 200, response.text
    assert await _ids(county_leader, q=token, holding="mine") == []
    held = await _ids(mediator, q=token, holding="organisation")
    assert held == [letter["case_id"], planned["case_id"], waiting["case_id"]]
    response = await act(mediator, waiting["case_id"], "withdraw")
    assert response.status_code == 200, response.text
    assert await _ids(mediator, q=token, holding="organisation") == held[:2]
    # Another center's mediator holds none of them, names none of them, lists none of them.
    other = clients["other_mediator"]
    for holding in ("mine", "organisation"):
        assert await _ids(other, q=token, holding=holding) == []
    assert await _ids(other, q=token, sort="deadline") == []
    # A leader belongs to no organisation: no 单位在办, said in Chinese with the field.
    refused = await clients["county_leader"].get("/v1/cases", params={"holding": "organisation"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "holding"
    assert (await clients["county_leader"].get("/v1/cases", params={"holding": "mine"})).is_success


def _leader_body(**chosen: str) -> dict[str, Any]:
    sample = action_bodies(china_today())["assign_package_leader"]
    return {**{k: v for k, v in sample.items() if k != "leader_name"}, **chosen}


async def test_people_chosen_from_the_users_must_fit_the_case(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    """责任人: the holding organisation's active staff; 包案领导: a leader over the case's place.
    Anyone else is refused naming the field, in Chinese, and nothing changes."""
    mediator = clients["mediator"]
    case = await create_case(mediator, title=f"T{uuid.uuid4().hex[:8]} 选择人员")
    assert (await act(mediator, case["case_id"], "accept")).status_code == 200
    before = (await mediator.get(f"/v1/cases/{case['case_id']}")).json()
    for action, body, field in (
        ("plan", _plan(responsible_person_id="zhaolei"), "responsible_person_id"),
        ("plan", _plan(responsible_person_id="nobody"), "responsible_person_id"),
        ("plan", _plan(responsible_person_id="zhoujun"), "responsible_person_id"),
        ("assign_package_leader", _leader_body(leader_id="sunli"), "leader_id"),
        ("assign_package_leader", _leader_body(leader_id="wangfang"), "leader_id"),
    ):
        refused = await act(mediator, case["case_id"], action, body)
        assert refused.status_code == 422, (action, body, refused.text)
        assert refused.json()["field"] == field
        assert "没有用户" in refused.json()["message_zh"]
    # Neither an id nor a name: refused, asking for one.
    refused = await act(mediator, case["case_id"], "plan", _plan())
    assert refused.status_code == 422
    assert refused.json()["field"] == "responsible_person"
    after = (await mediator.get(f"/v1/cases/{case['case_id']}")).json()
    assert after["seq"] == before["seq"]


async def test_the_export_is_the_list_as_csv_and_xlsx_masked_and_recorded(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    mediator = clients["mediator"]
    token, (waiting, letter, planned) = await _three_cases(mediator)
    params = {"q": token, "sort": "deadline"}
    response = await mediator.get("/v1/cases/export", params={**params, "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["案件编号", "标题", "类别", "阶段", "当事人", "承办单位"]
    assert [row[0] for row in rows[1:]] == [
        letter["case_id"],
        planned["case_id"],
        waiting["case_id"],
    ]
    assert rows[3][6:9] == ["", "", ""]  # no clock runs: no deadline, nobody's
    assert rows[1][6].endswith("24:00")  # the end of the last day, as the law counts it
    assert rows[1][7]  # the clock's name
    assert rows[1][4].startswith("信访人")  # the letter's petitioner, by name only
    assert not any(value in response.text for value in CLEAR)

    xlsx = await mediator.get("/v1/cases/export", params={**params, "format": "xlsx"})
    assert xlsx.status_code == 200, xlsx.text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == rows
    assert "138****5678" in cells[1][1]

    async with stack.sessionmaker() as session:
        trail = await access_trail.query(
            jurisdiction_prefix="320102",
            case_id="",
            principal_id="wangfang",
            since=None,
            until=None,
            limit=50,
            session=session,
        )
    purposes = [t.purpose or "" for t in trail if t.endpoint.endswith("/export")]
    assert "导出案件列表（csv，3行）：检索，按期限" in purposes
    assert "导出案件列表（xlsx，3行）：检索，按期限" in purposes
    # The words searched are not written down (they may hold a personal number).
    assert not any(token in purpose for purpose in purposes)


async def test_a_mediator_of_another_center_exports_nothing_of_ours(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    token, _ = await _three_cases(clients["mediator"])
    other = clients["other_mediator"]
    response = await other.get("/v1/cases/export", params={"q": token, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only: not a line, not a count of ours
    assert token not in response.text


async def _notices(client: httpx.AsyncClient) -> dict[str, int]:
    response = await client.get("/v1/notices")
    assert response.status_code == 200, response.text
    body: dict[str, int] = response.json()
    return body


async def test_notices_count_new_alerts_transfers_and_due_items_within_reach_only(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    mediator, other = clients["mediator"], clients["other_mediator"]
    mine_before, theirs_before = await _notices(mediator), await _notices(other)
    assert set(mine_before) == {"alerts", "incoming", "due"}
    await create_case(mediator, risk_level="major")  # 重大矛盾纠纷直报: an alert at once
    for _ in range(100):
        if (await _notices(mediator))["alerts"] == mine_before["alerts"] + 1:
            break
        await asyncio.sleep(0.1)
    assert (await _notices(mediator))["alerts"] == mine_before["alerts"] + 1
    # Another center's mediator: not even a count of ours.
    assert await _notices(other) == theirs_before


@pytest.mark.parametrize("fmt", ["pdf", ""])
async def test_an_unknown_export_format_is_refused_with_the_field(
    clients: dict[str, httpx.AsyncClient], fmt: str
) -> None:
    response = await clients["mediator"].get("/v1/cases/export", params={"format": fmt})
    assert response.status_code == 422
    assert "format" in response.text
