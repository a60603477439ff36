"""当事人 and those acting for them: parties, 代表人, 代理人 and 第三人, as intake records them.

A party (当事人) is a natural person (自然人: 性别, 民族, 出生日期, 身份证号码) or an organisation
(法人或其他组织: 统一社会信用代码 checked against GB 32100-2015, 法定代表人). A group dispute
(群体性纠纷) is entered as one party with a headcount (人数) and the representatives (代表人) the
group chose, or as one row per person: both are accepted. An agent (代理人) acts for one or more
parties, with a general (一般授权) or special (特别授权, the powers written out) authority.

Every field added here is optional with a default, so events recorded before them still read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from domain.base import Frozen
from domain.days import Day
from domain.text import Address, Name, OptionalText, ShortText
from domain.values import CaseKind, PartyType, Phone, ResidentId


class Gender(StrEnum):
    """性别."""

    MALE = "male"
    FEMALE = "female"


class PartySide(StrEnum):
    """Where a party stands: 申请人 (信访人) / 被申请人 (被反映人) / 第三人."""

    APPLICANTS = "applicants"
    RESPONDENTS = "respondents"
    THIRD_PARTIES = "third_parties"


class AgentAuthority(StrEnum):
    """一般授权 / 特别授权 (代为承认、放弃、变更请求，达成调解协议…: the powers written out)."""

    GENERAL = "general"
    SPECIAL = "special"


class AgentRelation(StrEnum):
    """代理人与被代理人的关系."""

    LAWYER = "lawyer"
    LEGAL_WORKER = "legal_worker"
    RELATIVE = "relative"
    EMPLOYEE = "employee"
    COMMUNITY = "community"
    OTHER = "other"


# GB 32100-2015 统一社会信用代码: 18 characters of this alphabet (no I, O, Z, S, V), the last a
# check character: 31 − (Σ value × weight mod 31), 31 written as 0.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check(first17: str) -> str:
    """The check character of a 统一社会信用代码 whose first 17 characters are ``first17``."""
    total = sum(
        _CREDIT_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def _valid_credit_code(value: str) -> str:
    value = value.strip().upper()
    if len(value) != 18 or any(char not in _CREDIT_ALPHABET for char in value):
        raise ValueError(
            "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
            " / the unified social credit code must be 18 digits or capital letters"
        )
    if credit_code_check(value[:17]) != value[17]:
        raise ValueError(
            "统一社会信用代码校验位错误 / the unified social credit code's check character is wrong"
        )
    return value


CreditCode = Annotated[str, AfterValidator(_valid_credit_code)]
Headcount = Annotated[int, Field(ge=1, le=100_000)]


class Representative(Frozen):
    """代表人: a person a group chose to speak for it."""

    name: Name
    id_number: ResidentId | None = None
    phone: Phone | None = None


class Party(Frozen):
    """当事人: a person or an organisation in the case (or a group, with 人数 and 代表人)."""

    name: ShortText
    party_type: PartyType = PartyType.PERSON
    id_number: ResidentId | None = None
    phone: Phone | None = None
    address: Address | None = None
    # 重点人员 (稳控对象): shown to leaders and auditors only.
    watched: bool = False
    gender: Gender | None = None
    ethnicity: Name | None = None  # 民族
    birth_date: Day | None = None
    credit_code: CreditCode | None = None  # 统一社会信用代码
    legal_representative: Name | None = None  # 法定代表人 (负责人)
    # 群体性纠纷: the people this entry stands for, and whom they chose to speak for them.
    headcount: Headcount | None = None
    representatives: Annotated[tuple[Representative, ...], Field(max_length=20)] = ()

    @model_validator(mode="after")
    def _fits_its_type(self) -> Self:
        if self.party_type is PartyType.ORGANISATION:
            if self.gender or self.ethnicity or self.birth_date or self.id_number:
                raise ValueError(
                    "单位当事人不填性别、民族、出生日期、身份证号码"
                    " / an organisation has no gender, ethnicity, birth date or ID number"
                )
        elif self.credit_code or self.legal_representative:
            raise ValueError(
                "自然人不填统一社会信用代码、法定代表人"
                " / a person has no credit code or legal representative"
            )
        if self.representatives and self.headcount is None:
            raise ValueError(
                "有代表人时须填人数 / a group with representatives needs its headcount"
            )
        return self

    @property
    def people(self) -> int:
        """How many people this entry stands for."""
        return self.headcount or 1


class PartyRef(Frozen):
    """One party by its side and place in that side's list (0 = the first)."""

    side: PartySide
    index: Annotated[int, Field(ge=0)]


class Agent(Frozen):
    """代理人: acts for the parties in ``represents`` with an authority."""

    name: Name
    represents: Annotated[tuple[PartyRef, ...], Field(min_length=1, max_length=200)]
    authority: AgentAuthority = AgentAuthority.GENERAL
    powers: OptionalText = ""  # 特别授权的代理权限
    relation: AgentRelation = AgentRelation.OTHER
    employer: ShortText | None = None  # 律师事务所、法律服务所或单位
    id_number: ResidentId | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _powers_written(self) -> Self:
        if self.authority is AgentAuthority.SPECIAL and not self.powers:
            raise ValueError(
                "特别授权须写明代理权限 / a special authority needs its powers written out"
            )
        return self


GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女"}
AUTHORITY_LABELS = {AgentAuthority.GENERAL: "一般授权", AgentAuthority.SPECIAL: "特别授权"}
RELATION_LABELS = {
    AgentRelation.LAWYER: "律师",
    AgentRelation.LEGAL_WORKER: "基层法律服务工作者",
    AgentRelation.RELATIVE: "近亲属",
    AgentRelation.EMPLOYEE: "当事人的工作人员",
    AgentRelation.COMMUNITY: "社区、单位或有关社会团体推荐的公民",
    AgentRelation.OTHER: "其他",
}

SIDE_LABELS = {
    PartySide.APPLICANTS: "申请人",
    PartySide.RESPONDENTS: "被申请人",
    PartySide.THIRD_PARTIES: "第三人",
}
# 信访事项: 信访人 and 被反映人.
PETITION_SIDE_LABELS = {
    **SIDE_LABELS,
    PartySide.APPLICANTS: "信访人",
    PartySide.RESPONDENTS: "被反映人",
}


def party_place(ref: PartyRef, kind: CaseKind) -> str:
    """``申请人1``: a party's side as the case kind names it, and its place (from 1)."""
    labels = PETITION_SIDE_LABELS if kind is CaseKind.PETITION else SIDE_LABELS
    return f"{labels[ref.side]}{ref.index + 1}"
