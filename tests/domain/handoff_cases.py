"""A case driven through ``decide``/``evolve`` with the shipped policy, for the hand-off tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from activities.policy.book import PolicyBook
from domain.case import commands as c
from domain.case.decide import advance, amend_policy, decide, snapshot_policy
from domain.case.events import Event
from domain.case.evolve import fold
from domain.case.policy import CasePolicy, case_policy
from domain.case.state import CaseState
from domain.errors import DomainError
from domain.organisation.organisations import OrgLevel, OrgRef, OrgType, Routing
from domain.values import CaseKind, Category, Channel, RiskLevel, china_date
from tests.domain.official_calendar import OFFICIAL
from tests.samples import ORGS, T0, command, register

BOOK = PolicyBook.load()

VILLAGE = OrgRef(
    org_id="xw-cjl-committee",
    name="长江路社区人民调解委员会",
    level=OrgLevel.VILLAGE,
    type=OrgType.MEDIATION_COMMITTEE,
)
TOWN = OrgRef(
    org_id="xw-myxc-center",
    name="梅园新村街道矛盾纠纷调解中心",
    level=OrgLevel.TOWN,
    type=OrgType.CENTER,
)
LABOUR_ROOM = OrgRef.model_validate(ORGS["xw-labour-room"])
HRSS = OrgRef.model_validate(ORGS["xw-hrss"])
COUNTY = OrgRef.model_validate(ORGS["xw-county-center"])
POLICE = OrgRef.model_validate(ORGS["xw-police-room"])
HOUSING = OrgRef(
    org_id="xw-housing",
    name="玄武区住房和城乡建设局",
    level=OrgLevel.COUNTY,
    type=OrgType.DEPARTMENT,
)


def current_policy(kind: CaseKind = CaseKind.DISPUTE, **selection: Any) -> CasePolicy:
    """The shipped policy (2026.3) as a case of ``kind`` snapshots it."""
    return case_policy(
        BOOK.base,
        OFFICIAL,
        kind=kind,
        category=selection.get("category", Category.NEIGHBOURHOOD),
        channel=selection.get("channel", Channel.WALK_IN),
        risk=selection.get("risk", RiskLevel.LOW),
    )


def policy_before_handoffs() -> CasePolicy:
    """A snapshot as a case registered under 2026.2 holds it: no hand-off clocks, no lift rules."""
    policy = current_policy()
    return policy.model_copy(
        update={
            "version": "2026.2",
            "rules": tuple(r for r in policy.rules if not r.for_handoffs),
            "lift_rules": (),
        }
    )


def org(ref: OrgRef) -> dict[str, Any]:
    return ref.model_dump(mode="json")


class Case:
    """One case: commands decided and folded at a moving ``now`` (a minute apart by default)."""

    def __init__(
        self,
        *,
        holder: OrgRef | None = VILLAGE,
        policy: CasePolicy | None = None,
        now: datetime = T0,
        **intake: Any,
    ) -> None:
        self.now = now
        self.events: list[Event] = []
        routing = Routing(chosen=holder) if holder is not None else None
        self._record(decide(None, self._envelope(register(routing=routing, **intake)), now=now))
        if policy is None:
            kind = CaseKind(intake.get("kind", "dispute"))
            policy = current_policy(
                kind,
                category=Category(intake.get("category", "neighbourhood")),
                channel=Channel(intake.get("channel", "walk_in")),
                risk=RiskLevel(intake.get("risk_level", "low")),
            )
        self._record(snapshot_policy(self.state, policy, actor="系统", command_id="p", now=now))

    @property
    def state(self) -> CaseState:
        state = fold(self.events)
        assert state is not None
        return state

    def _envelope(self, cmd: c.Command) -> c.CommandEnvelope:
        return c.CommandEnvelope(command_id=f"cmd-{len(self.events)}", actor="王芳", command=cmd)

    def _record(self, events: list[Event]) -> list[Event]:
        self.events += events
        return events

    def command(self, action: str, **overrides: Any) -> c.Command:
        return command(action, china_date(self.now), **overrides)

    def apply(self, cmd: c.Command, *, after: timedelta = timedelta(minutes=1)) -> list[Event]:
        self.now += after
        return self._record(decide(self.state, self._envelope(cmd), now=self.now))

    def do(
        self, action: str, *, after: timedelta = timedelta(minutes=1), **body: Any
    ) -> list[Event]:
        """Apply ``action`` ``after`` the last moment; the events it recorded."""
        self.now += after
        return self._record(
            decide(self.state, self._envelope(self.command(action, **body)), now=self.now)
        )

    def refusal(self, action: str, **body: Any) -> DomainError:
        """The error ``action`` is refused with (and nothing recorded)."""
        before = len(self.events)
        try:
            self.do(action, **body)
        except DomainError as error:
            assert len(self.events) == before
            return error
        raise AssertionError(f"{action} was not refused")

    def advance_to(self, moment: datetime) -> list[Event]:
        """What the workflow's timer records when it fires at ``moment``."""
        self.now = moment
        return self._record(advance(self.state, now=moment))

    def amend(self, policy: CasePolicy | None = None) -> list[Event]:
        return self._record(amend_policy(self.state, policy or current_policy(), now=self.now))


def types(events: list[Event]) -> list[str]:
    return [event.type for event in events]
