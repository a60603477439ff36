"""Who may see and do what: every role × endpoint × in/out of reach (issue 4, acceptance 1–3).

The expected statuses are written out by hand here, from the issue's role descriptions, not
derived from the code's permission table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.api.helpers import act, create_case
from tests.ledger_files import ledger_file
from tests.principals import OTHER_COUNTY_PLACE, OTHER_TOWN_PLACE
from tests.samples import china_today, intake_body

# The smallest PNG (1×1): a photo the matrix uploads.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

ROLES = (
    "mediator",
    "center_admin",
    "town_leader",
    "county_leader",
    "auditor",
    "system_admin",
    "security_admin",
    "grid_worker",
    "anonymous",
)


@dataclass(frozen=True)
class Cases:
    own_town: dict[str, Any]  # A: 王芳's center, town 320102001
    other_center: dict[str, Any]  # B: another center, same town
    other_town: dict[str, Any]  # C: 王芳's center, town 320102002
    other_county: dict[str, Any]  # D: a center in 秦淮区
    reported: dict[str, Any]  # E: reported by the grid worker 王小明 from their grid


@pytest.fixture(scope="module")
async def cases(clients: dict[str, httpx.AsyncClient]) -> Cases:
    major = {"risk_level": "major"}  # raises an alert on each case (重大矛盾纠纷直报)
    found = Cases(
        own_town=await create_case(clients["mediator"], **major),
        other_center=await create_case(clients["other_mediator"], **major),
        other_town=await create_case(clients["mediator"], jurisdiction=OTHER_TOWN_PLACE, **major),
        other_county=await create_case(
            clients["far_mediator"], jurisdiction=OTHER_COUNTY_PLACE, **major
        ),
        reported=await _reported(clients["grid_worker"]),
    )
    # Each case's 人民调解申请书 issued by its own organisation (the documents rows print it).
    for who, case in (
        ("mediator", found.own_town),
        ("other_mediator", found.other_center),
        ("mediator", found.other_town),
        ("far_mediator", found.other_county),
    ):
        issued = await clients[who].post(
            f"/v1/cases/{case['case_id']}/documents", json={"kind": "application"}
        )
        assert issued.status_code == 201, issued.text
    return found


async def _reported(grid_worker: httpx.AsyncClient) -> dict[str, Any]:
    """A grid worker's report: they see its status (the case id among it)."""
    response = await grid_worker.post("/v1/cases", json=intake_body(risk_level="major"))
    assert response.status_code == 201, response.text
    status: dict[str, Any] = response.json()
    return status


def _in_and_out(role: str, cases: Cases) -> tuple[dict[str, Any], dict[str, Any]]:
    """For each role, one case inside its reach and one just outside it."""
    if role in ("mediator", "center_admin"):
        return cases.own_town, cases.other_center
    if role == "town_leader":
        return cases.own_town, cases.other_town
    if role == "grid_worker":
        return cases.reported, cases.own_town
    return cases.own_town, cases.other_county


