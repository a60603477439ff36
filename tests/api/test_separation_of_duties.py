"""三员分立 held (issue 16, findings 4 and 12): each attack of the system administrator is refused
or lands only as a pending request; a credential reaches a user only through a one-time link a
second security administrator approved; every act is in the administration trail; an auditor's
reads of both trails are recorded.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from activities.identity import passwords
from activities.identity.hashing import HashPool
from activities.store.tables import AdminTrailRow, ApiKeyRow, UserRow
from domain.people.access import Principal
from domain.people.sign_in import SignInPolicy
from tests import principals
from tests.api.helpers import create_case
from tests.conftest import Stack

BASE = "http://fengqiao.test"
NEW_PASSWORD = "本人选的口令-2026"
AUDITOR = principals.USERS["auditor"]
LEADER = principals.USERS["county_leader"]


@asynccontextmanager
async def console_as(
    stack: Stack, transport: httpx.ASGITransport, who: Principal
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A console session of ``who`` (opened in the store as a sign-in would) and its form token."""
    async with stack.sessionmaker.begin() as session:
        opened = await passwords.open_session(
            who.user_id,
            method="password",
            now=datetime.now(UTC),
            policy=SignInPolicy(),
            session=session,
        )
    async with httpx.AsyncClient(
        transport=transport,
        base_url=BASE,
        cookies={"fq_session": opened.token},
        headers={"Origin": BASE},
    ) as client:
        yield client, opened.csrf_token


async def _keys_of(stack: Stack, user_id: str) -> int:
    async with stack.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.user_id == user_id)
        )
    return int(count or 0)


async def _password_hash(stack: Stack, user_id: str) -> str | None:
    async with stack.sessionmaker() as session:
        user = await session.get(UserRow, user_id)
        assert user is not None
        return user.password_hash


async def _trail(stack: Stack, target: str) -> list[tuple[str, str]]:
    """(action, actor) of every administration trail entry about ``target``, oldest first."""
    async with stack.sessionmaker() as session:
        rows = await session.scalars(
            select(AdminTrailRow).where(AdminTrailRow.target == target).order_by(AdminTrailRow.id)
        )
        return [(row.action, row.actor_id) for row in rows]


async def test_the_system_admin_cannot_show_an_auditors_key_nor_read_a_dossier(
    stack: Stack, app_transport: httpx.ASGITransport, clients: dict[str, httpx.AsyncClient]
) -> None:
    case = await create_case(clients["mediator"])
    before = await _keys_of(stack, AUDITOR.user_id)
    for who in ("system_admin", "security_admin"):
        async with console_as(stack, app_transport, principals.USERS[who]) as (console, csrf):
            shown = await console.post(
                f"/admin/users/{AUDITOR.user_id}/key", data={"csrf_token": csrf}
            )
        assert shown.status_code == 403, (who, shown.text)
        assert "fq_" not in shown.text
    assert await _keys_of(stack, AUDITOR.user_id) == before  # no key was issued at all
    dossier = await clients["system_admin"].get(
        f"/v1/cases/{case['case_id']}/dossier", params={"purpose": "试图查阅", "reveal": "true"}
    )
    assert dossier.status_code == 403


async def test_nobody_sets_a_leaders_password(
    stack: Stack, app_transport: httpx.ASGITransport
) -> None:
    before = await _password_hash(stack, LEADER.user_id)
    for who in ("system_admin", "security_admin", "center_admin"):
        async with console_as(stack, app_transport, principals.USERS[who]) as (console, csrf):
            answer = await console.post(
                f"/admin/users/{LEADER.user_id}/password",
                data={"csrf_token": csrf, "password": "管理员知道的口令-1"},
            )
        assert answer.status_code in (403, 404), (who, answer.status_code)
    assert await _password_hash(stack, LEADER.user_id) == before


