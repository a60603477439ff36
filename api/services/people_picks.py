"""责任人 and 包案领导 chosen from the users: who may be chosen for a case, and the id a body
gives as what the case records (the user's name beside their id).

责任人: an active user of the organisation holding the case (its staff: mediators and center
administrators). 包案领导: an active leader whose area holds the case's place. Anyone else is
refused naming the field (422); a name typed by hand stays possible where nobody fits.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import principals
from activities.store.identity_tables import UserRow
from api.errors import database_errors, invalid_input
from domain.case.reach import CaseReach
from domain.people.access import CENTER_ROLES, Role

Sessionmaker = async_sessionmaker[AsyncSession]
# The role values of an organisation's staff (who may be a case's 责任人).
_STAFF = frozenset(role.value for role in CENTER_ROLES)


def _is_staff(row: UserRow, holder_id: str | None) -> bool:
    return (
        row.active and row.role in _STAFF and holder_id is not None and row.center_id == holder_id
    )


def _is_leader_over(row: UserRow, place: str) -> bool:
    area = row.jurisdiction_code or ""
    return row.active and row.role == Role.LEADER.value and bool(area) and place.startswith(area)


async def staff_of(org_id: str | None, *, session: AsyncSession) -> list[tuple[str, str]]:
    """(user id, name) of the organisation's active staff: the 责任人 picker."""
    if org_id is None:
        return []
    rows = await principals.list_users(center_id=org_id, session=session)
    return [(r.user_id, r.display_name) for r in rows if _is_staff(r, org_id)]


async def leaders_over(place: str, *, session: AsyncSession) -> list[tuple[str, str]]:
    """(user id, name) of the active leaders whose area holds ``place``: the 包案领导 picker."""
    rows = await principals.list_leaders_over(place, session=session)
    return [(r.user_id, r.display_name) for r in rows]


async def _chosen(user_id: str, *, sessionmaker: Sessionmaker) -> UserRow | None:
    with database_errors():
        async with sessionmaker() as session:
            return await principals.get_user(user_id, session=session)


async def responsible_person(user_id: str, reach: CaseReach, *, sessionmaker: Sessionmaker) -> str:
    """The name of the 责任人 ``user_id``; 422 on ``responsible_person_id`` unless they are
    active staff of the organisation holding the case."""
    row = await _chosen(user_id, sessionmaker=sessionmaker)
    if row is None or not _is_staff(row, reach.holder_id):
        raise invalid_input(
            f"承办单位的在岗人员中没有用户 {user_id}",
            f"user {user_id} is not active staff of the holding organisation",
            field="responsible_person_id",
        )
    return row.display_name


async def package_leader(user_id: str, reach: CaseReach, *, sessionmaker: Sessionmaker) -> str:
    """The name of the leader ``user_id``; 422 on ``leader_id`` unless they are an active
    leader whose area holds the case."""
    row = await _chosen(user_id, sessionmaker=sessionmaker)
    if row is None or not _is_leader_over(row, reach.jurisdiction_code):
        raise invalid_input(
            f"案件所在地的领导中没有用户 {user_id}",
            f"user {user_id} is not an active leader over the case's place",
            field="leader_id",
        )
    return row.display_name


async def choices(
    holder_id: str | None, place: str, *, sessionmaker: Sessionmaker
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The 责任人 and 包案领导 pickers of a case: (user id, name) of each."""
    with database_errors():
        async with sessionmaker() as session:
            return (
                await staff_of(holder_id, session=session),
                await leaders_over(place, session=session),
            )