# endpoint → role → (status for the case in reach, status for the case out of reach)
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "read": {
        "mediator": (200, 404),
        "center_admin": (200, 404),
        "town_leader": (200, 404),
        "county_leader": (200, 404),
        "auditor": (403, 403),  # auditors read through the audit endpoints, with a purpose
        "system_admin": (403, 403),  # 三员分立: keeps the system running, sees no case
        "security_admin": (403, 403),  # 三员分立: administers users, sees no case
        "grid_worker": (200, 404),  # 网格员
        "anonymous": (401, 401),
    },
    "reveal": {
        "mediator": (200, 404),
        "center_admin": (200, 404),
        "town_leader": (403, 403),
        "county_leader": (403, 403),
        "auditor": (403, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (403, 403),  # 网格员
        "anonymous": (401, 401),
    },
    "act": {
        "mediator": (200, 404),
        "center_admin": (200, 404),
        "town_leader": (403, 403),
        "county_leader": (403, 403),
        "auditor": (403, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (403, 403),  # 网格员
        "anonymous": (401, 401),
    },
    "alert": {
        "mediator": (200, 404),
        "center_admin": (200, 404),
        "town_leader": (200, 404),
        "county_leader": (200, 404),
        "auditor": (403, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (403, 403),  # 网格员
        "anonymous": (401, 401),
    },
    "ack": {
        "mediator": (403, 403),
        "center_admin": (403, 403),
        "town_leader": (200, 404),
        "county_leader": (200, 404),
        "auditor": (403, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (403, 403),  # 网格员
        "anonymous": (401, 401),
    },
    "intake": {  # in: a place inside the caller's area; out: another district
        "mediator": (201, 403),
        "center_admin": (201, 403),
        "town_leader": (403, 403),
        "county_leader": (403, 403),
        "auditor": (403, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (201, 403),  # 网格员
        "anonymous": (401, 401),
    },
}
# A grid worker follows the status of what they reported: not its clocks, not its timeline.
# 证据材料: who adds a file to the case (a grid worker: a photo to what they reported), and who
# lists the case's files (those who read the case; auditors through the bundle, grid workers not).
EXPECTED["upload"] = {
    "mediator": (201, 404),
    "center_admin": (201, 404),
    "town_leader": (403, 403),
    "county_leader": (403, 403),
    "auditor": (403, 403),
    "system_admin": (403, 403),
    "security_admin": (403, 403),
    "grid_worker": (201, 404),  # 网格员: photos of the report, on what they reported only
    "anonymous": (401, 401),
}
EXPECTED["files"] = {
    "mediator": (200, 404),
    "center_admin": (200, 404),
    "town_leader": (200, 404),
    "county_leader": (200, 404),
    "auditor": (403, 403),
    "system_admin": (403, 403),
    "security_admin": (403, 403),
    "grid_worker": (403, 403),
    "anonymous": (401, 401),
}
EXPECTED["clocks"] = {**EXPECTED["read"], "grid_worker": (403, 403)}
# The timeline is also an audit endpoint: auditors read it stating a purpose.
EXPECTED["timeline"] = {**EXPECTED["read"], "auditor": (200, 404), "grid_worker": (403, 403)}
_AUDIT_ONLY = {
    "mediator": (403, 403),
    "center_admin": (403, 403),
    "town_leader": (403, 403),
    "county_leader": (403, 403),
    "auditor": (200, 404),
    "system_admin": (403, 403),
    "security_admin": (403, 403),
    "grid_worker": (403, 403),
    "anonymous": (401, 401),
}
for _endpoint in ("verify", "state", "dossier"):
    EXPECTED[_endpoint] = _AUDIT_ONLY

# Hand-offs (转办 签收 退回 交办 反馈 上提 联合调处): each probe is one the case refuses when it
# comes from those who may send it (nothing awaits taking, a past deadline, the holder named as
# the target…), so the in-reach status is the case's refusal, 409 or 422, and nothing changes.
HANDOFF_PROBES: dict[str, tuple[str, dict[str, Any], int]] = {
    "transfer": ("transfer", {"to_organisation": "xw-center", "reason": "探测"}, 422),
    "take": ("take", {"note": "探测"}, 409),
    "return": ("return", {"reason": "探测"}, 409),
    "recall": ("recall", {"reason": "探测"}, 409),
    "assign": (
        "assign",
        {"department": "xw-hrss", "deadline": "2020-01-01", "instructions": "探测"},
        422,
    ),
    "report_back": ("report-back", {"assignment_no": 9, "result": "探测"}, 422),
    "lift": ("lift", {"to_organisation": "xw-center", "reason": "探测"}, 422),
    "co_handlers": ("co-handlers", {"organisation": "xw-center"}, 422),
    "co_handlers_remove": ("co-handlers/remove", {"organisation": "xw-hrss"}, 422),
}
for _endpoint, (_, _, _refused) in HANDOFF_PROBES.items():
    EXPECTED[_endpoint] = {
        "mediator": (_refused, 404),
        "center_admin": (_refused, 404),
        "town_leader": (403, 403),
        "county_leader": (403, 403),
        "auditor": (403, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (403, 403),
        "anonymous": (401, 401),
    }
# 撤回转办, by hand: only the holder's (the sender's) staff reach it; nothing awaits taking on the
# probe case, so the case refuses it with 409 and nothing changes. Leaders, auditors,
# administrators and grid workers never recall; another organisation's staff find no case.
EXPECTED["recall"] = {
    "mediator": (409, 404),
    "center_admin": (409, 404),
    "town_leader": (403, 403),
    "county_leader": (403, 403),
    "auditor": (403, 403),
    "system_admin": (403, 403),
    "security_admin": (403, 403),
    "grid_worker": (403, 403),
    "anonymous": (401, 401),
}

# 风险研判: the case's handlers and the leaders within reach (a major case reassessed major
# raises nothing new); 领导批示: leaders only; 落实反馈: the handling unit, probed with an
# instruction the case does not have (422, nothing changes).
_HANDLERS_AND_LEADERS = {
    "mediator": (200, 404),
    "center_admin": (200, 404),
    "town_leader": (200, 404),
    "county_leader": (200, 404),
    "auditor": (403, 403),
    "system_admin": (403, 403),
    "security_admin": (403, 403),
    "grid_worker": (403, 403),
    "anonymous": (401, 401),
}
EXPECTED["reassess"] = _HANDLERS_AND_LEADERS
EXPECTED["instruct"] = {**_HANDLERS_AND_LEADERS, "mediator": (403, 403), "center_admin": (403, 403)}
EXPECTED["answer_instruction"] = {
    **EXPECTED["act"],
    "mediator": (422, 404),
    "center_admin": (422, 404),
}
# 挂牌督办: leaders within reach, of a level the policy allows (county: the town leader is refused
# by the case, 403), probed with a past deadline so the case refuses it (422, nothing changes);
# 摘牌: the probe case is not listed (409). Never the case's staff or anyone else.
_LEADERS_ONLY = {**_HANDLERS_AND_LEADERS, "mediator": (403, 403), "center_admin": (403, 403)}
EXPECTED["list_case"] = {**_LEADERS_ONLY, "town_leader": (403, 404), "county_leader": (422, 404)}
EXPECTED["delist_case"] = {**_LEADERS_ONLY, "town_leader": (409, 404), "county_leader": (409, 404)}
# 调解会排期: sent by the holder's staff like any command; each probe is refused by the case
# (a registered case books no session yet: 409; it has no booked session 9 to cancel: 422).
SESSION_PROBES: dict[str, tuple[str, dict[str, Any], int]] = {
    "session_schedule": (
        "sessions/schedule",
        {"starts_at": "2030-01-07T09:30:00+08:00", "place": "调解室", "mediators": ["王芳"]},
        409,
    ),
    "session_postpone": (
        "sessions/postpone",
        {"schedule_no": 9, "starts_at": "2030-01-08T09:30:00+08:00", "reason": "探测"},
        409,
    ),
    "session_cancel": ("sessions/cancel", {"schedule_no": 9, "reason": "探测"}, 422),
}
for _endpoint in SESSION_PROBES:
    # 200 here: the case judged the probe on its merits (see ``_reached``), past every reach check.
    EXPECTED[_endpoint] = {
        "mediator": (200, 404),
        "center_admin": (200, 404),
        "town_leader": (403, 403),
        "county_leader": (403, 403),
        "auditor": (403, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (403, 403),
        "anonymous": (401, 401),
    }

# The same parties' other cases, from a case (同一当事人的其他案件): those who read the case
# itself, not auditors (they read through the audit endpoints) nor grid workers.
EXPECTED["related"] = {
    "mediator": (200, 404),
    "center_admin": (200, 404),
    "town_leader": (200, 404),
    "county_leader": (200, 404),
    "auditor": (403, 403),
    "system_admin": (403, 403),
    "security_admin": (403, 403),
    "grid_worker": (403, 403),
    "anonymous": (401, 401),
}

# 文书: issued by the organisation acting on the case (an issue of unchanged content answers 200,
# a reprint); listed and printed by those who read the case (masked); printed in clear by those
# who may reveal (recorded). Auditors read the documents through the audit endpoints.
EXPECTED["documents_issue"] = {**EXPECTED["act"]}
EXPECTED["documents_list"] = {**EXPECTED["related"]}
EXPECTED["documents_pdf"] = {**EXPECTED["related"]}
EXPECTED["documents_docx_reveal"] = {**EXPECTED["reveal"]}
# 检索 (the search box, ``GET /v1/cases?q=<case number>``): 200 when the search finds the case,
# 404 here when it answers 200 with nothing at all (no line, no cursor, no count) — a mediator
# of another organisation finds nothing of ours.
EXPECTED["search"] = {
    "mediator": (200, 404),
    "center_admin": (200, 404),
    "town_leader": (200, 404),
    "county_leader": (200, 404),
    "auditor": (200, 404),  # lists (masked), within the county
    "system_admin": (403, 403),
    "security_admin": (403, 403),
    "grid_worker": (403, 403),  # no lists: the status of each report, one by one
    "anonymous": (401, 401),
}

# Endpoints without a particular case: role → status.
UNSCOPED: dict[str, dict[str, int]] = {
    "list": {
        "mediator": 200,
        "center_admin": 200,
        "town_leader": 200,
        "county_leader": 200,
        "auditor": 200,
        "system_admin": 403,
        "security_admin": 403,
        "grid_worker": 403,  # no lists: the status of each report, one by one
        "anonymous": 401,
    },
    "alerts": {
        "mediator": 200,
        "center_admin": 200,
        "town_leader": 200,
        "county_leader": 200,
        "auditor": 403,
        "system_admin": 403,
        "security_admin": 403,
        "grid_worker": 403,
        "anonymous": 401,
    },
    "recipients": {
        "mediator": 403,
        "center_admin": 403,
        "town_leader": 403,
        "county_leader": 403,
        "auditor": 403,
        "system_admin": 200,
        "security_admin": 403,  # 督办接收人 are the system administrator's
        "grid_worker": 403,
        "anonymous": 401,
    },
}
UNSCOPED["stats"] = UNSCOPED["list"]
# 导出 and 我的在办: whoever lists cases, within the same reach as the list.
UNSCOPED["export"] = {
    "mediator": 200,
    "center_admin": 200,
    "town_leader": 200,
    "county_leader": 200,
    "auditor": 200,  # the lists auditors read, masked as they read them
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
# 台账: the ledger export is the list's (same reach); importing registers cases, so only an
# organisation's staff import, and they alone follow their organisation's imports.
UNSCOPED["ledger_export"] = {**UNSCOPED["export"]}
UNSCOPED["ledger_import"] = {
    "mediator": 202,
    "center_admin": 202,
    "town_leader": 403,
    "county_leader": 403,
    "auditor": 403,
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
UNSCOPED["ledger_imports"] = {
    **UNSCOPED["ledger_import"],
    "mediator": 200,
    "center_admin": 200,
}
UNSCOPED["holding_mine"] = {
    "mediator": 200,
    "center_admin": 200,
    "town_leader": 200,
    "county_leader": 200,
    "auditor": 200,  # names no auditor: an empty list
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
# 待办: an organisation's staff and leaders have a worklist; nobody else does.
UNSCOPED["worklist"] = {
    "mediator": 200,
    "center_admin": 200,
    "town_leader": 200,
    "county_leader": 200,
    "auditor": 403,
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
# 提醒数: whoever has a worklist (counts of their own alerts, transfers and due items).
UNSCOPED["notices"] = {
    "mediator": 200,
    "center_admin": 200,
    "town_leader": 200,
    "county_leader": 200,
    "auditor": 403,
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
# 领导批示 within the leader's jurisdiction: leaders only.
UNSCOPED["instructions"] = {
    **UNSCOPED["worklist"],
    "mediator": 403,
    "center_admin": 403,
}
# 领导接访: leaders keep their reception logs and register cases from them; auditors read them
# stating a purpose; nobody else (an unknown reception: 404 for its readers, 403 for the rest).
UNSCOPED["receptions"] = {**UNSCOPED["instructions"], "auditor": 200}
UNSCOPED["reception_record"] = {
    **UNSCOPED["instructions"],
    "town_leader": 201,
    "county_leader": 201,
}
UNSCOPED["reception_read"] = {**UNSCOPED["receptions"], "town_leader": 404, "county_leader": 404}
UNSCOPED["reception_read"]["auditor"] = 404
UNSCOPED["reception_register"] = {
    **UNSCOPED["instructions"],
    "town_leader": 404,
    "county_leader": 404,
}
# 约谈/通报: leaders record them; leaders and auditors read them (an auditor with a purpose).
UNSCOPED["accountability_record"] = {
    **UNSCOPED["instructions"],
    "town_leader": 201,
    "county_leader": 201,
}
UNSCOPED["accountability"] = {**UNSCOPED["instructions"], "auditor": 200}
# 重点人员: the roles the register's policy data names (leaders and auditors), nobody else; an
# unknown entry or number: 404 for them. Only leaders enter persons.
UNSCOPED["watched"] = {**UNSCOPED["accountability"]}
UNSCOPED["watched_read"] = {**UNSCOPED["watched"], "town_leader": 404, "county_leader": 404}
UNSCOPED["watched_read"]["auditor"] = 404
UNSCOPED["watched_lookup"] = {**UNSCOPED["watched_read"]}
UNSCOPED["watched_record"] = {**UNSCOPED["reception_record"]}
# 调解日程: the agenda of an organisation's staff, and of leaders over their area.
UNSCOPED["sessions"] = {**UNSCOPED["worklist"]}
# Same parties at intake: who registers or oversees cases; never auditors or grid workers.
UNSCOPED["parties"] = {**UNSCOPED["worklist"]}
# The registry holds no personal data: every signed-in role reads it but grid workers.
UNSCOPED["organisations"] = {
    "mediator": 200,
    "center_admin": 200,
    "town_leader": 200,
    "county_leader": 200,
    "auditor": 200,
    "system_admin": 200,
    "security_admin": 200,  # names a new user's organisation
    "grid_worker": 403,
    "anonymous": 401,
}
# 分流建议: for those who register a case and choose where it goes.
UNSCOPED["routing"] = {
    "mediator": 200,
    "center_admin": 200,
    "town_leader": 403,
    "county_leader": 403,
    "auditor": 403,
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
# 排查: a unit's staff see their duties, leaders their area's; 专项排查 is the leaders' (in
# their area: 梅园新村街道 lies in both leaders'); the Schedules are the system administrator's.
UNSCOPED["duties"] = {
    "mediator": 200,
    "center_admin": 200,
    "town_leader": 200,
    "county_leader": 200,
    "auditor": 403,
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
UNSCOPED["sweep"] = {
    "mediator": 403,
    "center_admin": 403,
    "town_leader": 201,
    "county_leader": 201,
    "auditor": 403,
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
UNSCOPED["schedules"] = {**UNSCOPED["recipients"]}

# 三员分立: the trails are the auditors' (each read recorded), the directory and its requests the
# security administrators' (a center admin: their own staff and requests), approvals only theirs.
UNSCOPED["access_trail"] = {
    "mediator": 403,
    "center_admin": 403,
    "town_leader": 403,
    "county_leader": 403,
    "auditor": 200,
    "system_admin": 403,
    "security_admin": 403,
    "grid_worker": 403,
    "anonymous": 401,
}
UNSCOPED["admin_trail"] = {**UNSCOPED["access_trail"]}
UNSCOPED["users"] = {
    "mediator": 403,
    "center_admin": 200,
    "town_leader": 403,
    "county_leader": 403,
    "auditor": 403,
    "system_admin": 403,  # no longer the directory's keeper
    "security_admin": 200,
    "grid_worker": 403,
    "anonymous": 401,
}
UNSCOPED["requests"] = {**UNSCOPED["users"]}
# 关联调解员名册: whoever manages the user (the probe unlinks 王芳, who is linked to nothing).
UNSCOPED["mediator_link"] = {**UNSCOPED["users"]}
UNSCOPED["approve"] = {  # an unknown request: 404 for who may approve, 403 for everyone else
    "mediator": 403,
    "center_admin": 403,
    "town_leader": 403,
    "county_leader": 403,
    "auditor": 403,
    "system_admin": 403,
    "security_admin": 404,
    "grid_worker": 403,
    "anonymous": 401,
}


async def _call(client: httpx.AsyncClient, endpoint: str, case: dict[str, Any]) -> httpx.Response:
    case_id = case["case_id"]
    alert_id = f"{case_id}-A1"
    # A key is each caller's own: the second caller allowed to act sends the command again, and
    # the case refuses it (409) as already done — it reached the case (see _reached).
    key = {"Idempotency-Key": f"matrix-{endpoint}-{case_id}"}
    if endpoint == "read":
        return await client.get(f"/v1/cases/{case_id}")
    if endpoint == "reveal":
        return await client.get(f"/v1/cases/{case_id}", params={"reveal": "true"})
    if endpoint in ("timeline", "verify", "state", "dossier"):
        return await client.get(f"/v1/cases/{case_id}/{endpoint}", params={"purpose": "矩阵测试"})
    if endpoint == "clocks":
        return await client.get(f"/v1/cases/{case_id}/clocks")
    if endpoint == "act":
        return await client.post(f"/v1/cases/{case_id}/accept", json={"note": "受理"}, headers=key)
    if endpoint == "alert":
        return await client.get(f"/v1/alerts/{alert_id}")
    if endpoint == "upload":
        photo = ("现场.png", PNG_1X1, "image/png")
        return await client.post(
            f"/v1/cases/{case_id}/attachments", files={"file": photo}, data={"step": "report"}
        )
    if endpoint == "files":
        return await client.get(f"/v1/cases/{case_id}/attachments")
    if endpoint == "ack":
        return await client.post(f"/v1/alerts/{alert_id}/ack", json={"note": "已阅"}, headers=key)
    if endpoint == "related":
        return await client.get(f"/v1/cases/{case_id}/related")
    if endpoint == "reassess":
        body = {"risk_level": "major", "flags": {}, "reasons": "矩阵测试"}
        return await client.post(f"/v1/cases/{case_id}/risk-assessments", json=body)
    if endpoint == "instruct":
        return await client.post(f"/v1/cases/{case_id}/instructions", json={"text": "矩阵测试"})
    if endpoint == "answer_instruction":
        body = {"instruction_no": 99, "result": "探测"}
        return await client.post(f"/v1/cases/{case_id}/instructions/answer", json=body)
    if endpoint == "list_case":
        body = {"deadline": "2020-01-01", "supervising_unit": "xw-county-center", "reason": "探测"}
        return await client.post(f"/v1/cases/{case_id}/listing", json=body)
    if endpoint == "delist_case":
        return await client.post(f"/v1/cases/{case_id}/delisting", json={"note": "探测"})
    if endpoint == "documents_issue":
        documents = f"/v1/cases/{case_id}/documents"
        return await client.post(documents, json={"kind": "application"}, headers=key)
    if endpoint == "documents_list":
        return await client.get(f"/v1/cases/{case_id}/documents")
    if endpoint == "documents_pdf":
        return await client.get(f"/v1/cases/{case_id}/documents/application/pdf")
    if endpoint == "documents_docx_reveal":
        return await client.get(
            f"/v1/cases/{case_id}/documents/application/docx", params={"reveal": "true"}
        )
    if endpoint == "search":
        response = await client.get("/v1/cases", params={"q": case_id})
        if response.status_code != 200:
            return response
        found = response.json()
        if found == {"items": [], "next_cursor": None}:
            return httpx.Response(404)
        assert [item["case_id"] for item in found["items"]] == [case_id], found
        return response
    if endpoint in HANDOFF_PROBES or endpoint in SESSION_PROBES:
        path, body, _ = {**HANDOFF_PROBES, **SESSION_PROBES}[endpoint]
        return await client.post(f"/v1/cases/{case_id}/{path}", json=body, headers=key)
    raise AssertionError(endpoint)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
async def test_role_endpoint_reach_matrix(
    clients: dict[str, httpx.AsyncClient], cases: Cases, role: str, endpoint: str
) -> None:
    client = clients[role]
    expected_in, expected_out = EXPECTED[endpoint][role]
    if endpoint == "intake":
        inside = intake_body(title=f"矩阵测试{uuid.uuid4().hex[:6]}")
        outside = intake_body(jurisdiction=OTHER_COUNTY_PLACE)
        got_in = (await client.post("/v1/cases", json=inside)).status_code
        got_out = (await client.post("/v1/cases", json=outside)).status_code
    else:
        case_in, case_out = _in_and_out(role, cases)
        got_in = _reached(endpoint, (await _call(client, endpoint, case_in)).status_code)
        got_out = (await _call(client, endpoint, case_out)).status_code
    assert (got_in, got_out) == (expected_in, expected_out)


def _reached(endpoint: str, status: int) -> int:
    """The second of two callers allowed to accept or acknowledge finds it done (409: the case
    refused it by its stage, past every reach check) — allowed, as 200 says for the first."""
    if endpoint in ("act", "ack") and status == 409:
        return 200
    # A session probe meets the shared case at whatever stage earlier probes left it: booked
    # (200), refused by its stage (409) or by its body (422, an unknown booking) — each an answer
    # of the case itself, reached past every reach check.
    if endpoint in SESSION_PROBES and status in (200, 409, 422):
        return 200
    return status


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(UNSCOPED))
async def test_role_unscoped_endpoint_matrix(
    clients: dict[str, httpx.AsyncClient], cases: Cases, role: str, endpoint: str
) -> None:
    client = clients[role]
    if endpoint == "list":
        response = await client.get("/v1/cases")
    elif endpoint == "stats":
        response = await client.get("/v1/cases/stats")
    elif endpoint == "export":
        response = await client.get("/v1/cases/export", params={"format": "csv"})
    elif endpoint == "holding_mine":
        response = await client.get("/v1/cases", params={"holding": "mine"})
    elif endpoint == "ledger_export":
        response = await client.get("/v1/cases/ledger")
    elif endpoint == "ledger_import":
        # A one-row ledger of the role's own (a new file for each: a new import each time).
        ledger = ledger_file(1, 0, seed=ROLES.index(role) + 1000)
        response = await client.post(
            "/v1/ledger/imports",
            files={"file": (f"{role}.xlsx", ledger.data, "application/octet-stream")},
        )
    elif endpoint == "ledger_imports":
        response = await client.get("/v1/ledger/imports")
    elif endpoint == "notices":
        response = await client.get("/v1/notices")
    elif endpoint == "alerts":
        response = await client.get("/v1/alerts")
    elif endpoint == "worklist":
        response = await client.get("/v1/worklist")
    elif endpoint == "instructions":
        response = await client.get("/v1/instructions")
    elif endpoint == "receptions":
        response = await client.get("/v1/receptions", params={"purpose": "矩阵测试"})
    elif endpoint == "reception_record":
        visitor = {"name": "矩阵测试", "phone": "13812345678"}
        body = {"received_on": "2026-03-02", "place": "接待室", "organisation": "xw-center"}
        response = await client.post("/v1/receptions", json={**body, "visitors": [visitor]})
    elif endpoint == "reception_read":
        response = await client.get(f"/v1/receptions/JD-{'0' * 20}", params={"purpose": "矩阵测试"})
    elif endpoint == "reception_register":
        response = await client.post(f"/v1/receptions/JD-{'0' * 20}/cases", json=intake_body())
    elif endpoint == "accountability_record":
        body = {
            "kind": "notice",
            "subject_kind": "organisation",
            "organisation": "xw-dxg-committee",
            "period_from": "2026-01-01",
            "period_to": "2026-01-31",
            "held_on": "2026-03-02",
            "facts": "矩阵测试",
            "decisions": "矩阵测试",
        }
        response = await client.post("/v1/accountability", json=body)
    elif endpoint == "accountability":
        response = await client.get("/v1/accountability", params={"purpose": "矩阵测试"})
    elif endpoint == "watched":
        response = await client.get("/v1/watched", params={"purpose": "矩阵测试"})
    elif endpoint == "watched_read":
        response = await client.get(f"/v1/watched/ZD-{'0' * 20}", params={"purpose": "矩阵测试"})
    elif endpoint == "watched_lookup":
        body = {"id_number": "110101199003071233", "purpose": "矩阵测试"}
        response = await client.post("/v1/watched/lookup", json=body)
    elif endpoint == "watched_record":
        body = {
            "id_number": _matrix_id(),
            "name": "矩阵测试",
            "person_type": "repeat_petitioner",
            "grade": "low",
            "jurisdiction_code": "320102001",
            "minder_user_id": "wangfang",
        }
        response = await client.post("/v1/watched", json=body)
    elif endpoint == "sessions":
        response = await client.get("/v1/sessions", params={"mine": "true"})
    elif endpoint == "parties":
        response = await client.post(
            "/v1/parties/cases", json={"name": "张伟", "phone": "13812345678"}
        )
    elif endpoint == "organisations":
        response = await client.get("/v1/organisations")
    elif endpoint == "routing":
        response = await client.post(
            "/v1/routing/suggestion",
            json={"category": "labour", "risk_level": "low", "jurisdiction": "320102001"},
        )
    elif endpoint == "duties":
        response = await client.get("/v1/screening/duties")
    elif endpoint == "sweep":
        today = china_today()
        response = await client.post(
            "/v1/screening/sweeps",
            json={
                "area": "320102001",
                "theme": "矩阵测试专项排查",
                "starts_on": str(today),
                "ends_on": str(today + timedelta(days=7)),
            },
        )
    elif endpoint == "schedules":
        response = await client.get("/v1/screening/schedules")
    elif endpoint in ("access_trail", "admin_trail"):
        trail = endpoint.replace("_", "-")
        response = await client.get(f"/v1/audit/{trail}", params={"purpose": "矩阵测试"})
    elif endpoint in ("users", "requests"):
        response = await client.get(f"/v1/admin/{endpoint}")
    elif endpoint == "approve":
        response = await client.post("/v1/admin/requests/R0000000000000000/approve")
    elif endpoint == "mediator_link":
        response = await client.put("/v1/admin/users/wangfang/mediator", json={"mediator_id": None})
    else:
        response = await client.put(
            "/v1/recipients/town-leader:320102001",
            json={"display_name": "梅园新村街道分管领导", "channels": []},
        )
    assert response.status_code == UNSCOPED[endpoint][role], response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["code"] in {
            "unauthenticated",
            "forbidden",
            "request_not_found",
            "reception_not_found",
            "watched_not_found",
        }
        assert body["message_zh"]
        assert body["message_en"]


def _matrix_id() -> str:
    """A valid resident ID of its own (the register takes each number once)."""
    first17 = f"3201021985{uuid.uuid4().int % 10**7:07d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


async def _all_listed(client: httpx.AsyncClient, **params: str) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": "200", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/cases", params=query)).json()
        ids += [item["case_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


async def test_a_town_leader_never_sees_another_towns_case_in_lists_or_counts(
    clients: dict[str, httpx.AsyncClient], cases: Cases
) -> None:
    town, other_town = clients["town_leader"], clients["other_town_leader"]
    mine = await _all_listed(town)
    theirs = await _all_listed(other_town)
    assert cases.own_town["case_id"] in mine
    assert cases.other_town["case_id"] in theirs
    assert not set(mine) & set(theirs)
    assert cases.other_town["case_id"] not in mine
    assert cases.other_county["case_id"] not in mine
    # Asking for the other town explicitly narrows to nothing; it never widens the reach.
    assert await _all_listed(town, jurisdiction="320102002") == []
    for client, listed in ((town, mine), (other_town, theirs)):
        stats = (await client.get("/v1/cases/stats")).json()
        assert stats["total"] == len(listed)
        stage_counts = (await client.get("/v1/cases/stats", params={"kind": "dispute"})).json()
        assert stage_counts["total"] <= stats["total"]
    county = (await clients["county_leader"].get("/v1/cases/stats")).json()
    assert county["total"] >= len(mine) + len(theirs)
    # Alerts too: the other town's alerts never reach this leader.
    alerts = (await town.get("/v1/alerts", params={"limit": "200"})).json()["items"]
    assert cases.other_town["case_id"] not in {alert["case_id"] for alert in alerts}


async def test_a_mediator_of_another_center_sees_none_of_a_cases_personal_data(
    clients: dict[str, httpx.AsyncClient], cases: Cases
) -> None:
    other = clients["other_mediator"]
    case_id = cases.own_town["case_id"]
    clear = ("110101199003071233", "13812345678", "13987654321")
    responses = [
        await other.get(f"/v1/cases/{case_id}"),
        await other.get(f"/v1/cases/{case_id}", params={"reveal": "true"}),
        await other.get(f"/v1/cases/{case_id}/timeline"),
        await other.get(f"/v1/cases/{case_id}/clocks"),
        await other.get("/v1/cases", params={"limit": "200"}),
        await other.get("/v1/cases", params={"limit": "200", "sort": "deadline"}),
        await other.get("/v1/cases", params={"holding": "organisation"}),
        await other.get("/v1/cases/export", params={"format": "csv"}),
        await other.get("/v1/alerts", params={"limit": "200"}),
        await other.get(f"/v1/alerts/{case_id}-A1"),
    ]
    for response in responses:
        assert response.status_code in (200, 404)
        assert not any(value in response.text for value in clear), response.text
        assert case_id not in response.text or response.status_code == 404


async def test_personal_data_is_masked_unless_revealed_and_every_reveal_is_recorded(
    clients: dict[str, httpx.AsyncClient], cases: Cases, stack: Any
) -> None:
    from activities.identity import access_trail

    mediator, leader = clients["mediator"], clients["town_leader"]
    case_id = cases.own_town["case_id"]
    masked = (await mediator.get(f"/v1/cases/{case_id}")).json()
    applicant = masked["applicants"][0]
    assert applicant["id_number"] == "1101**********1233"
    assert applicant["phone"] == "138****5678"
    assert "watched" not in applicant  # 重点人员 flags: leaders and auditors only
    assert "watched" in (await leader.get(f"/v1/cases/{case_id}")).json()["applicants"][0]
    timeline = (await mediator.get(f"/v1/cases/{case_id}/timeline")).text
    assert "110101199003071233" not in timeline
    assert "13812345678" not in timeline

    clear = (await mediator.get(f"/v1/cases/{case_id}", params={"reveal": "true"})).json()
    assert clear["applicants"][0]["id_number"] == "110101199003071233"
    async with stack.sessionmaker() as session:
        trail = await access_trail.query(
            jurisdiction_prefix="320102",
            case_id=case_id,
            principal_id="wangfang",
            since=None,
            until=None,
            limit=10,
            session=session,
        )
    assert trail
    assert trail[0].endpoint == "GET /v1/cases/{id}"
    assert "applicants[0].id_number" in trail[0].fields
    assert "respondents[0].phone" in trail[0].fields


async def test_the_client_cannot_claim_an_actor(api: httpx.AsyncClient, cases: Cases) -> None:
    case = await create_case(api)
    claimed = await api.post(
        f"/v1/cases/{case['case_id']}/accept", json={"note": "受理", "actor": "县委书记"}
    )
    assert claimed.status_code == 422
    assert claimed.json()["field"] == "actor"
    accepted = await act(api, case["case_id"], "accept")
    assert accepted.json()["accepted"]["by"] == "王芳 (wangfang)"


@pytest.mark.parametrize(
    "statement", ["UPDATE access_trail SET purpose = '改写'", "DELETE FROM access_trail"]
)
async def test_the_access_trail_is_append_only_in_the_database(
    clients: dict[str, httpx.AsyncClient], cases: Cases, stack: Any, statement: str
) -> None:
    from sqlalchemy import func, select, text
    from sqlalchemy.exc import DBAPIError

    from activities.store.tables import AccessTrailRow

    case_id = cases.own_town["case_id"]
    revealed = await clients["mediator"].get(f"/v1/cases/{case_id}", params={"reveal": "true"})
    assert revealed.status_code == 200
    async with stack.sessionmaker() as session:
        before = await session.scalar(select(func.count()).select_from(AccessTrailRow))
    assert before
    with pytest.raises(DBAPIError, match="append-only"):
        async with stack.engine.begin() as connection:
            await connection.execute(text(statement))
    async with stack.sessionmaker() as session:
        after = await session.scalar(select(func.count()).select_from(AccessTrailRow))
    assert after == before


async def test_a_mediator_of_another_center_sees_none_of_the_instructions_of_a_case(
    clients: dict[str, httpx.AsyncClient], cases: Cases
) -> None:
    case_id = cases.own_town["case_id"]
    text = f"请包案领导当面化解{uuid.uuid4().hex[:6]}"
    response = await clients["town_leader"].post(
        f"/v1/cases/{case_id}/instructions", json={"text": text}
    )
    assert response.status_code == 200, response.text
    assert any(i["text"] == text for i in response.json()["instructions"])
    # The other center's mediator: not the case, not its instructions, not the list.
    other = clients["other_mediator"]
    assert (await other.get(f"/v1/cases/{case_id}")).status_code == 404
    assert (await other.get("/v1/instructions")).status_code == 403
    listed = (await other.get("/v1/worklist", params={"group": "instruction_due"})).json()
    assert case_id not in {item["case_id"] for item in listed["items"]}
    # The leader of another town does not see it; the town's leader and the county's do.
    elsewhere = (await clients["other_town_leader"].get("/v1/instructions")).json()["items"]
    assert text not in {i["text"] for i in elsewhere}
    for leader in ("town_leader", "county_leader"):
        items = (await clients[leader].get("/v1/instructions")).json()["items"]
        assert text in {i["text"] for i in items}
    # The handling unit sees it in its worklist, 待落实批示.
    own = (
        await clients["mediator"].get("/v1/worklist", params={"group": "instruction_due"})
    ).json()
    assert case_id in {item["case_id"] for item in own["items"]}


async def test_a_mediator_of_another_center_sees_no_notice_register_entry_or_reception(
    clients: dict[str, httpx.AsyncClient], cases: Cases
) -> None:
    """约谈/通报 of a case outside their reach, the 重点人员 register and the leaders' reception
    logs: none of it reaches a mediator of another organisation, by any route."""
    case_id = cases.own_town["case_id"]
    facts = f"协议履行回访逾期{uuid.uuid4().hex[:6]}"
    notice = {
        "kind": "notice",
        "subject_kind": "organisation",
        "organisation": "xw-dxg-committee",
        "case_id": case_id,
        "held_on": "2026-03-02",
        "facts": facts,
        "decisions": "通报批评",
    }
    recorded = await clients["town_leader"].post("/v1/accountability", json=notice)
    assert recorded.status_code == 201, recorded.text
    entered = await clients["town_leader"].post(
        "/v1/watched",
        json={
            "id_number": _matrix_id(),
            "name": "孙某",
            "person_type": "stability_risk",
            "grade": "medium",
            "jurisdiction_code": "320102001",
            "minder_user_id": "wangfang",
        },
    )
    assert entered.status_code == 201, entered.text
    other = clients["other_mediator"]
    answers = [
        await other.get("/v1/accountability"),
        await other.get("/v1/accountability", params={"case_id": case_id}),
        await other.get("/v1/watched"),
        await other.get(f"/v1/watched/{entered.json()['watched_id']}"),
        await other.get("/v1/receptions"),
        await other.get(f"/v1/cases/{case_id}"),
        await other.get(f"/v1/cases/{case_id}/timeline"),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403, 403, 403, 404, 404]
    assert not any(facts in a.text or "孙某" in a.text for a in answers)


# 考核指标: (own scope, another county's) per role; staff read their organisation's figures,
# never a place; the recount from the events is the auditor's.
INDICATOR_ACCESS: dict[str, dict[str, tuple[int, int]]] = {
    "/v1/indicators": {
        "mediator": (200, 403),
        "center_admin": (200, 403),
        "town_leader": (200, 403),
        "county_leader": (200, 403),
        "auditor": (200, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (403, 403),
        "anonymous": (401, 401),
    },
    "/v1/audit/indicators": {
        "mediator": (403, 403),
        "center_admin": (403, 403),
        "town_leader": (403, 403),
        "county_leader": (403, 403),
        "auditor": (200, 403),
        "system_admin": (403, 403),
        "security_admin": (403, 403),
        "grid_worker": (403, 403),
        "anonymous": (401, 401),
    },
}
INDICATOR_ACCESS["/v1/indicators/success_rate/cases"] = INDICATOR_ACCESS["/v1/indicators"]
INDICATOR_ACCESS["/v1/indicators/accountability"] = INDICATOR_ACCESS["/v1/indicators"]
# 月报 are the reports of the caller's own place (a leader's, an auditor's jurisdiction).
INDICATOR_ACCESS["/v1/reports/monthly"] = {
    **dict.fromkeys(ROLES, (403, 403)),
    "town_leader": (200, 200),
    "county_leader": (200, 200),
    "auditor": (200, 200),
    "anonymous": (401, 401),
}


@pytest.mark.parametrize("path", sorted(INDICATOR_ACCESS))
@pytest.mark.parametrize("role", ROLES)
async def test_indicator_endpoints_by_role(
    clients: dict[str, httpx.AsyncClient], role: str, path: str
) -> None:
    inside, outside = INDICATOR_ACCESS[path][role]
    client = clients[role]
    own = await client.get(path, params={"period": "2026-03"})
    assert own.status_code == inside, own.text
    far = await client.get(path, params={"period": "2026-03", "jurisdiction": "320104"})
    assert far.status_code == outside, far.text
