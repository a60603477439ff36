"""同一当事人的其他案件: cases sharing a party (by ID number, else name and phone), within reach."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.runtime.party_keys import lookup_keys, party_keyring
from activities.runtime.settings import Settings
from activities.store import worklists
from activities.store.repositories import CaseSummary
from api.access import CaseScopes, shown
from api.errors import database_errors, invalid_input
from api.schemas import PartyQuery, RelatedCase, RelatedCases, labels_of
from api.services.cases import reach_filter
from api.services.worklist import require_worklist_role
from domain.case.stages import TERMINAL_STAGES, Stage
from domain.case.worklist import party_key
from domain.people.access import Principal


def _related(principal: Principal, found: list[CaseSummary]) -> RelatedCases:
    items = []
    for case in found:
        line = RelatedCase(
            **case.model_dump(),
            labels=labels_of(case.stage, case.category, case.channel, case.risk_level),
            open=Stage(case.stage) not in TERMINAL_STAGES,
        )
        masked, _ = shown(principal, line.model_dump(mode="json"), reveal=False)
        items.append(RelatedCase.model_validate(masked))
    still_open = sum(1 for item in items if item.open)
    return RelatedCases(items=items, open=still_open, past=len(items) - still_open)


async def cases_of_party(
    query: PartyQuery,
    *,
    limit: int,
    principal: Principal,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> RelatedCases:
    """At intake: the open and past cases of this person within the caller's reach, masked
    (their key under every key of the party keyring: a re-key may still be under way)."""
    require_worklist_role(principal, "当事人的其他案件", "other cases of a party")
    keys = [
        party_key(key=secret, id_number=query.id_number, name=query.name, phone=query.phone)
        for secret in lookup_keys(party_keyring(settings))
    ]
    if keys[0] is None:
        raise invalid_input(
            "请提供身份证号码，或姓名和电话",
            "give an ID number, or a name and a phone",
            field="id_number",
        )
    with database_errors():
        async with sessionmaker() as session:
            found = await worklists.cases_of_parties(
                [k for k in keys if k], reach_filter(principal), limit=limit, session=session
            )
    return _related(principal, found)


async def related_cases(
    case_id: str,
    *,
    limit: int,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
) -> RelatedCases:
    """On a case: the other cases sharing any of its parties, within the caller's reach (404
    when the case itself is out of reach)."""
    require_worklist_role(principal, "当事人的其他案件", "other cases of a party")
    await scopes.ensure_reachable(principal, case_id)
    with database_errors():
        async with sessionmaker() as session:
            keys = await worklists.party_keys_of(case_id, session=session)
            found = await worklists.cases_of_parties(
                keys, reach_filter(principal), excluding=case_id, limit=limit, session=session
            )
    return _related(principal, found)
