"""A console account linked to its roster entry (调解员名册): the mediator then picks herself in
开始调解 and 安排调解会, and her agenda lists the sessions naming her entry. Linked by whoever
manages the user (安全管理员, or the center administrator for their own staff), on the trail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import admin_trail, principals
from activities.identity.admin_trail import Actor
from activities.store import registry as registry_store
from activities.store.tables import UserRow
from api.errors import database_errors, invalid_input
from api.services.users import managed
from domain.people.access import CENTER_ROLES, Principal, Role
from domain.people.administration import AdminAction


async def link_mediator(
    user_id: str,
    mediator_id: str | None,
    *,
    admin: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Link ``user_id`` to roster entry ``mediator_id`` (None: unlink). The entry must be active
    and serve the user's own organisation."""
    now = datetime.now(UTC)
    with database_errors():
        async with sessionmaker.begin() as session:
            await managed(admin, user_id, session)
            row = await principals.get_user(user_id, session=session)
            assert row is not None  # managed() answered 404 otherwise
            if mediator_id is not None:
                entry = await registry_store.get_mediator(mediator_id, session=session)
                if Role(row.role) not in CENTER_ROLES or (
                    entry is None or not entry.active or entry.org_id != row.center_id
                ):
                    raise invalid_input(
                        "调解员名册：所在单位的在册调解员中没有此编号",
                        "mediator_id is not an active roster entry of the user's organisation",
                        field="mediator_id",
                    )
            await session.execute(
                update(UserRow).where(UserRow.user_id == user_id).values(mediator_id=mediator_id)
            )
            await admin_trail.append(
                Actor.of(admin),
                AdminAction.MEDIATOR_LINKED,
                target=user_id,
                details={"mediator_id": mediator_id or "—"},
                at=now,
                session=session,
            )


async def roster_choices(
    org_ids: Iterable[str], *, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[str, list[tuple[str, str]]]:
    """The active roster entries of each organisation, as (编号, 姓名（编号）) to choose from when
    linking one of its staff (the users page lists only the users the caller manages)."""
    choices: dict[str, list[tuple[str, str]]] = {}
    with database_errors():
        async with sessionmaker() as session:
            for org_id in sorted(set(org_ids)):
                roster = await registry_store.list_mediators(
                    org_id=org_id, active=True, session=session
                )
                choices[org_id] = [(m.mediator_id, f"{m.name}（{m.mediator_id}）") for m in roster]
    return choices