async def test_no_administrator_creates_an_auditor_or_administrator_alone(
    stack: Stack, clients: dict[str, httpx.AsyncClient]
) -> None:
    for role in ("auditor", "system_admin", "security_admin"):
        user_id = f"new-{role.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        body = {"user_id": user_id, "display_name": "新人", "role": role}
        if role == "auditor":
            body["jurisdiction"] = principals.COUNTY
        refused = await clients["system_admin"].post("/v1/admin/users", json=body)
        assert refused.status_code == 403
        pending = await clients["security_admin"].post("/v1/admin/users", json=body)
        assert pending.status_code == 202, pending.text
        assert pending.json()["status"] == "pending"
        async with stack.sessionmaker() as session:
            assert await session.get(UserRow, user_id) is None  # not until a second approval
        assert await _trail(stack, user_id) == [("request_opened", "secadmin")]
        # A mediator (no credential yet) is added at once.
    mediator = {
        "user_id": f"new-med-{uuid.uuid4().hex[:6]}",
        "display_name": "新调解员",
        "role": "mediator",
        "jurisdiction": principals.COUNTY,
        "center_id": principals.CENTER,
    }
    added = await clients["security_admin"].post("/v1/admin/users", json=mediator)
    assert added.status_code == 201, added.text


async def test_a_second_security_admin_approves_and_only_the_user_learns_the_password(
    stack: Stack, app_transport: httpx.ASGITransport, clients: dict[str, httpx.AsyncClient]
) -> None:
    user_id = f"auditor-{uuid.uuid4().hex[:6]}"
    body = {
        "user_id": user_id,
        "display_name": "新审计",
        "role": "auditor",
        "jurisdiction": principals.COUNTY,
    }
    request_id = (await clients["security_admin"].post("/v1/admin/users", json=body)).json()[
        "request_id"
    ]
    own = await clients["security_admin"].post(f"/v1/admin/requests/{request_id}/approve")
    assert own.status_code == 403
    assert "另一名安全管理员" in own.json()["message_zh"]
    by_sysadmin = await clients["system_admin"].post(f"/v1/admin/requests/{request_id}/approve")
    assert by_sysadmin.status_code == 403
    approved = await clients["other_security_admin"].post(
        f"/v1/admin/requests/{request_id}/approve"
    )
    assert approved.status_code == 200, approved.text
    link = approved.json()["link"]
    again = await clients["other_security_admin"].post(f"/v1/admin/requests/{request_id}/approve")
    assert again.status_code == 409  # decided once
    assert await _password_hash(stack, user_id) is None  # nobody chose a password for them

    async with httpx.AsyncClient(
        transport=app_transport, base_url=BASE, headers={"Origin": BASE}
    ) as anonymous:
        form = await anonymous.get(link)
        assert form.status_code == 200
        assert "设置您的密码" in form.text
        done = await anonymous.post(link, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD})
        assert done.status_code == 200
        assert "密码已设置" in done.text
        reused = await anonymous.post(link, data={"password": "another-one-99", "again": "x"})
        assert reused.status_code == 410  # one time only
    signed_in = await passwords.check_password(
        user_id,
        NEW_PASSWORD,
        now=datetime.now(UTC),
        policy=SignInPolicy(),
        remote="test",
        sessionmaker=stack.sessionmaker,
        hashes=HashPool(passwords.verify_password, threads=1, queue=1),
    )
    assert signed_in.principal is not None
    assert signed_in.principal.role.value == "auditor"
    assert await _trail(stack, user_id) == [
        ("request_opened", "secadmin"),
        ("request_approved", "secadmin2"),
        ("user_created", "secadmin"),
        ("link_issued", "secadmin2"),
        ("password_set", user_id),
    ]


