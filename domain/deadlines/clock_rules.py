"""Clock rules as data (时限规则): what starts and stops a clock, how long it runs, and how it
may be paused or extended.

A case keeps the rules in force at intake (``domain.case.policy.CasePolicy``). Each rule names
the counting rules it was written for (``counting``): 2026.1, the default when the field is absent
(every snapshot recorded before 2026.2), counts from the recording instant with
``domain.deadlines.periods``; 2026.2 counts as a court does, with ``domain.deadlines.reckoning``.
A snapshot keeps its rules, so a case counts under the rules it was opened with for its whole life.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from domain.base import Frozen
from domain.deadlines.periods import PeriodUnit
from domain.values import CaseKind, Category, Channel, MediationType


class Counting(StrEnum):
    """Which counting rules a clock rule was written for."""

    # Clocks start at the recording instant; months as 30 days; pauses shift the start by
    # calendar days; extensions add to the length; caps from their ``from_event`` as recorded.
    RECORDED_2026_1 = "2026.1"
    # As a court counts (docs/domain.md, "How a period is counted"): domain.deadlines.reckoning.
    LEGAL_2026_2 = "2026.2"


class Confidence(StrEnum):
    """V read verbatim in the official text; S only in third-party copies; R recalled; D default."""

    VERBATIM = "V"
    SECONDARY = "S"
    RECALLED = "R"
    DEFAULT = "D"


class ExpiryAction(StrEnum):
    ESCALATE = "escalate"  # raise a breach alert and walk the escalation chain
    FAIL_MEDIATION = "fail_mediation"  # the period's end is the mediation's failure (E4)
    CLOSE_WINDOW = "close_window"  # a request window lapses; nothing is overdue (B7)
    FINALIZE = "finalize"  # a review window lapses: the last answer is final (A7, A8)


class DueSource(StrEnum):
    """Where a clock's length comes from."""

    RULE = "rule"  # ``length`` and ``unit`` of the rule
    PLAN_DEADLINE = "plan_deadline"  # 一案一策 化解时限 chosen by the center
    ITEM_DUE = "item_due"  # the agreement's performance item due date
    ASSIGNMENT_DEADLINE = "assignment_deadline"  # 交办: the report-back deadline the assigner set
    INSTRUCTION_DEADLINE = "instruction_deadline"  # 批示: the 落实时限 the leader set
    LISTING_DEADLINE = "listing_deadline"  # 挂牌督办: the 督办时限 the lister set


class ClockOwner(StrEnum):
    """Who a clock's first alert goes to (the first level of the escalation chain)."""

    CASE = "case"  # the case's responsible person (一案一策 责任人, 包案领导…)
    INCOMING = "incoming"  # the organisation a transfer awaits (签收时限)
    DEPARTMENT = "department"  # the department of the assignment (交办反馈时限)


class ExtensionKind(StrEnum):
    LENGTH = "length"  # approved: so many more days, counted from the original end
    AGREED_END_DATE = "agreed_end_date"  # the parties agree a new end date (E4, 条例 Art.38)


class LimitBasis(StrEnum):
    """Where a limit on extensions comes from: the law itself, or a local policy choice."""

    LAW = "law"
    LOCAL_POLICY = "local_policy"


class Extension(Frozen):
    """延期: how often, how long, approved by whom, and whether the limit is law or local policy.

    ``unit`` is the unit of an extension's length (the rule's unit when absent; calendar days
    for a rule counted in months).
    """

    max_count: Annotated[int, Field(ge=1)] = 1
    max_length: Annotated[int, Field(ge=1)] | None = None
    approver: str
    kind: ExtensionKind = ExtensionKind.LENGTH
    unit: PeriodUnit | None = None
    limit_basis: LimitBasis = LimitBasis.LAW
    limit_source: str = ""

    @model_validator(mode="after")
    def _limited(self) -> Self:
        if self.kind is ExtensionKind.LENGTH and self.max_length is None:
            raise ValueError("an extension by length needs max_length")
        if self.limit_basis is LimitBasis.LOCAL_POLICY and not self.limit_source:
            raise ValueError("a limit set by local policy names its source (limit_source)")
        return self


class Cap(Frozen):
    """A hard outer limit counted from another event (e.g. C5's 30 days over C4)."""

    rule_id: str
    length: Annotated[int, Field(ge=1)]
    unit: PeriodUnit
    from_event: str


class ClockRule(Frozen):
    rule_id: str
    name: str
    source: str
    confidence: Confidence
    kinds: tuple[CaseKind, ...] = (CaseKind.DISPUTE,)
    categories: tuple[Category, ...] = ()  # empty: every category
    channels: tuple[Channel, ...] = ()  # empty: every channel
    start_on: tuple[str, ...]
    stop_on: tuple[str, ...]
    due_source: DueSource = DueSource.RULE
    length: Annotated[int, Field(ge=0)] = 0
    unit: PeriodUnit = PeriodUnit.CALENDAR_DAYS
    warn_before_hours: Annotated[int, Field(ge=0)] = 72
    pausable_for: tuple[str, ...] = ()  # e.g. appraisal 鉴定, hearing 听证
    extension: Extension | None = None
    cap: Cap | None = None
    expiry: ExpiryAction = ExpiryAction.ESCALATE
    note: str = ""
    counting: Counting = Counting.RECORDED_2026_1
    # Empty: any mediation. Otherwise the clock starts only once the case's mediation is of one
    # of these types (e.g. E4 people's, E5 administrative medical mediation).
    mediation_types: tuple[MediationType, ...] = ()
    # The legal fact the period counts from when it is not the starting event itself (E4, E5
    # start when the mediation's type is known and count from the acceptance).
    counted_from: str | None = None
    # Whose clock it is: the first level of its alerts goes there (absent: the case's own).
    owner: ClockOwner = ClockOwner.CASE
    # The named escalation chain its alerts walk (absent: the case's chain), e.g. 批示落实.
    chain: str | None = None

    @property
    def for_handoffs(self) -> bool:
        """A clock of the hand-offs between organisations (TAKE, A4), added in policy 2026.3."""
        return bool(HANDOFF_EVENTS.intersection(self.start_on))

    def applies_to(self, kind: CaseKind, category: Category, channel: Channel) -> bool:
        return (
            kind in self.kinds
            and (not self.categories or category in self.categories)
            and (not self.channels or channel in self.channels)
        )

    @model_validator(mode="after")
    def _length_given(self) -> Self:
        if self.due_source is DueSource.RULE and self.length == 0:
            raise ValueError(f"rule {self.rule_id}: a rule-length clock needs a length")
        if self.counting is Counting.RECORDED_2026_1:
            legacy_only = (
                self.unit is PeriodUnit.MONTHS
                or (self.cap is not None and self.cap.unit is PeriodUnit.MONTHS)
                or (self.extension is not None and self.extension.unit is not None)
                or (
                    self.extension is not None
                    and self.extension.kind is ExtensionKind.AGREED_END_DATE
                )
                or bool(self.mediation_types)
                or self.counted_from is not None
            )
            if legacy_only:
                raise ValueError(
                    f"rule {self.rule_id}: months, agreed end dates, extension units, mediation "
                    "types and counted_from need counting 2026.2"
                )
        return self


# The events of hand-offs between organisations (转办 签收 退回 交办 反馈 上提 联合调处).
HANDOFF_EVENTS = frozenset(
    {
        "case_transferred",
        "transfer_taken",
        "transfer_returned",
        "transfer_recalled",
        "case_assigned",
        "report_back_recorded",
        "case_lifted",
        "co_handler_added",
        "co_handler_removed",
    }
)
