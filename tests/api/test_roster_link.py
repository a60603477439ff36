"""A console account linked to its roster entry (调解员名册): who may link it, what is refused,
and the trail (both stores)."""

from __future__ import annotations

import httpx

from activities.store import registry as registry_store
from domain.organisation.registry import RosterMediator
from tests.conftest import Stack
from tests.principals import CENTER, OTHER_CENTER


async def _entry(stack: Stack, mediator_id: str, org_id: str) -> None:
    async with stack.sessionmaker.begin() as session:
        if await registry_store.get_mediator(mediator_id, session=session) is None:
            await registry_store.create_mediator(
                RosterMediator(mediator_id=mediator_id, name="王芳", org_id=org_id),
                session=session,
            )


async def test_a_security_administrator_links_a_mediator_to_her_roster_entry(
    clients: dict[str, httpx.AsyncClient], stack: Stack
) -> None:
    own, other = f"link-{stack.backend}-own", f"link-{stack.backend}-other"
    await _entry(stack, own, CENTER)
    await _entry(stack, other, OTHER_CENTER)
    admin = clients["security_admin"]
    path = "/v1/admin/users/wangfang/mediator"
    # An entry of another organisation, or none at all, is refused naming the field.
    for wrong in (other, "no-such-entry"):
        refused = await admin.put(path, json={"mediator_id": wrong})
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "mediator_id"
        assert refused.json()["message_zh"].startswith("调解员名册：")
    # Mediators do not link accounts, not even their own.
    assert (await clients["mediator"].put(path, json={"mediator_id": own})).status_code == 403

    linked = await admin.put(path, json={"mediator_id": own})
    assert linked.status_code == 200, linked.text
    users = (await admin.get("/v1/admin/users")).json()["items"]
    assert next(u for u in users if u["user_id"] == "wangfang")["mediator_id"] == own
    trail = await clients["auditor"].get("/v1/audit/admin-trail", params={"purpose": "核查关联"})
    assert trail.status_code == 200, trail.text
    assert own in trail.text

    assert (await admin.put(path, json={"mediator_id": None})).status_code == 200
    users = (await admin.get("/v1/admin/users")).json()["items"]
    assert next(u for u in users if u["user_id"] == "wangfang")["mediator_id"] is None
