"""Who manages whom (三员分立): a center admin keeps the staff of their own organisation only; a
security administrator everyone, a second one approving credentials (test_separation_of_duties).
"""

from __future__ import annotations

import uuid

import pytest

from api.errors import ApiError
from api.services import users
from domain.people.access import Principal, Role
from tests import principals
from tests.conftest import Stack


def _new(role: Role, jurisdiction: str, center: str | None = principals.CENTER) -> Principal:
    return Principal(
        user_id=f"u{uuid.uuid4().hex[:10]}",
        display_name="新用户",
        role=role,
        jurisdiction=jurisdiction,
        center_id=center,
    )


async def test_a_center_admin_adds_only_their_own_staff_within_their_area(stack: Stack) -> None:
    admin = principals.USERS["center_admin"]
    mediator = _new(Role.MEDIATOR, principals.COUNTY)
    await users.add_user(mediator, admin=admin, sessionmaker=stack.sessionmaker)
    # Their password: a one-time link, once a security administrator approves.
    await users.request_password_link(
        mediator.user_id, admin=admin, sessionmaker=stack.sessionmaker
    )
    refused = [
        _new(Role.AUDITOR, principals.COUNTY, None),  # 三员分立: not a center admin's to make
        _new(Role.LEADER, principals.COUNTY, None),
        _new(Role.SYSTEM_ADMIN, principals.COUNTY, None),
        _new(Role.MEDIATOR, principals.OTHER_COUNTY),  # another county
        _new(Role.MEDIATOR, principals.COUNTY, principals.OTHER_CENTER),  # another organisation
    ]
    for user in refused:
        with pytest.raises(ApiError) as error:
            await users.add_user(user, admin=admin, sessionmaker=stack.sessionmaker)
        assert error.value.status == 403, user
        assert "中心管理员" in error.value.body.message_zh


async def test_a_center_admin_cannot_reach_a_leader_or_auditor(stack: Stack) -> None:
    """A link, enabling or unlocking a user the admin does not manage: as if it did not exist
    (404), so nobody signs in as an auditor a center admin picked."""
    admin = principals.USERS["center_admin"]
    for user_id in (principals.USERS["auditor"].user_id, principals.USERS["county_leader"].user_id):
        for attempt in (
            users.request_password_link(user_id, admin=admin, sessionmaker=stack.sessionmaker),
            users.unlock(user_id, admin=admin, sessionmaker=stack.sessionmaker),
        ):
            with pytest.raises(ApiError) as error:
                await attempt
            assert error.value.status == 404


async def test_a_center_admin_approves_nothing(stack: Stack) -> None:
    admin = principals.USERS["center_admin"]
    security = principals.USERS["security_admin"]
    request_id = await users.request_password_link(
        principals.USERS["mediator"].user_id, admin=security, sessionmaker=stack.sessionmaker
    )
    with pytest.raises(ApiError) as error:
        await users.decide(
            request_id, approve=True, approver=admin, sessionmaker=stack.sessionmaker
        )
    assert error.value.status == 403
