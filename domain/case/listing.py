"""decide and fold for 挂牌督办 (listing) and 摘牌 (delisting); the listing's clock and who its
overdue alert reaches (the handling unit, the lister, then the level above the lister).
"""

from __future__ import annotations

from datetime import date, datetime

from domain.case import commands as c
from domain.case import events as e
from domain.case.clocks import Clock, start_clock
from domain.case.facts import not_before
from domain.case.listing_records import LEVEL_LABELS, Listing, above, leader_level
from domain.case.stages import Stage
from domain.case.state import CaseState, Stamp
from domain.deadlines.calendar import HolidayCalendar
from domain.deadlines.clock_rules import ClockRule, DueSource
from domain.deadlines.counting import FactDate
from domain.errors import ForbiddenTransition, NotYourTurn

# A case is resolved (化解) once mediation succeeded, or a petition has its answer.
RESOLVED = frozenset(
    {
        Stage.AGREEMENT_REACHED,
        Stage.CONFIRMATION_PENDING,
        Stage.FOLLOWING_UP,
        Stage.REPLIED,
        Stage.REVIEWED,
        Stage.FINAL,
    }
)


def listing_bodies(state: CaseState, command: c.Command, today: date) -> list[e.EventBody]:
    match command:
        case c.ListCase():
            return [_list(state, command, today)]
        case c.DelistCase():
            current = state.open_listing
            if current is None:
                raise ForbiddenTransition("本案未挂牌督办", "the case is not listed")
            if state.stage not in RESOLVED:
                raise ForbiddenTransition(
                    "案件尚未化解，不能摘牌（须调解成功或信访事项已出具处理意见）",
                    "the case is not resolved yet; it cannot be delisted",
                )
            approvers = {current.lister_user_id, current.delegate} - {None}
            if command.approver_user_id not in approvers:
                raise NotYourTurn(
                    "摘牌须经挂牌领导（或其委托的人员）审批",
                    "delisting needs the approval of the lister or their delegate",
                )
            return [e.CaseDelisted(note=command.note, listing_no=current.listing_no)]
    raise AssertionError(f"not a listing command: {command.type}")


def _list(state: CaseState, command: c.ListCase, today: date) -> e.CaseListed:
    policy = state.policy
    if policy is None or policy.listing is None:
        raise ForbiddenTransition(
            "本案适用的时限规则未规定挂牌督办", "the case's policy has no listed supervision"
        )
    allowed = policy.listing.levels
    if leader_level(command.lister_jurisdiction) not in allowed:
        names = "、".join(LEVEL_LABELS.get(level, level) for level in allowed)
        raise NotYourTurn(
            f"挂牌督办须由{names}领导决定", f"only a leader of level {', '.join(allowed)} lists"
        )
    if state.open_listing is not None:
        raise ForbiddenTransition(
            "本案已挂牌督办，摘牌前不能再次挂牌", "the case is listed already"
        )
    not_before(command.deadline, today, "deadline", "今天", "today")
    return e.CaseListed(**command.model_dump(exclude={"type"}), listing_no=len(state.listings) + 1)


def listing_rule(state: CaseState) -> ClockRule | None:
    rules = state.policy.rules if state.policy else ()
    return next((r for r in rules if r.due_source is DueSource.LISTING_DEADLINE), None)


def listing_clock_id(rule_id: str, listing_no: int) -> str:
    """One clock per listing: ``L1-1``, ``L1-2``…"""
    return f"{rule_id}-{listing_no}"


def listing_changes(state: CaseState, body: e.EventBody, stamp: Stamp) -> dict[str, object]:
    """The fields a listing event changes, or {} for an event of another kind."""
    match body:
        case e.CaseListed():
            rule = listing_rule(state)
            listing = Listing(
                listing_no=body.listing_no,
                deadline=body.deadline,
                supervising_unit=body.supervising_unit,
                supervising_unit_name=body.supervising_unit_name,
                reason=body.reason,
                lister=stamp.by,
                lister_user_id=body.lister_user_id,
                lister_jurisdiction=body.lister_jurisdiction,
                delegate=body.delegate,
                clock_id=listing_clock_id(rule.rule_id, body.listing_no) if rule else None,
                at=stamp.at,
            )
            return {"listings": (*state.listings, listing)}
        case e.CaseDelisted():
            done = {"delisted_at": stamp.at, "delisted_by": stamp.by, "delist_note": body.note}
            return {
                "listings": tuple(
                    x.model_copy(update=done) if x.listing_no == body.listing_no else x
                    for x in state.listings
                )
            }
    return {}


def listing_clock(
    state: CaseState,
    rule: ClockRule,
    now: datetime,
    calendar: HolidayCalendar,
    start: FactDate | None,
) -> Clock | None:
    """The 督办时限 clock of the listing just recorded (None if it has one already)."""
    listing = state.open_listing
    if listing is None or listing.clock_id is None or state.clock(listing.clock_id) is not None:
        return None
    return start_clock(
        rule,
        clock_id=listing.clock_id,
        now=now,
        calendar=calendar,
        fixed_day=listing.deadline,
        subject=f"第{listing.listing_no}次挂牌督办",
        start=start,
    )


def listing_recipients(state: CaseState, clock: Clock | None) -> dict[str, str | None]:
    """The lister and the level above them, for the clock of a listing."""
    found = next((x for x in state.listings if clock and x.clock_id == clock.clock_id), None)
    if found is None:
        return {}
    where = found.lister_jurisdiction
    return {
        "listing_leader": found.lister,
        "above_lister": above(where) if where else None,
    }
