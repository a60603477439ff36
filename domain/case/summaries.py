"""Chinese event summaries (事件摘要): one short sentence per event, for timelines and the dossier.

A summary is written from labels, dates, staff names, courts and numbers only: it never repeats
a party's identity or the free text of an event (the dossier's sections take those from the
case state, which the caller masks). A fact recorded after the day it happened says so (补录:
the legal date, the recording date and how many days lay between). Pure: the case as it stands
is an argument; nothing here reads a clock, a file or the database, so the live timeline needs
no document code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time, timedelta

from domain.case import events as e
from domain.case.agenda import agenda_summary
from domain.case.clocks import ClockStatus
from domain.case.evolve import fold
from domain.case.facts import late_days, stated_date
from domain.case.issued import DOCUMENT_TITLES
from domain.case.labels import (
    AGREEMENT_FORM_LABELS,
    ALERT_KIND_LABELS,
    CASE_KIND_LABELS,
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    CLOCK_STATUS_LABELS,
    COURT_DECISION_LABELS,
    EVENT_LABELS,
    MEDIATION_TYPE_LABELS,
    OUTCOME_LABELS,
    PAUSE_REASON_LABELS,
    PERFORMANCE_LABELS,
    PERIOD_UNIT_LABELS,
    RECIPIENT_LABELS,
    REFERRAL_LABELS,
    RISK_LABELS,
    SATISFACTION_LABELS,
    calendar_label,
    chain_label,
)
from domain.case.leader_summaries import leader_summary
from domain.case.state import CaseState
from domain.deadlines.counting import fact_name
from domain.deadlines.periods import Due
from domain.parties import PETITION_SIDE_LABELS, SIDE_LABELS, PartySide
from domain.values import CHINA_TZ, CaseKind, china_date


def event_summaries(events: Sequence[e.Event]) -> dict[int, str]:
    """seq → a short Chinese sentence saying what the event changed (for timelines)."""
    state = fold(list(events))
    if state is None:
        return {}
    return {event.seq: text for event, text in zip(events, summarize(state, events), strict=True)}


def summarize(state: CaseState, events: Sequence[e.Event]) -> list[str]:
    """One sentence per event, in order; ``state`` is the case as it stands after them (its
    clocks name the clocks an event mentions, its alerts and jurisdiction name the alerts)."""
    clock_names = {clock.clock_id: clock.name for clock in state.clocks}
    clock_units = {clock.clock_id: PERIOD_UNIT_LABELS[clock.unit] for clock in state.clocks}
    summary = _Summaries(state, clock_names, clock_units)
    texts = []
    for event in events:
        body = event.body
        # A clock no longer in the state is still named by the event that started it.
        if isinstance(body, e.ClockStarted):
            clock_names.setdefault(body.clock.clock_id, body.clock.name)
            clock_units.setdefault(body.clock.clock_id, PERIOD_UNIT_LABELS[body.clock.unit])
        texts.append(summary(body) + late_entry_note(event))
    return texts


def late_entry_note(event: e.Event) -> str:
    """``（补录：事实日期 2026-03-02，2026-03-12 录入，晚 10 日）`` for a fact recorded late."""
    days = late_days(event)
    stated = stated_date(event.body)
    if not days or stated is None:
        return ""
    return f"（补录：事实日期 {stated}，{china_date(event.at)} 录入，晚 {days} 日）"


def due_text(due: Due) -> str:
    """A due instant as the law states it: the last day's 24:00 rather than 00:00 of the next."""
    local = due.due_at.astimezone(CHINA_TZ)
    if local.time() == time.min:
        return f"{(local.date() - timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def recipient_label(state: CaseState, recipient: str) -> str:
    """``person:王芳`` → ``责任人 王芳``; a town or county code becomes its name when known."""
    role, _, who = recipient.partition(":")
    if role in ("org", "org-head"):
        name = _organisation_name(state, who)
        if name:
            return f"{name}负责人" if role == "org-head" else name
    j = state.jurisdiction
    if role == "town-leader" and who == j.town_code and j.town_name:
        return f"{j.town_name}领导"
    if role == "county-leader" and who == j.county_code and j.county_name:
        return f"{j.county_name}领导"
    label = RECIPIENT_LABELS.get(role)
    return f"{label} {who}" if label else recipient


