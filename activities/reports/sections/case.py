"""The case in the dossier: 案件基本情况, 当事人, 不予受理, 一案一策, 包案领导, 撤回, 结案."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import SerializerFunctionWrapHandler, model_serializer

from activities.reports.sections.parts import Instant, Part, Stamp, stamp
from domain.case.facts import receipt_on
from domain.case.labels import (
    CASE_KIND_LABELS,
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    PARTY_TYPE_LABELS,
    RISK_FLAG_LABELS,
    RISK_LABELS,
    STAGE_LABELS,
)
from domain.case.stages import Stage
from domain.case.state import CaseState
from domain.parties import (
    AUTHORITY_LABELS,
    GENDER_LABELS,
    RELATION_LABELS,
    party_place,
)
from domain.parties import Agent as CaseAgent
from domain.parties import Party as CaseParty
from domain.values import CaseKind, Category, Channel, CloseOutcome, PartyType, RiskLevel


class Jurisdiction(Part):
    """管辖: the division codes and names as registered, the most specific code and a label."""

    county_code: str
    town_code: str | None
    village_code: str | None
    county_name: str | None
    town_name: str | None
    village_name: str | None
    code: str
    label: str


class CaseSummary(Part):
    """案件基本情况."""

    case_id: str
    kind: CaseKind
    kind_label: str
    title: str
    description: str
    category: Category
    category_label: str
    channel: Channel
    channel_label: str
    jurisdiction: Jurisdiction
    risk_level: RiskLevel
    risk_label: str
    risk_flags: list[str]
    risk_flag_labels: list[str]
    stage: Stage
    stage_label: str
    received_on: date | None
    registered: Stamp
    accepted: Stamp | None
    updated_at: Instant
    seq: int
    diverted_to: str | None


class Representative(Part):
    """代表人."""

    name: str
    id_number: str | None
    phone: str | None


class Agent(Part):
    """代理人: whom they act for (their places, e.g. 申请人1), their authority and relation."""

    name: str
    represents: list[str]
    authority_label: str
    powers: str
    relation_label: str
    employer: str | None
    id_number: str | None
    phone: str | None


class Party(Part):
    """当事人, as the caller handed the case over (masked or not: nothing here masks)."""

    name: str
    party_type: PartyType
    id_number: str | None
    phone: str | None
    address: str | None
    # 重点人员: absent from the document of a reader who may not see it (the API removes it).
    watched: bool | None = None
    party_type_label: str
    gender_label: str | None = None
    ethnicity: str | None = None
    birth_date: str | None = None  # text: masked to its year for most readers
    credit_code: str | None = None
    legal_representative: str | None = None
    headcount: int | None = None
    representatives: list[Representative] = []

    @model_serializer(mode="wrap")
    def _without_hidden_flag(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.watched is None:
            del data["watched"]
        return data


class Parties(Part):
    applicants: list[Party]
    respondents: list[Party]
    third_parties: list[Party] = []
    agents: list[Agent] = []


class Decline(Part):
    """不予受理."""

    reason: str
    referral: str
    recorded: Stamp


class Plan(Part):
    """一案一策, one revision."""

    revision: int
    responsible_unit: str
    responsible_person: str
    measures: list[str]
    deadline: date
    note: str
    recorded: Stamp


class PackageLeader(Part):
    """领导包案; ``current`` marks the leader who holds the case now."""

    leader_name: str
    leader_title: str
    reason: str
    current: bool
    recorded: Stamp


class Withdrawal(Part):
    """撤回."""

    reason: str
    recorded: Stamp


class Closure(Part):
    """销号."""

    outcome: CloseOutcome
    outcome_label: str
    remark: str
    recorded: Stamp


def summary(state: CaseState) -> CaseSummary:
    j = state.jurisdiction
    place = "".join(name for name in (j.county_name, j.town_name, j.village_name) if name)
    raised = [flag for flag, up in state.flags.model_dump().items() if up]
    return CaseSummary(
        case_id=state.case_id,
        kind=state.kind,
        kind_label=CASE_KIND_LABELS[state.kind],
        title=state.title,
        description=state.description,
        category=state.category,
        category_label=CATEGORY_LABELS[state.category],
        channel=state.channel,
        channel_label=CHANNEL_LABELS[state.channel],
        jurisdiction=Jurisdiction(
            county_code=j.county_code,
            town_code=j.town_code,
            village_code=j.village_code,
            county_name=j.county_name,
            town_name=j.town_name,
            village_name=j.village_name,
            code=j.code,
            label=place or j.code,
        ),
        risk_level=state.risk_level,
        risk_label=RISK_LABELS[state.risk_level],
        risk_flags=raised,
        risk_flag_labels=[RISK_FLAG_LABELS.get(flag, flag) for flag in raised],
        stage=state.stage,
        stage_label=STAGE_LABELS[state.stage],
        received_on=receipt_on(state),  # the day of registration when none was stated
        registered=stamp(state.registered),
        accepted=stamp(state.accepted) if state.accepted else None,
        updated_at=state.updated_at,
        seq=state.seq,
        diverted_to=state.diverted_to,
    )


def parties(state: CaseState) -> Parties:
    return Parties(
        applicants=[_party(p) for p in state.applicants],
        respondents=[_party(p) for p in state.respondents],
        third_parties=[_party(p) for p in state.third_parties],
        agents=[_agent(a, state.kind) for a in state.agents],
    )


def decline(state: CaseState) -> Decline | None:
    if state.decline is None:
        return None
    return Decline(
        reason=state.decline.reason,
        referral=state.decline.referral,
        recorded=stamp(state.decline.recorded),
    )


def plans(state: CaseState) -> list[Plan]:
    return [
        Plan(
            revision=plan.revision,
            responsible_unit=plan.responsible_unit,
            responsible_person=plan.responsible_person,
            measures=list(plan.measures),
            deadline=plan.deadline,
            note=plan.note,
            recorded=stamp(plan.recorded),
        )
        for plan in state.plans
    ]


def package_leaders(state: CaseState) -> list[PackageLeader]:
    return [
        PackageLeader(
            leader_name=leader.leader_name,
            leader_title=leader.leader_title,
            reason=leader.reason,
            current=n == len(state.package_leaders),
            recorded=stamp(leader.recorded),
        )
        for n, leader in enumerate(state.package_leaders, start=1)
    ]


def withdrawal(state: CaseState) -> Withdrawal | None:
    if state.withdrawal is None:
        return None
    return Withdrawal(reason=state.withdrawal.reason, recorded=stamp(state.withdrawal.recorded))


def closure(state: CaseState) -> Closure | None:
    if state.closure is None:
        return None
    return Closure(
        outcome=state.closure.outcome,
        outcome_label=OUTCOME_LABELS[state.closure.outcome],
        remark=state.closure.remark,
        recorded=stamp(state.closure.recorded),
    )


def _party(party: CaseParty) -> Party:
    return Party(
        name=party.name,
        party_type=party.party_type,
        id_number=party.id_number,
        phone=party.phone,
        address=party.address,
        watched=party.watched,
        party_type_label=PARTY_TYPE_LABELS[party.party_type],
        gender_label=GENDER_LABELS[party.gender] if party.gender else None,
        ethnicity=party.ethnicity,
        birth_date=party.birth_date.isoformat() if party.birth_date else None,
        credit_code=party.credit_code,
        legal_representative=party.legal_representative,
        headcount=party.headcount,
        representatives=[
            Representative(name=r.name, id_number=r.id_number, phone=r.phone)
            for r in party.representatives
        ],
    )


def _agent(agent: CaseAgent, kind: CaseKind) -> Agent:
    return Agent(
        name=agent.name,
        represents=[party_place(ref, kind) for ref in agent.represents],
        authority_label=AUTHORITY_LABELS[agent.authority],
        powers=agent.powers,
        relation_label=RELATION_LABELS[agent.relation],
        employer=agent.employer,
        id_number=agent.id_number,
        phone=agent.phone,
    )