async def test_a_password_link_for_a_leader_waits_for_a_second_admin(
    stack: Stack, clients: dict[str, httpx.AsyncClient]
) -> None:
    target = principals.USERS["town_leader"].user_id
    asked = await clients["security_admin"].post(f"/v1/admin/users/{target}/password-link")
    assert asked.status_code == 202, asked.text
    twice = await clients["security_admin"].post(f"/v1/admin/users/{target}/password-link")
    assert twice.status_code == 409
    request_id = asked.json()["request_id"]
    refused = await clients["other_security_admin"].post(
        f"/v1/admin/requests/{request_id}/refuse", json={"reason": "未核实本人"}
    )
    assert refused.status_code == 200
    assert refused.json()["status"] == "refused"
    assert (await _trail(stack, target))[-2:] == [
        ("request_opened", "secadmin"),
        ("request_refused", "secadmin2"),
    ]
    assert await _keys_of(stack, target) == 1  # the seeded key only


async def test_an_auditors_reads_of_both_trails_are_recorded(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    auditor = clients["auditor"]
    purpose = f"季度检查{uuid.uuid4().hex[:4]}"
    first = await auditor.get("/v1/audit/access-trail", params={"purpose": purpose})
    assert first.status_code == 200
    second = await auditor.get("/v1/audit/access-trail", params={"purpose": "再次查阅"})
    recorded: list[dict[str, Any]] = [
        item
        for item in second.json()["items"]
        if item["endpoint"] == "GET /v1/audit/access-trail"
        and item["principal_id"] == AUDITOR.user_id
    ]
    assert [item["purpose"] for item in recorded[:2]] == ["再次查阅", purpose]

    trail = await auditor.get("/v1/audit/admin-trail", params={"purpose": purpose})
    assert trail.status_code == 200, trail.text
    page = trail.json()
    assert page["check"]["chain_ok"] is True
    newest = page["items"][0]
    assert (newest["action"], newest["actor_id"]) == ("trail_read", AUDITOR.user_id)
    assert newest["details"] == {"trail": "administration", "purpose": purpose}
    # Administrators act in it; they cannot read it.
    assert (
        await clients["security_admin"].get("/v1/audit/admin-trail", params={"purpose": "看看"})
    ).status_code == 403


async def test_a_password_someone_else_set_is_changed_at_first_sign_in(
    stack: Stack, app_transport: httpx.ASGITransport
) -> None:
    user = principals.USERS["other_town_leader"]
    async with stack.sessionmaker.begin() as session:
        await passwords.set_password(user.user_id, "命令行设置的口令-1", session=session)
        row = await session.get(UserRow, user.user_id)
        assert row is not None
        row.must_change_password = True
    async with console_as(stack, app_transport, user) as (console, csrf):
        blocked = await console.get("/cases")
        assert blocked.status_code == 303
        assert blocked.headers["location"] == "/account/password?first=1"
        changed = await console.post(
            "/account/password",
            data={
                "csrf_token": csrf,
                "current": "命令行设置的口令-1",
                "password": NEW_PASSWORD,
                "again": NEW_PASSWORD,
            },
        )
        assert changed.status_code == 200
        assert "密码已修改" in changed.text
    async with stack.sessionmaker() as session:
        row = await session.get(UserRow, user.user_id)
        assert row is not None
        assert row.must_change_password is False
    async with console_as(stack, app_transport, user) as (console, _):
        assert (await console.get("/cases")).status_code == 200
    assert (await _trail(stack, user.user_id))[-1] == ("password_changed", user.user_id)


async def test_the_administration_trail_is_append_only_and_a_forged_entry_breaks_its_chain(
    engine: Any,
) -> None:
    """On a store of its own (a forged entry would break the shared one)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from activities.identity import admin_trail
    from activities.identity.admin_trail import COMMAND_LINE
    from domain.people.administration import AdminAction

    sessionmaker = async_sessionmaker(engine)
    async with sessionmaker.begin() as session:
        await admin_trail.append(
            COMMAND_LINE,
            AdminAction.USER_CREATED,
            target="x",
            at=datetime.now(UTC),
            session=session,
        )
        assert (await admin_trail.check(session=session)).chain_ok
    for statement in ("UPDATE admin_trail SET target = 'y'", "DELETE FROM admin_trail"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(text(statement))
    async with sessionmaker.begin() as session:
        head = (await admin_trail.check(session=session)).head
        session.add(
            AdminTrailRow(
                at=datetime.now(UTC),
                actor_id="intruder",
                actor_name="冒充",
                actor_role="x",
                action="user_created",
                target="z",
                details={},
                prev_hash=head,
                hash="0" * 64,
            )
        )
    async with sessionmaker() as session:
        checked = await admin_trail.check(session=session)
    assert not checked.chain_ok
    assert checked.broken_at is not None


async def test_the_system_admins_registry_and_recipient_changes_are_in_the_trail(
    stack: Stack, clients: dict[str, httpx.AsyncClient]
) -> None:
    admin = clients["system_admin"]
    org_id = f"trail-{uuid.uuid4().hex[:6]}"
    created = await admin.post(
        "/v1/organisations",
        json={
            "org_id": org_id,
            "name": "留痕测试调解室",
            "type": "center",
            "jurisdiction_code": principals.COUNTY,
            "categories": [],
        },
    )
    assert created.status_code == 201, created.text
    changed = await admin.patch(f"/v1/organisations/{org_id}", json={"name": "留痕测试调解室二"})
    assert changed.status_code == 200, changed.text
    recipient = await admin.put(
        f"/v1/recipients/{org_id}", json={"display_name": "值班领导", "channels": []}
    )
    assert recipient.status_code == 200, recipient.text
    assert await _trail(stack, org_id) == [
        ("registry_changed", "sysadmin"),
        ("registry_changed", "sysadmin"),
        ("recipient_saved", "sysadmin"),
    ]


async def test_auditors_reading_the_administration_trail_at_once_are_all_served_and_recorded(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    """Each read appends to the chain first; reads at the same moment queue for the chain (on
    the embedded SQLite as on PostgreSQL) rather than one of them being refused."""
    auditor = clients["auditor"]
    purposes = [f"并发查阅{uuid.uuid4().hex[:6]}" for _ in range(6)]
    answers = await asyncio.gather(
        *(auditor.get("/v1/audit/admin-trail", params={"purpose": p}) for p in purposes)
    )
    assert [answer.status_code for answer in answers] == [200] * len(purposes), [
        answer.text for answer in answers if answer.status_code != 200
    ]
    assert all(answer.json()["check"]["chain_ok"] for answer in answers)
    async with stack.sessionmaker() as session:
        recorded = set(
            await session.scalars(
                select(AdminTrailRow.details["purpose"].as_string()).where(
                    AdminTrailRow.actor_id == AUDITOR.user_id
                )
            )
        )
    assert set(purposes) <= recorded


async def test_a_number_written_into_a_stated_purpose_is_masked_in_both_trails(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    auditor = clients["auditor"]
    purpose = f"核查13912345678投诉{uuid.uuid4().hex[:4]}"
    shown = purpose.replace("13912345678", "139****5678")
    assert (
        await auditor.get("/v1/audit/access-trail", params={"purpose": purpose})
    ).status_code == 200
    access = await auditor.get("/v1/audit/access-trail", params={"purpose": "复查"})
    assert shown in [item["purpose"] for item in access.json()["items"]]
    assert "13912345678" not in access.text

    admin = await auditor.get("/v1/audit/admin-trail", params={"purpose": purpose})
    assert admin.status_code == 200, admin.text
    assert admin.json()["items"][0]["details"]["purpose"] == shown
    assert "13912345678" not in admin.text
    async with stack.sessionmaker() as session:
        stored = list(
            await session.scalars(
                select(AdminTrailRow.details["purpose"].as_string()).where(
                    AdminTrailRow.actor_id == AUDITOR.user_id
                )
            )
        )
    assert shown in stored
    assert purpose not in stored