def _organisation_name(state: CaseState, org_id: str) -> str | None:
    """The name the case recorded for ``org_id`` (hand-offs, assignments, co-handlers)."""
    orgs = [
        *(h.organisation for h in state.handoffs),
        *(a.department for a in state.assignments),
        *state.co_handlers,
    ]
    if state.pending_transfer is not None:
        orgs.append(state.pending_transfer.to_organisation)
    return next((org.name for org in orgs if org.org_id == org_id), None)


def _served(body: e.PetitionReplied | e.ReviewAnswered | e.SecondReviewAnswered) -> str:
    return f"，{body.served_on}送达信访人" if body.served_on else ""


class _Summaries:
    """A short Chinese sentence per event body."""

    def __init__(
        self, state: CaseState, clock_names: dict[str, str], clock_units: dict[str, str]
    ) -> None:
        self._state = state
        self._clock_names = clock_names
        self._clock_units = clock_units

    def _clock(self, clock_id: str) -> str:
        return self._clock_names.get(clock_id, clock_id)

    def _alert(self, alert_id: str) -> str:
        """``重大矛盾纠纷直报（JF-2026-000123-A1）``."""
        alert = self._state.alert(alert_id)
        return f"{ALERT_KIND_LABELS[alert.kind]}（{alert_id}）" if alert else alert_id

    def __call__(self, body: e.EventBody) -> str:  # noqa: C901
        agenda = agenda_summary(body)
        if agenda is not None:
            return agenda
        match body:
            case e.CaseRegistered():
                sides = PETITION_SIDE_LABELS if body.kind is CaseKind.PETITION else SIDE_LABELS
                # A group entered as one party counts its 人数 (12名工人: 申请人12人).
                counted = [
                    f"{sides[side]}{sum(p.people for p in parties)}人"
                    for side, parties in (
                        (PartySide.APPLICANTS, body.applicants),
                        (PartySide.RESPONDENTS, body.respondents),
                        (PartySide.THIRD_PARTIES, body.third_parties),
                    )
                    if parties
                ]
                text = (
                    f"登记{CASE_KIND_LABELS[body.kind]}（{CATEGORY_LABELS[body.category]}，"
                    f"来源：{CHANNEL_LABELS[body.channel]}），{'、'.join(counted)}"
                )
                text = f"{text}；风险等级：{RISK_LABELS[body.risk_level]}"
                leader = body.package_leader
                if leader is not None:  # 领导接访: the receiving leader takes it in charge
                    text += f"；接访领导{leader.leader_name}（{leader.leader_title}）包案"
                return text
            case e.CaseAccepted():
                return f"案件受理（{body.accepted_on}）" if body.accepted_on else "案件受理"
            case e.CaseDeclined():
                return f"不予受理，转送：{body.referral}"
            case e.PlanRevised():
                return (
                    f"一案一策第{body.revision}版：责任单位{body.responsible_unit}，"
                    f"责任人{body.responsible_person}，化解措施{len(body.measures)}项，"
                    f"化解时限{body.deadline.isoformat()}"
                )
            case e.PackageLeaderAssigned():
                text = f"{body.leader_title}{body.leader_name}包案"
                return f"{text}（接替{body.replaces}）" if body.replaces else text
            case e.MediationStarted():
                since = f"（{body.started_on}开始）" if body.started_on else ""
                return (
                    f"第{body.round}轮{MEDIATION_TYPE_LABELS[body.mediation_type]}{since}，"
                    f"调解员：{'、'.join(body.mediators)}"
                )
            case e.SessionRecorded():
                # 参加N人 only when the attendees were recorded (none listed is not "0 attended").
                came = f"，参加{len(body.attendees)}人" if body.attendees else ""
                text = (
                    f"第{body.session_no}次调解会（{body.held_on.isoformat()}），"
                    f"调解员：{'、'.join(body.mediators)}{came}"
                )
                return text + "，含心理疏导" if body.counselling else text
            case e.AgreementRecorded():
                return (
                    f"第{body.agreement_no}份调解协议（{AGREEMENT_FORM_LABELS[body.form]}），"
                    f"签订于{body.signed_on.isoformat()}，履行事项{len(body.items)}项"
                )
            case e.MediationFailed():
                return f"调解不成，已告知{REFERRAL_LABELS[body.referral]}途径"
            case e.JudicialConfirmationApplied():
                return f"向{body.court}申请司法确认（{body.applied_on.isoformat()}）"
            case e.CourtAcceptanceRecorded():
                return f"法院于{body.accepted_on.isoformat()}受理司法确认申请"
            case e.CourtDecisionRecorded():
                text = f"法院裁定{COURT_DECISION_LABELS[body.decision]}（{body.decided_on}）"
                return f"{text}，{body.ruling_number}" if body.ruling_number else text
            case e.FollowUpRecorded():
                done = [f"第{p.item_no}项{PERFORMANCE_LABELS[p.status]}" for p in body.performance]
                text = f"第{body.visit_no}次回访（{body.visited_on.isoformat()}），"
                text += f"满意度：{SATISFACTION_LABELS[body.satisfaction]}"
                return f"{text}；{'、'.join(done)}" if done else text
            case e.CaseClosed():
                return f"销号：{OUTCOME_LABELS[body.outcome]}"
            case e.CaseWithdrawn():
                return "申请人撤回"
            case e.PolicySnapshotted():
                return (
                    f"适用时限规则 {body.policy.version}（{len(body.policy.rules)}项），"
                    f"{chain_label(body.policy.chain)}，"
                    f"{calendar_label(body.policy.calendar.version)}"
                )
            case e.ClockStarted():
                clock = body.clock
                text = f"{clock.name}开始计时，期限至{due_text(clock.schedule.due)}"
                if clock.start is not None:
                    text += f"（自{fact_name(clock.start.fact)[0]}之日 {clock.start.on} 起算）"
                return (
                    text + "（节假日安排未公布，暂定）" if clock.schedule.due.provisional else text
                )
            case e.ClockPaused():
                reason = PAUSE_REASON_LABELS.get(body.reason, body.reason)
                since = f"自{body.paused_on}起" if body.paused_on else ""
                return f"{self._clock(body.clock_id)}因{reason}{since}中止计时"
            case e.ClockResumed():
                due = due_text(body.schedule.due)
                since = f"自{body.resumed_on}起" if body.resumed_on else ""
                return f"{self._clock(body.clock_id)}{since}恢复计时，期限顺延至{due}"
            case e.ClockExtended():
                ext = body.extension
                if ext.new_end is not None:
                    return (
                        f"{self._clock(body.clock_id)}经{ext.approver}约定延长至{ext.new_end}，"
                        f"期限至{due_text(body.schedule.due)}"
                    )
                unit = self._clock_units.get(body.clock_id, "日")
                return (
                    f"{self._clock(body.clock_id)}延期{ext.length}{unit}（批准：{ext.approver}），"
                    f"期限至{due_text(body.schedule.due)}"
                )
            case e.ClockStopped():
                return f"{self._clock(body.clock_id)}：{CLOCK_STATUS_LABELS[body.status]}"
            case e.ClockWarned():
                return f"{self._clock(body.clock_id)}临近期限"
            case e.ClockExpired():
                return f"{self._clock(body.clock_id)}届满：{CLOCK_STATUS_LABELS[body.status]}"
            case e.ClocksRescheduled() if body.years_added:
                years = "、".join(f"{year}年" for year in body.years_added)
                text = f"补充{years}节假日安排（{calendar_label(body.calendar.version)}）"
                return text + (f"，重算{len(body.schedules)}项期限" if body.schedules else "")
            case e.ClocksRescheduled():
                return f"按节假日安排 {body.calendar.version} 重算{len(body.schedules)}项期限"
            case e.AlertRaised():
                # The title quotes the case title: take it from the (masked) state when there.
                alert = self._state.alert(body.alert.alert_id) or body.alert
                kind = ALERT_KIND_LABELS[alert.kind]
                title = alert.title if kind in alert.title else f"{kind}：{alert.title}"
                who = recipient_label(self._state, body.alert.recipient)
                return f"{title}；第{body.alert.level}级，通知{who}"
            case e.AlertNotified():
                n = body.notification
                if n is None:
                    return f"{self._alert(body.alert_id)}已至最高督办级别，不再升级"
                who = recipient_label(self._state, n.recipient)
                if n.attempt > 1:
                    return (
                        f"{self._alert(body.alert_id)}第{n.level}级再次提醒{who}（第{n.attempt}次）"
                    )
                return f"{self._alert(body.alert_id)}升级至第{n.level}级督办，通知{who}"
            case e.AlertAcknowledged():
                note = f"，签收意见：{body.note}" if body.note else ""
                return f"{self._alert(body.alert_id)}已签收{note}"
            case e.AlertClosed():
                if body.withdrawn:
                    return f"{self._alert(body.alert_id)}撤销（已通知原接收人）：{body.reason}"
                return f"{self._alert(body.alert_id)}解除：{body.reason}"
            case e.BreachWithdrawn():
                what = "申请期限届满" if body.withdrawn is ClockStatus.LAPSED else "逾期"
                fact = EVENT_LABELS.get(body.answered_by, body.answered_by)
                last = f"（最后一日 {body.last_day.isoformat()}）" if body.last_day else ""
                return (
                    f"{self._clock(body.clock_id)}{what}撤销：{fact}的法定日期"
                    f"{body.answered_on.isoformat()}在期限内{last}，"
                    f"现为「{CLOCK_STATUS_LABELS[body.status]}」"
                )
            case e.MediationFailureWithdrawn():
                return f"调解不成撤销，恢复调解中：{body.reason}"
            case e.FinalizationWithdrawn():
                return (
                    f"信访事项终结撤销：{self._clock(body.clock_id)}内"
                    f"（{body.requested_on.isoformat()}）已提出申请"
                )
            case e.PetitionReplied():
                return f"出具处理意见书（{body.answered_on.isoformat()}）{_served(body)}"
            case e.ReviewRequested():
                return f"信访人申请复查（{body.requested_on.isoformat()}）"
            case e.ReviewAnswered():
                return f"作出复查意见（{body.answered_on.isoformat()}）{_served(body)}"
            case e.SecondReviewRequested():
                return f"信访人申请复核（{body.requested_on.isoformat()}）"
            case e.SecondReviewAnswered():
                return f"作出复核意见（{body.answered_on.isoformat()}）{_served(body)}"
            case e.PetitionFinalized():
                return "信访事项终结"
            case e.RepeatRecorded():
                return f"重复信访（{body.received_on.isoformat()}，{CHANNEL_LABELS[body.channel]}）"
            case e.DivertedToMediation():
                return f"转人民调解，关联纠纷案件{body.dispute_case_id}"
            case e.PolicyAmended():
                return self._amended(body)
        return (
            self._handoff(body)
            or leader_summary(self._state, body)
            or EVENT_LABELS.get(body.type, body.type)
        )

    def _amended(self, body: e.PolicyAmended) -> str:
        names = "、".join(rule.name for rule in body.rules)
        text = f"补充适用时限规则 {body.version}"
        text += f"：{names}" if names else "：无新增时限"
        return text + (f"；上提规则{len(body.lift_rules)}项" if body.lift_rules else "")

    def _handoff(self, body: e.EventBody) -> str | None:  # noqa: C901
        """转办 签收 退回 交办 反馈 上提 联合调处: organisations by name, never the free text."""
        match body:
            case e.CaseTransferred():
                since = f"由{body.from_organisation.name}" if body.from_organisation else ""
                return f"{since}转办{body.to_organisation.name}，待其签收"
            case e.TransferTaken():
                return f"{body.organisation.name}签收转办，承办本案"
            case e.TransferReturned():
                return f"{body.organisation.name}退回转办"
            case e.TransferRecalled():
                return f"撤回对{body.organisation.name}的转办（未签收），案件仍由原单位办理"
            case e.CaseAssigned():
                return (
                    f"第{body.assignment_no}次交办{body.department.name}，"
                    f"反馈期限{body.deadline.isoformat()}"
                )
            case e.ReportBackRecorded():
                found = self._state.assignment(body.assignment_no)
                who = found.department.name if found else ""
                on = f"（{body.reported_on.isoformat()}）" if body.reported_on else ""
                return f"{who}反馈第{body.assignment_no}次交办的办理结果{on}"
            case e.CaseLifted():
                since = f"由{body.from_organisation.name}" if body.from_organisation else ""
                return f"{since}上提一级至{body.to_organisation.name}"
            case e.LiftSuggested():
                return body.reason
            case e.CoHandlerAdded():
                return f"{body.organisation.name}参加联合调处"
            case e.CoHandlerRemoved():
                return f"{body.organisation.name}退出联合调处"
            case e.DocumentIssued():
                # The 文号 keeps its own brackets: beside the title, none added around it.
                return (
                    f"出具{DOCUMENT_TITLES[body.kind]}，{body.number.text}"
                    f"（第{body.version}版，内容摘要 {body.content_sha256[:12]}）"
                )
        return None
