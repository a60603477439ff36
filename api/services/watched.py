"""重点人员: the register of watched persons, read and written only by the roles its policy data
names (never a mediator's), every read and write recorded in the access trail.

The ID number is taken in, checked, hashed (a keyed hash to find the person, the same-party key
to find their cases) and masked; it is never stored or answered in clear. An auditor states a
purpose. Reads are narrowed to the reader's area inside the query.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity import principals as directory
from activities.identity.access_trail import Access
from activities.policy.routing import watch_policy
from activities.runtime.party_keys import party_keyring
from activities.runtime.settings import Settings
from activities.store import watched as store
from activities.store.watched import WatchedCase
from api.access import record_access
from api.errors import ApiError, database_errors, forbidden, invalid_input
from api.register_schemas import WatchedCaseView, WatchedRequest, WatchedView
from domain.case.labels import STAGE_LABELS
from domain.case.stages import Stage
from domain.case.worklist import party_key
from domain.people.access import Principal, Role
from domain.people.privacy import mask_id, scrub_text
from domain.registers.watched import (
    WatchedPerson,
    WatchPolicy,
    lookup_key,
    normalised_id,
    refusal,
)

Sessionmaker = async_sessionmaker[AsyncSession]


def _not_found() -> ApiError:
    return ApiError(404, "watched_not_found", "名册中没有该人员", "no such person in the register")


def _reader(principal: Principal, policy: WatchPolicy, purpose: str | None) -> str:
    """The reader's area, once the policy lets the role read and an auditor said why."""
    if not policy.may_read(principal.role) or principal.jurisdiction is None:
        raise forbidden("当前角色无权查阅重点人员名册", "the role may not read the register")
    if principal.role is Role.AUDITOR and policy.auditors_state_purpose and not purpose:
        raise invalid_input("请说明查阅目的", "state the purpose of the read", field="purpose")
    return principal.jurisdiction


async def _trail(
    sessionmaker: Sessionmaker,
    principal: Principal,
    people: list[WatchedPerson],
    endpoint: str,
    purpose: str | None,
    fields: tuple[str, ...] = (),
) -> None:
    """Each person shown (or entered) is one line of the access trail, before the answer."""
    await record_access(
        sessionmaker,
        principal,
        [Access(p.watched_id, p.jurisdiction_code, endpoint, fields, purpose) for p in people],
    )


async def register(
    body: WatchedRequest, *, principal: Principal, settings: Settings, sessionmaker: Sessionmaker
) -> dict[str, Any]:
    """Enter a person (409 when their number is in the register already)."""
    policy = watch_policy(settings.watch_policy_file)
    if not policy.may_write(principal.role) or principal.jurisdiction is None:
        raise forbidden("当前角色无权登记重点人员", "the role may not write the register")
    found = refusal(body, policy)
    if found is not None:
        field, zh, en = found
        raise invalid_input(zh, en, field=field)
    if not body.jurisdiction_code.startswith(principal.jurisdiction):
        raise invalid_input(
            "居住地须在您的辖区内", "the place must lie in your area", field="jurisdiction_code"
        )
    number = normalised_id(body.id_number)
    now = datetime.now(UTC)
    with database_errors():
        async with sessionmaker() as session:
            minder = await directory.active_principal(body.minder_user_id, session=session)
            if minder is None:
                raise invalid_input(
                    "包保责任人须为在用的系统用户",
                    "the minder must be an active user",
                    field="minder_user_id",
                )
            person = WatchedPerson(
                watched_id=f"ZD-{uuid.uuid4().hex[:20]}",
                lookup_key=lookup_key(number, settings.search_hash_key),
                party_key=party_key(key=party_keyring(settings).current_key, id_number=number)
                or "",
                id_masked=mask_id(number),
                name=body.name,
                person_type=body.person_type,
                grade=body.grade,
                jurisdiction_code=body.jurisdiction_code,
                minder_user_id=minder.user_id,
                minder_name=minder.display_name,
                note=body.note,
                by_name=principal.display_name,
            )
            if not await store.add_person(person, at=now, session=session):
                raise ApiError(
                    409,
                    "watched_exists",
                    "该人员已在重点人员名册中",
                    "the person is in the register already",
                    field="id_number",
                )
            await session.commit()
    await _trail(sessionmaker, principal, [person], "POST /v1/watched", None, ("id_number",))
    return view(person, policy, None)


async def list_persons(
    *,
    purpose: str | None,
    limit: int,
    principal: Principal,
    settings: Settings,
    sessionmaker: Sessionmaker,
) -> list[dict[str, Any]]:
    policy = watch_policy(settings.watch_policy_file)
    area = _reader(principal, policy, purpose)
    with database_errors():
        async with sessionmaker() as session:
            found = await store.persons(within=area, limit=limit, session=session)
    await _trail(sessionmaker, principal, found, "GET /v1/watched", purpose)
    return [view(p, policy, None) for p in found]


async def read_person(
    *,
    watched_id: str | None,
    id_number: str | None,
    purpose: str | None,
    principal: Principal,
    settings: Settings,
    sessionmaker: Sessionmaker,
) -> dict[str, Any]:
    """One person (by id, or looked up by ID number) with their cases within the reader's
    area — the whole county for a county's reader."""
    policy = watch_policy(settings.watch_policy_file)
    area = _reader(principal, policy, purpose)
    key = lookup_key(id_number, settings.search_hash_key) if id_number else None
    with database_errors():
        async with sessionmaker() as session:
            found = await store.person(within=area, watched_id=watched_id, key=key, session=session)
            if found is None:
                raise _not_found()
            if id_number:
                # The number is at hand: an entry no case carried over to the current party key
                # (``fengqiao keys rekey``) is carried over now.
                current = party_key(key=party_keyring(settings).current_key, id_number=id_number)
                if current and current != found.party_key:
                    await store.set_party_key(found.watched_id, current, session=session)
                    await session.commit()
                    found = found.model_copy(update={"party_key": current})
            cases = await store.cases_of(found.party_key, within=area, session=session)
    endpoint = "POST /v1/watched/lookup" if id_number else "GET /v1/watched/{id}"
    await _trail(sessionmaker, principal, [found], endpoint, purpose)
    return view(found, policy, cases)


def view(
    person: WatchedPerson, policy: WatchPolicy, cases: list[WatchedCase] | None
) -> dict[str, Any]:
    listed = None
    if cases is not None:
        listed = [
            WatchedCaseView(
                case_id=c.case_id,
                title=scrub_text(c.title),
                stage=c.stage,
                stage_label=STAGE_LABELS[Stage(c.stage)],
                holder_name=c.holder_name,
                jurisdiction_code=c.jurisdiction_code,
                registered_at=c.registered_at,
            )
            for c in cases
        ]
    return WatchedView(
        watched_id=person.watched_id,
        id_number=person.id_masked,
        name=person.name,
        person_type=person.person_type,
        type_label=policy.types.get(person.person_type, person.person_type),
        grade=person.grade,
        grade_label=policy.grades.get(person.grade, person.grade),
        jurisdiction_code=person.jurisdiction_code,
        minder_user_id=person.minder_user_id,
        minder_name=person.minder_name,
        note=scrub_text(person.note),
        by_name=person.by_name,
        cases=listed,
    ).model_dump(mode="json")
