"""约谈 / 通报: accountability records written by leaders, read by the leader chain above the
organisation and by auditors (an auditor states a purpose; every auditor's read is recorded).

Append-only: the database refuses UPDATE and DELETE; a correction is a new record naming the
one it corrects, which must be one the leader can read.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.identity.access_trail import Access
from activities.store import accountability as store
from activities.store import registry as registry_store
from api.access import record_access
from api.errors import database_errors, forbidden, invalid_input
from api.idempotency import bind
from api.register_schemas import AccountabilityRequest, AccountabilityView
from domain.people.access import Permission, Principal, Role
from domain.people.privacy import scrub_text
from domain.registers.accountability import (
    KIND_LABELS,
    SUBJECT_LABELS,
    AccountabilityRecord,
    refusal,
)
from domain.values import china_date

Sessionmaker = async_sessionmaker[AsyncSession]
_REGISTER = "accountability"  # how the access trail names a read of the register, not a case


def _area(principal: Principal) -> str:
    if principal.jurisdiction is None:
        raise forbidden("当前用户没有辖区", "the caller has no jurisdiction")
    return principal.jurisdiction


async def record(
    body: AccountabilityRequest,
    *,
    key: str | None = None,
    principal: Principal,
    sessionmaker: Sessionmaker,
) -> dict[str, Any]:
    """Append a 约谈 or 通报 against an organisation (or a person of one) in the leader's area.

    Once per ``key`` (the caller's Idempotency-Key, bound to this body): the register is
    append-only and counted, so a retried request answers with the record it made.
    """
    area = _area(principal)
    found = refusal(body)
    if found is not None:
        field, zh, en = found
        raise invalid_input(zh, en, field=field)
    now = datetime.now(UTC)
    if body.held_on > china_date(now):
        raise invalid_input("日期不能晚于今天", "the date lies in the future", field="held_on")
    record_id = f"YT-{uuid.uuid4().hex[:20]}"
    if key:
        scoped = await bind(
            key,
            principal=principal,
            command="accountability",
            target="",
            body=body,
            sessionmaker=sessionmaker,
        )
        record_id = f"YT-{hashlib.sha256(scoped.encode()).hexdigest()[:20]}"
    with database_errors():
        async with sessionmaker() as session:
            earlier = await store.stored(record_id, session=session)
            if earlier is not None:
                return view(*earlier)
            org = await registry_store.get_organisation(body.organisation, session=session)
            if org is None or not org.jurisdiction_code.startswith(area):
                raise invalid_input(
                    "被约谈（通报）单位须为本辖区内的单位",
                    "the organisation must lie in the leader's area",
                    field="organisation",
                )
            if body.case_id is not None:
                place = await store.case_place(body.case_id, session=session)
                if place is None or not place.startswith(area):
                    raise invalid_input(
                        f"案件 {body.case_id} 不存在或不在您的辖区内",
                        "the case is unknown or outside the leader's area",
                        field="case_id",
                    )
            if body.corrects is not None and (
                await store.record(body.corrects, within=area, session=session) is None
            ):
                raise invalid_input(
                    "所更正的约谈（通报）记录不存在",
                    "the record to correct is unknown",
                    field="corrects",
                )
            entry = AccountabilityRecord(
                **body.model_dump(),
                record_id=record_id,
                organisation_name=org.name,
                jurisdiction_code=org.jurisdiction_code,
                by_user_id=principal.user_id,
                by_name=principal.display_name,
            )
            try:
                await store.add_record(entry, at=now, session=session)
                await session.commit()
            except IntegrityError:
                # The same request, retried while the first was being recorded: that one's.
                await session.rollback()
                raced = await store.stored(record_id, session=session)
                if raced is None:
                    raise
                return view(*raced)
    return view(entry, now)


async def list_records(
    *,
    case_id: str | None,
    purpose: str | None,
    limit: int,
    principal: Principal,
    sessionmaker: Sessionmaker,
) -> list[dict[str, Any]]:
    """The records against organisations in the caller's area (about ``case_id`` when given),
    the latest first. An auditor states a purpose, and the read is written to the access trail."""
    area = _area(principal)
    auditor = principal.role is Role.AUDITOR
    if auditor and not purpose:
        raise invalid_input("请说明查阅目的", "state the purpose of the read", field="purpose")
    if not (principal.may(Permission.HOLD_ACCOUNTABLE) or auditor):
        raise forbidden("当前角色无权查看约谈通报", "the role may not read accountability records")
    with database_errors():
        async with sessionmaker() as session:
            found = await store.records(within=area, case_id=case_id, limit=limit, session=session)
    if auditor:
        endpoint = "GET /v1/accountability"
        await record_access(
            sessionmaker,
            principal,
            [Access(case_id or _REGISTER, area, endpoint, (), purpose)],
        )
    return [view(entry, at) for entry, at in found]


async def about_case(
    case_id: str, *, principal: Principal, sessionmaker: Sessionmaker
) -> list[dict[str, Any]]:
    """The records about one case the caller may read (a leader's case page): none for a role
    that does not hold units to account (the caller has reached the case already)."""
    if not principal.may(Permission.HOLD_ACCOUNTABLE) or principal.jurisdiction is None:
        return []
    with database_errors():
        async with sessionmaker() as session:
            found = await store.records(
                within=principal.jurisdiction, case_id=case_id, limit=100, session=session
            )
    return [view(entry, at) for entry, at in found]


def view(entry: AccountabilityRecord, at: datetime) -> dict[str, Any]:
    """A record as readers see it: free text scrubbed of numbers."""
    return AccountabilityView(
        **entry.model_dump(exclude={"facts", "decisions"}),
        kind_label=KIND_LABELS[entry.kind],
        subject_label=SUBJECT_LABELS[entry.subject_kind],
        facts=scrub_text(entry.facts),
        decisions=scrub_text(entry.decisions),
        recorded_at=at,
    ).model_dump(mode="json")
