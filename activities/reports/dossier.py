"""The case dossier (案件卷宗): the whole case as one JSON document, and as a printable A4 PDF.

``build_dossier`` turns a case and its events into a JSON-ready dict with Chinese labels;
``render_dossier_pdf`` prints that dict. Both are pure apart from reading the font file.

Personal data: parties are copied from ``state`` exactly as given (the caller masks them before
calling; nothing here masks or unmasks). The timeline is written from the events, so its
summaries are built only from labels, dates, staff names, courts and numbers: they never repeat
a party's identity or the free text of an event, which the sections take from ``state``.

PDF library: reportlab rather than fpdf2. Its platypus layer gives flowing tables that split
across pages with repeated header rows, CJK line breaking (``wordWrap="CJK"``) in every
paragraph and table cell, and TrueType collections (``.ttc``, by ``subfontIndex``) embedded as
subsets with a ToUnicode map, so any viewer renders the Chinese and text can be copied out.
It cannot use CFF-outline fonts (Noto CJK ``.otf``/``.ttc``), hence the TrueType fonts below.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as reportlab_paragraph

from domain import events as e
from domain.alerts import Alert
from domain.clocks import Clock
from domain.evolve import fold
from domain.labels import (
    AGREEMENT_FORM_LABELS,
    ALERT_KIND_LABELS,
    ALERT_STATUS_LABELS,
    ANSWER_LEVEL_LABELS,
    CASE_KIND_LABELS,
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    CLOCK_STATUS_LABELS,
    COURT_DECISION_LABELS,
    EVENT_LABELS,
    MEDIATION_TYPE_LABELS,
    OUTCOME_LABELS,
    PARTY_TYPE_LABELS,
    PAUSE_REASON_LABELS,
    PERFORMANCE_LABELS,
    PERIOD_UNIT_LABELS,
    RECIPIENT_LABELS,
    REFERRAL_LABELS,
    RISK_FLAG_LABELS,
    RISK_LABELS,
    ROLE_LABELS,
    SATISFACTION_LABELS,
    STAGE_LABELS,
)
from domain.periods import Due
from domain.policy import ClockRule, DueSource
from domain.state import Agreement, CaseState, JudicialConfirmation, MediationRound, Stamp
from domain.values import CHINA_TZ, AgreementForm, CaseKind, Channel, Party

DOSSIER_TITLE = "案件卷宗"
DOSSIER_SCHEMA_VERSION = 1

# CJK TrueType fonts shipped by Debian packages, most legible first:
# fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming, fonts-droid-fallback.
DEBIAN_CJK_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


class PdfFontUnavailable(RuntimeError):
    """No usable CJK TrueType font: the PDF cannot be printed legibly (the API answers 503)."""

    code = "pdf_font_unavailable"

    def __init__(self, message_zh: str, message_en: str, *, searched: Sequence[Path]) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en
        self.searched = tuple(str(path) for path in searched)


# --------------------------------------------------------------------------------------------
# The JSON document
# --------------------------------------------------------------------------------------------


def build_dossier(
    state: CaseState,
    events: Sequence[e.Event],
    verification: Mapping[str, Any],
    *,
    generated_at: datetime,
    generated_by: str,
    purpose: str | None,
) -> dict[str, Any]:
    """The dossier of one case as a JSON-ready dict (times in China time, ISO 8601 with +08:00).

    ``verification`` is the audit chain check as the caller ran it, copied as given.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    return {
        "document": "case_dossier",
        "schema_version": DOSSIER_SCHEMA_VERSION,
        "title": DOSSIER_TITLE,
        "generated_at": _iso(generated_at),
        "generated_by": generated_by,
        "purpose": purpose,
        "case": _case(state),
        "parties": {
            "applicants": [_party(p) for p in state.applicants],
            "respondents": [_party(p) for p in state.respondents],
        },
        "decline": _decline(state),
        "plans": [
            {
                "revision": plan.revision,
                "responsible_unit": plan.responsible_unit,
                "responsible_person": plan.responsible_person,
                "measures": list(plan.measures),
                "deadline": plan.deadline.isoformat(),
                "note": plan.note,
                "recorded": _stamp(plan.recorded),
            }
            for plan in state.plans
        ],
        "package_leaders": [
            {
                "leader_name": leader.leader_name,
                "leader_title": leader.leader_title,
                "reason": leader.reason,
                "current": n == len(state.package_leaders),
                "recorded": _stamp(leader.recorded),
            }
            for n, leader in enumerate(state.package_leaders, start=1)
        ],
        "mediation_rounds": [_round(r) for r in state.mediation_rounds],
        "mediation_failure": _failure(state),
        "agreements": [_agreement(a) for a in state.agreements],
        "judicial_confirmations": [_confirmation(j) for j in state.judicial_confirmations],
        "follow_ups": [
            {
                "visit_no": visit.visit_no,
                "visited_on": visit.visited_on.isoformat(),
                "satisfaction": visit.satisfaction.value,
                "satisfaction_label": SATISFACTION_LABELS[visit.satisfaction],
                "performance": [
                    {
                        "item_no": p.item_no,
                        "status": p.status.value,
                        "status_label": PERFORMANCE_LABELS[p.status],
                    }
                    for p in visit.performance
                ],
                "notes": visit.notes,
                "recorded": _stamp(visit.recorded),
            }
            for visit in state.follow_ups
        ],
        "petition": _petition(state),
        "withdrawal": (
            {"reason": state.withdrawal.reason, "recorded": _stamp(state.withdrawal.recorded)}
            if state.withdrawal
            else None
        ),
        "closure": (
            {
                "outcome": state.closure.outcome.value,
                "outcome_label": OUTCOME_LABELS[state.closure.outcome],
                "remark": state.closure.remark,
                "recorded": _stamp(state.closure.recorded),
            }
            if state.closure
            else None
        ),
        "policy": _policy(state),
        "clocks": [_clock(state, clock) for clock in state.clocks],
        "alerts": [_alert(state, alert) for alert in state.alerts],
        "timeline": _timeline(state, events),
        "verification": _plain(verification),
    }


def _iso(at: datetime) -> str:
    return at.astimezone(CHINA_TZ).isoformat(timespec="seconds")


def _opt_iso(at: datetime | None) -> str | None:
    return _iso(at) if at is not None else None


def _when(at: datetime) -> str:
    """``2026-03-02 09:31``: an instant as China time for people."""
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _due_text(due: Due) -> str:
    """A due instant as the law states it: the last day's 24:00 rather than 00:00 of the next."""
    local = due.due_at.astimezone(CHINA_TZ)
    if local.time() == time.min:
        return f"{(local.date() - timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def _stamp(stamp: Stamp) -> dict[str, str]:
    return {"at": _iso(stamp.at), "by": stamp.by}


def _plain(value: Any) -> Any:
    """A JSON-ready copy of the verification result (mappings and sequences copied)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _case(state: CaseState) -> dict[str, Any]:
    j = state.jurisdiction
    place = "".join(name for name in (j.county_name, j.town_name, j.village_name) if name)
    flags = state.flags.model_dump()
    return {
        "case_id": state.case_id,
        "kind": state.kind.value,
        "kind_label": CASE_KIND_LABELS[state.kind],
        "title": state.title,
        "description": state.description,
        "category": state.category.value,
        "category_label": CATEGORY_LABELS[state.category],
        "channel": state.channel.value,
        "channel_label": CHANNEL_LABELS[state.channel],
        "jurisdiction": {**j.model_dump(mode="json"), "code": j.code, "label": place or j.code},
        "risk_level": state.risk_level.value,
        "risk_label": RISK_LABELS[state.risk_level],
        "risk_flags": [flag for flag, raised in flags.items() if raised],
        "risk_flag_labels": [
            RISK_FLAG_LABELS.get(flag, flag) for flag, raised in flags.items() if raised
        ],
        "stage": state.stage.value,
        "stage_label": STAGE_LABELS[state.stage],
        "received_on": state.received_on.isoformat() if state.received_on else None,
        "registered": _stamp(state.registered),
        "accepted": _stamp(state.accepted) if state.accepted else None,
        "updated_at": _iso(state.updated_at),
        "seq": state.seq,
        "diverted_to": state.diverted_to,
    }


def _party(party: Party) -> dict[str, Any]:
    return {
        **party.model_dump(mode="json"),
        "party_type_label": PARTY_TYPE_LABELS[party.party_type],
    }


def _decline(state: CaseState) -> dict[str, Any] | None:
    if state.decline is None:
        return None
    return {
        "reason": state.decline.reason,
        "referral": state.decline.referral,
        "recorded": _stamp(state.decline.recorded),
    }


def _failure(state: CaseState) -> dict[str, Any] | None:
    if state.failure is None:
        return None
    return {
        "reason": state.failure.reason,
        "referral": state.failure.referral.value,
        "referral_label": REFERRAL_LABELS[state.failure.referral],
        "recorded": _stamp(state.failure.recorded),
    }


def _round(round_: MediationRound) -> dict[str, Any]:
    return {
        "round": round_.round,
        "mediation_type": round_.mediation_type.value,
        "mediation_type_label": MEDIATION_TYPE_LABELS[round_.mediation_type],
        "mediators": list(round_.mediators),
        "started": _stamp(round_.started),
        "sessions": [
            {
                "session_no": s.session_no,
                "held_on": s.held_on.isoformat(),
                "mediators": list(s.mediators),
                "attendees": list(s.attendees),
                "summary": s.summary,
                "counselling": s.counselling,
                "recorded": _stamp(s.recorded),
            }
            for s in round_.sessions
        ],
    }


def _agreement(agreement: Agreement) -> dict[str, Any]:
    form = agreement.form
    return {
        "agreement_no": agreement.agreement_no,
        "terms": agreement.terms,
        "form": form,
        "form_label": _form_label(form),
        "signed_on": agreement.signed_on.isoformat(),
        "all_performed": agreement.all_performed,
        "items": [
            {
                "item_no": item.item_no,
                "description": item.description,
                "due_on": item.due_on.isoformat(),
                "status": item.status.value,
                "status_label": PERFORMANCE_LABELS[item.status],
            }
            for item in agreement.items
        ],
        "recorded": _stamp(agreement.recorded),
    }


def _form_label(form: str) -> str:
    try:
        return AGREEMENT_FORM_LABELS[AgreementForm(form)]
    except ValueError:
        return form


def _confirmation(application: JudicialConfirmation) -> dict[str, Any]:
    decision = application.decision
    return {
        "court": application.court,
        "applied_on": application.applied_on.isoformat(),
        "applied": _stamp(application.applied),
        "accepted_on": application.accepted_on.isoformat() if application.accepted_on else None,
        "decision": (
            {
                "decision": decision.decision.value,
                "decision_label": COURT_DECISION_LABELS[decision.decision],
                "decided_on": decision.decided_on.isoformat(),
                "ruling_number": decision.ruling_number,
                "reason": decision.reason,
                "recorded": (
                    _stamp(application.decision_recorded) if application.decision_recorded else None
                ),
            }
            if decision is not None
            else None
        ),
    }


def _petition(state: CaseState) -> dict[str, Any] | None:
    if state.kind is not CaseKind.PETITION and not (
        state.answers or state.repeats or state.finalized or state.diverted_to
    ):
        return None
    return {
        "answers": [
            {
                "level": answer.level,
                "level_label": ANSWER_LEVEL_LABELS.get(answer.level, str(answer.level)),
                "requested_on": answer.requested_on.isoformat() if answer.requested_on else None,
                "request_reason": answer.request_reason,
                "answer": answer.answer,
                "answered_on": answer.answered_on.isoformat() if answer.answered_on else None,
                "recorded": _stamp(answer.recorded),
            }
            for answer in state.answers
        ],
        "finalized": (
            {"reason": state.finalized.reason, "recorded": _stamp(state.finalized.recorded)}
            if state.finalized
            else None
        ),
        "repeats": [
            {
                "received_on": repeat.received_on.isoformat(),
                "channel": repeat.channel,
                "channel_label": _channel_label(repeat.channel),
                "summary": repeat.summary,
                "recorded": _stamp(repeat.recorded),
            }
            for repeat in state.repeats
        ],
        "diverted_to": state.diverted_to,
    }


def _channel_label(channel: str) -> str:
    try:
        return CHANNEL_LABELS[Channel(channel)]
    except ValueError:
        return channel


def _policy(state: CaseState) -> dict[str, Any] | None:
    policy = state.policy
    if policy is None:
        return None
    return {
        "version": policy.version,
        "calendar_version": policy.calendar.version,
        "calendar_years": list(policy.calendar.years),
        "chain": {
            "chain_id": policy.chain.chain_id,
            "levels": [
                {
                    "level": level.level,
                    "role": level.role.value,
                    "role_label": ROLE_LABELS[level.role],
                    "wait_hours": level.wait_hours,
                    "renotify": level.renotify,
                }
                for level in policy.chain.levels
            ],
        },
        "immediate_report_levels": [level.value for level in policy.immediate_report_levels],
        "rules": [
            {
                "rule_id": rule.rule_id,
                "name": rule.name,
                "period_label": _period_label(rule),
                "source": rule.source,
                "confidence": rule.confidence.value,
            }
            for rule in policy.rules
        ],
    }


def _period_label(rule: ClockRule) -> str:
    if rule.due_source is DueSource.PLAN_DEADLINE:
        return "按一案一策化解时限"
    if rule.due_source is DueSource.ITEM_DUE:
        return "按协议约定履行期限"
    return f"{rule.length}{PERIOD_UNIT_LABELS[rule.unit]}"


def _clock(state: CaseState, clock: Clock) -> dict[str, Any]:
    rule = state.policy.rule(clock.rule_id) if state.policy else None
    unit = PERIOD_UNIT_LABELS[clock.unit]
    due = clock.schedule.due
    return {
        "clock_id": clock.clock_id,
        "rule_id": clock.rule_id,
        "name": clock.name,
        "subject": clock.subject,
        "period_label": _period_label(rule) if rule else f"{clock.length}{unit}",
        "source": rule.source if rule else None,
        "status": clock.status.value,
        "status_label": CLOCK_STATUS_LABELS[clock.status],
        "started_at": _iso(clock.started_at),
        "due_at": _iso(due.due_at),
        "due_display": _due_text(due),
        "last_day": due.last_day.isoformat() if due.last_day else None,
        "provisional": due.provisional,
        "due_steps": list(due.steps),
        "warn_at": _opt_iso(clock.schedule.warn_at),
        "warned_at": _opt_iso(clock.warned_at),
        "ended_at": _opt_iso(clock.ended_at),
        "pauses": [
            {
                "reason": pause.reason,
                "reason_label": PAUSE_REASON_LABELS.get(pause.reason, pause.reason),
                "note": pause.note,
                "started_at": _iso(pause.started_at),
                "ended_at": _opt_iso(pause.ended_at),
            }
            for pause in clock.pauses
        ],
        "extensions": [
            {
                "length": ext.length,
                "unit_label": unit,
                "approver": ext.approver,
                "reason": ext.reason,
                "granted_at": _iso(ext.granted_at),
            }
            for ext in clock.extensions
        ],
    }


def _recipient_label(state: CaseState, recipient: str) -> str:
    """``person:王芳`` → ``责任人 王芳``; a town or county code becomes its name when known."""
    role, _, who = recipient.partition(":")
    j = state.jurisdiction
    if role == "town-leader" and who == j.town_code and j.town_name:
        return f"{j.town_name}领导"
    if role == "county-leader" and who == j.county_code and j.county_name:
        return f"{j.county_name}领导"
    label = RECIPIENT_LABELS.get(role)
    return f"{label} {who}" if label else recipient


def _alert(state: CaseState, alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "kind": alert.kind.value,
        "kind_label": ALERT_KIND_LABELS[alert.kind],
        "title": alert.title,
        "clock_id": alert.clock_id,
        "raised_at": _iso(alert.raised_at),
        "level": alert.level,
        "recipient": alert.recipient,
        "recipient_label": _recipient_label(state, alert.recipient),
        "status": alert.status.value,
        "status_label": ALERT_STATUS_LABELS[alert.status],
        "notifications": len(alert.notifications),
        "next_step_at": _opt_iso(alert.next_step_at),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": _opt_iso(alert.acknowledged_at),
        "closed_reason": alert.closed_reason,
    }


# --------------------------------------------------------------------------------------------
# The timeline: one line per event, written from labels, dates and staff names only
# --------------------------------------------------------------------------------------------


def _timeline(state: CaseState, events: Sequence[e.Event]) -> list[dict[str, Any]]:
    clock_names = {clock.clock_id: clock.name for clock in state.clocks}
    clock_units = {clock.clock_id: PERIOD_UNIT_LABELS[clock.unit] for clock in state.clocks}
    summarize = _Summaries(state, clock_names, clock_units)
    timeline = []
    for event in events:
        body = event.body
        if isinstance(body, e.ClockStarted):
            clock_names.setdefault(body.clock.clock_id, body.clock.name)
            clock_units.setdefault(body.clock.clock_id, PERIOD_UNIT_LABELS[body.clock.unit])
        timeline.append(
            {
                "seq": event.seq,
                "at": _iso(event.at),
                "type": body.type,
                "label": EVENT_LABELS.get(body.type, body.type),
                "actor": event.actor,
                "summary": summarize(body),
            }
        )
    return timeline


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
        match body:
            case e.CaseRegistered():
                text = (
                    f"登记{CASE_KIND_LABELS[body.kind]}（{CATEGORY_LABELS[body.category]}，"
                    f"来源：{CHANNEL_LABELS[body.channel]}），申请人{len(body.applicants)}人"
                )
                if body.respondents:
                    text += f"、被申请人{len(body.respondents)}人"
                return f"{text}；风险等级：{RISK_LABELS[body.risk_level]}"
            case e.CaseAccepted():
                return "案件受理"
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
                return (
                    f"第{body.round}轮{MEDIATION_TYPE_LABELS[body.mediation_type]}，"
                    f"调解员：{'、'.join(body.mediators)}"
                )
            case e.SessionRecorded():
                text = (
                    f"第{body.session_no}次调解会（{body.held_on.isoformat()}），"
                    f"调解员：{'、'.join(body.mediators)}，参加{len(body.attendees)}人"
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
                    f"督办链 {body.policy.chain.chain_id}，"
                    f"节假日数据 {body.policy.calendar.version}"
                )
            case e.ClockStarted():
                clock = body.clock
                text = f"{clock.name}开始计时，期限至{_due_text(clock.schedule.due)}"
                return (
                    text + "（节假日安排未公布，暂定）" if clock.schedule.due.provisional else text
                )
            case e.ClockPaused():
                reason = PAUSE_REASON_LABELS.get(body.reason, body.reason)
                return f"{self._clock(body.clock_id)}因{reason}中止计时"
            case e.ClockResumed():
                due = _due_text(body.schedule.due)
                return f"{self._clock(body.clock_id)}恢复计时，期限顺延至{due}"
            case e.ClockExtended():
                ext = body.extension
                unit = self._clock_units.get(body.clock_id, "日")
                return (
                    f"{self._clock(body.clock_id)}延期{ext.length}{unit}（批准：{ext.approver}），"
                    f"期限至{_due_text(body.schedule.due)}"
                )
            case e.ClockStopped():
                return f"{self._clock(body.clock_id)}：{CLOCK_STATUS_LABELS[body.status]}"
            case e.ClockWarned():
                return f"{self._clock(body.clock_id)}临近期限"
            case e.ClockExpired():
                return f"{self._clock(body.clock_id)}届满：{CLOCK_STATUS_LABELS[body.status]}"
            case e.ClocksRescheduled():
                return f"按节假日安排 {body.calendar.version} 重算{len(body.schedules)}项期限"
            case e.AlertRaised():
                # The title quotes the case title: take it from the (masked) state when there.
                alert = self._state.alert(body.alert.alert_id) or body.alert
                kind = ALERT_KIND_LABELS[alert.kind]
                title = alert.title if kind in alert.title else f"{kind}：{alert.title}"
                who = _recipient_label(self._state, body.alert.recipient)
                return f"{title}；第{body.alert.level}级，通知{who}"
            case e.AlertNotified():
                n = body.notification
                if n is None:
                    return f"{self._alert(body.alert_id)}已至最高督办级别，不再升级"
                who = _recipient_label(self._state, n.recipient)
                if n.attempt > 1:
                    return (
                        f"{self._alert(body.alert_id)}第{n.level}级再次提醒{who}（第{n.attempt}次）"
                    )
                return f"{self._alert(body.alert_id)}升级至第{n.level}级督办，通知{who}"
            case e.AlertAcknowledged():
                return f"{self._alert(body.alert_id)}已签收"
            case e.AlertClosed():
                return f"{self._alert(body.alert_id)}解除：{body.reason}"
            case e.PetitionReplied():
                return f"出具处理意见书（{body.answered_on.isoformat()}）"
            case e.ReviewRequested():
                return f"信访人申请复查（{body.requested_on.isoformat()}）"
            case e.ReviewAnswered():
                return f"作出复查意见（{body.answered_on.isoformat()}）"
            case e.SecondReviewRequested():
                return f"信访人申请复核（{body.requested_on.isoformat()}）"
            case e.SecondReviewAnswered():
                return f"作出复核意见（{body.answered_on.isoformat()}）"
            case e.PetitionFinalized():
                return "信访事项终结"
            case e.RepeatRecorded():
                return f"重复信访（{body.received_on.isoformat()}，{CHANNEL_LABELS[body.channel]}）"
            case e.DivertedToMediation():
                return f"转人民调解，关联纠纷案件{body.dispute_case_id}"
        return EVENT_LABELS.get(body.type, body.type)


# --------------------------------------------------------------------------------------------
# The PDF
# --------------------------------------------------------------------------------------------


def find_cjk_font(configured: Path | None = None) -> Path:
    """The font to embed: ``configured`` (``FENGQIAO_PDF_FONT_PATH``) or a Debian CJK font."""
    if configured is not None:
        if configured.is_file():
            return configured
        raise PdfFontUnavailable(
            f"配置的PDF字体文件不存在：{configured}",
            f"the configured PDF font file does not exist: {configured}",
            searched=(configured,),
        )
    for path in DEBIAN_CJK_FONTS:
        if path.is_file():
            return path
    raise PdfFontUnavailable(
        "未找到中文字体，无法生成PDF卷宗；请安装 fonts-wqy-microhei 或设置 FENGQIAO_PDF_FONT_PATH",
        "no CJK font found, the PDF dossier cannot be printed; install fonts-wqy-microhei "
        "or set FENGQIAO_PDF_FONT_PATH",
        searched=DEBIAN_CJK_FONTS,
    )


# Full-width punctuation that must not start a line (避头点). reportlab's CJK wrapping knows
# 、。） but not ，；：！？ and the closing quotes and brackets: a character in this set hangs at
# the end of the line (标点悬挂) instead of starting the next one.
_CANNOT_START_LINE = "，；：！？％》」』】〕〗〙〛”’"


def _teach_line_breaking() -> None:
    """Add them where reportlab looks: multi-fragment paragraphs (platypus.paragraph) and
    single-fragment ones (lib.textsplit) each read their own module-level copy."""
    for module in (reportlab_paragraph, reportlab_textsplit):
        known: str = getattr(module, "ALL_CANNOT_START")  # noqa: B009 (not in the stubs)
        missing = "".join(ch for ch in _CANNOT_START_LINE if ch not in known)
        if missing:
            setattr(module, "ALL_CANNOT_START", known + missing)  # noqa: B010


@lru_cache(maxsize=4)
def _register_font(path: Path) -> str:
    """Register ``path`` with reportlab once; its name, checked to hold Chinese glyphs."""
    name = "FengqiaoCJK-" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    try:
        font = TTFont(name, str(path), subfontIndex=0)
    except (TTFError, OSError) as error:
        raise PdfFontUnavailable(
            f"PDF字体无法加载（须为TrueType字体）：{path}",
            f"the PDF font cannot be loaded (a TrueType font is needed): {path}: {error}",
            searched=(path,),
        ) from error
    if not all(ord(ch) in font.face.charToGlyph for ch in DOSSIER_TITLE):
        raise PdfFontUnavailable(
            f"PDF字体不含中文字形：{path}",
            f"the PDF font has no Chinese glyphs: {path}",
            searched=(path,),
        )
    pdfmetrics.registerFont(font)
    return name


PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
# platypus frames pad their content by 6 pt; the page margins leave room for it so text, tables
# and the running header and footer share the same edges.
FRAME_PADDING = 6

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1f3a68")
RULE = colors.HexColor("#9aa5b8")
HEADER_FILL = colors.HexColor("#e8ecf3")
OK_FILL = colors.HexColor("#e3f2e5")
OK_INK = colors.HexColor("#1b5e20")
BAD_FILL = colors.HexColor("#fbe3e1")
BAD_INK = colors.HexColor("#b71c1c")

_NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for section numbers)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _NUMERALS[tens - 1] + "十"
    return head + (_NUMERALS[ones - 1] if ones else "")


class _Styles:
    def __init__(self, font: str) -> None:
        base = ParagraphStyle(
            "body",
            fontName=font,
            fontSize=10,
            leading=15,
            textColor=INK,
            wordWrap="CJK",
        )
        self.body = base
        self.title = ParagraphStyle(
            "title", parent=base, fontSize=24, leading=32, alignment=TA_CENTER, textColor=ACCENT
        )
        self.case_no = ParagraphStyle(
            "case_no", parent=base, fontSize=14, leading=20, alignment=TA_CENTER
        )
        self.subtitle = ParagraphStyle(
            "subtitle", parent=base, fontSize=12, leading=18, alignment=TA_CENTER
        )
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontSize=13.5,
            leading=19,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        )
        self.h2 = ParagraphStyle(
            "h2", parent=base, fontSize=11, leading=16, textColor=ACCENT, spaceBefore=6
        )
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8.8, leading=12.5)
        self.head = ParagraphStyle("head", parent=self.cell, textColor=ACCENT)
        self.note = ParagraphStyle("note", parent=base, fontSize=8.5, leading=12, textColor=MUTED)
        self.banner = ParagraphStyle("banner", parent=base, fontSize=11.5, leading=17)


def _text(value: Any) -> str:
    """Escaped paragraph markup for any value; newlines kept; empty shown as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return escape(str(value)).replace("\n", "<br/>")


def _display_time(value: str | None) -> str:
    """An ISO instant from the dossier as ``2026-03-02 09:31`` China time."""
    if not value:
        return "—"
    try:
        return _when(datetime.fromisoformat(value))
    except ValueError:
        return value


def _stamp_text(stamp: Mapping[str, Any] | None) -> str:
    if not stamp:
        return "—"
    return f"{_display_time(stamp.get('at'))} {stamp.get('by', '')}".strip()


class _Builder:
    """Lays out the dossier's sections as reportlab flowables."""

    def __init__(self, dossier: Mapping[str, Any], font: str) -> None:
        self.d = dossier
        self.s = _Styles(font)
        self.story: list[Flowable] = []
        self._section = 0
        # A column that holds ``2026-03-02 09:30`` on one line, cell padding included.
        self.when_mm = (
            pdfmetrics.stringWidth("2026-03-02 09:30", font, self.s.cell.fontSize) + 10
        ) / mm

    # -- primitives --------------------------------------------------------------------------

    def para(
        self, value: Any, style: ParagraphStyle | None = None, *, markup: bool = False
    ) -> Paragraph:
        return Paragraph(str(value) if markup else _text(value), style or self.s.body)

    def heading(self, text: str) -> list[Flowable]:
        self._section += 1
        return [
            CondPageBreak(40 * mm),
            self.para(f"{_numeral(self._section)}、{text}", self.s.h1),
            _Rule(CONTENT_WIDTH, ACCENT, 0.8),
            Spacer(1, 3),
        ]

    def table(
        self,
        header: Sequence[str] | None,
        rows: Sequence[Sequence[Any]],
        widths_mm: Sequence[float | None],
    ) -> Table:
        """A ruled table across the page; a ``None`` width takes what the others leave."""
        fixed = sum(w for w in widths_mm if w is not None) * mm
        flexible = sum(1 for w in widths_mm if w is None)
        if flexible:
            rest = (CONTENT_WIDTH - fixed) / flexible
            widths = [rest if w is None else w * mm for w in widths_mm]
        else:
            widths = [w * mm * CONTENT_WIDTH / fixed for w in widths_mm if w is not None]
        data: list[list[Any]] = []
        if header:
            data.append([self.para(h, self.s.head) for h in header])
        for row in rows:
            data.append([c if isinstance(c, Flowable) else self.para(c, self.s.cell) for c in row])
        table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        style: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
        table.setStyle(TableStyle(style))
        return table

    def fields(self, pairs: Sequence[tuple[str, Any]], *, columns: int = 2) -> Table:
        """A label/value grid: ``columns`` pairs per row, labels shaded."""
        rows: list[list[Any]] = []
        for start in range(0, len(pairs), columns):
            row: list[Any] = []
            for label, value in pairs[start : start + columns]:
                row += [self.para(label, self.s.head), self.para(value, self.s.cell)]
            row += [Paragraph("", self.s.cell)] * (2 * columns - len(row))
            rows.append(row)
        widths = [22, 65] * columns if columns == 2 else [26, 148]
        table = self.table(None, rows, widths)
        table.setStyle(
            TableStyle(
                [("BACKGROUND", (c, 0), (c, -1), HEADER_FILL) for c in range(0, 2 * columns, 2)]
            )
        )
        return table

    # -- sections ----------------------------------------------------------------------------

    def build(self) -> list[Flowable]:
        self.cover()
        for section in (
            self.overview,
            self.parties,
            self.decline,
            self.plans,
            self.leaders,
            self.mediation,
            self.agreements,
            self.confirmations,
            self.follow_ups,
            self.petition,
            self.withdrawal,
            self.closure,
            self.clocks,
            self.alerts,
            self.timeline,
            self.verification,
        ):
            section()
        return self.story

    def cover(self) -> None:
        case = self.d["case"]
        self.story += [
            self.para(self.d.get("title") or DOSSIER_TITLE, self.s.title),
            Spacer(1, 4),
            self.para(f"案号：{case['case_id']}", self.s.case_no),
            Spacer(1, 2),
            self.para(case["title"], self.s.subtitle),
            Spacer(1, 8),
            self.banner(),
            Spacer(1, 4),
        ]

    def banner(self) -> Table:
        ok, line = verification_summary(self.d.get("verification") or {})
        text = f"完整性校验：{escape(line)}"
        cell = Paragraph(
            f'<font color="{(OK_INK if ok else BAD_INK).hexval()}">{text}</font>', self.s.banner
        )
        table = Table([[cell]], colWidths=[CONTENT_WIDTH])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), OK_FILL if ok else BAD_FILL),
                    ("BOX", (0, 0), (-1, -1), 1, OK_INK if ok else BAD_INK),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ]
            )
        )
        return table

    def overview(self) -> None:
        case = self.d["case"]
        risk = case["risk_label"]
        if case.get("risk_flag_labels"):
            risk += "（" + "、".join(case["risk_flag_labels"]) + "）"
        j = case["jurisdiction"]
        pairs: list[tuple[str, Any]] = [
            ("案件类型", case["kind_label"]),
            ("当前阶段", case["stage_label"]),
            ("纠纷类别" if case["kind"] == "dispute" else "事项类别", case["category_label"]),
            ("来源渠道", case["channel_label"]),
            ("风险等级", risk),
            ("收到日期", case.get("received_on")),
            ("管辖", j["label"]),
            ("区划代码", j["code"]),
            ("登记", _stamp_text(case["registered"])),
            ("受理", _stamp_text(case.get("accepted"))),
            ("最后更新", f"{_display_time(case['updated_at'])}（第 {case['seq']} 号事件）"),
        ]
        if case.get("diverted_to"):
            pairs.append(("访调对接", case["diverted_to"]))
        self.story += [
            *self.heading("案件基本情况"),
            self.fields(pairs),
            Spacer(1, 5),
            self.para("案情简介", self.s.h2),
            self.para(case["description"]),
        ]

    def parties(self) -> None:
        parties = self.d["parties"]
        rows = [
            [
                role,
                p.get("name"),
                p.get("party_type_label"),
                p.get("id_number"),
                p.get("phone"),
                p.get("address"),
            ]
            for role, key in self._party_roles()
            for p in parties[key]
        ]
        self.story += [
            *self.heading("当事人"),
            self.table(
                ["身份", "姓名/名称", "类型", "身份证号码", "联系电话", "地址"],
                rows,
                [16, 26, 20, 38, 28, 46],
            ),
        ]

    def _party_roles(self) -> tuple[tuple[str, str], ...]:
        if self.d["case"]["kind"] == "petition":
            return (("信访人", "applicants"), ("被反映对象", "respondents"))
        return (("申请人", "applicants"), ("被申请人", "respondents"))

    def decline(self) -> None:
        decline = self.d.get("decline")
        if not decline:
            return
        self.story += [
            *self.heading("不予受理"),
            self.fields(
                [
                    ("理由", decline["reason"]),
                    ("转送", decline["referral"]),
                    ("记录", _stamp_text(decline["recorded"])),
                ],
                columns=1,
            ),
        ]

    def plans(self) -> None:
        plans = self.d["plans"]
        if not plans:
            return
        rows = []
        for plan in plans:
            measures = "<br/>".join(
                f"{n}. {_text(m)}" for n, m in enumerate(plan["measures"], start=1)
            )
            note = f"<br/>备注：{_text(plan['note'])}" if plan.get("note") else ""
            rows.append(
                [
                    f"第{plan['revision']}版",
                    plan["responsible_unit"],
                    plan["responsible_person"],
                    self.para(measures + note, self.s.cell, markup=True),
                    plan["deadline"],
                    _stamp_text(plan["recorded"]),
                ]
            )
        self.story += [
            *self.heading("一案一策"),
            self.table(
                ["版本", "责任单位", "责任人", "化解措施", "化解时限", "记录"],
                rows,
                [13, 34, 16, 58, 20, 29],
            ),
        ]

    def leaders(self) -> None:
        leaders = self.d["package_leaders"]
        if not leaders:
            return
        rows = [
            [
                leader["leader_name"] + ("（现任）" if leader.get("current") else ""),
                leader["leader_title"],
                leader.get("reason"),
                _stamp_text(leader["recorded"]),
            ]
            for leader in leaders
        ]
        self.story += [
            *self.heading("领导包案"),
            self.table(["包案领导", "职务", "包案理由", "记录"], rows, [30, 44, 66, 34]),
        ]

    def mediation(self) -> None:
        rounds = self.d["mediation_rounds"]
        failure = self.d.get("mediation_failure")
        if not rounds and not failure:
            return
        self.story += self.heading("调解")
        for r in rounds:
            self.story.append(
                self.para(
                    f"第{r['round']}轮　{r['mediation_type_label']}　"
                    f"调解员：{'、'.join(r['mediators'])}　（{_stamp_text(r['started'])}）",
                    self.s.h2,
                )
            )
            if not r["sessions"]:
                self.story.append(self.para("尚无调解会记录", self.s.note))
                continue
            rows = [
                [
                    f"第{s['session_no']}次",
                    s["held_on"],
                    "、".join(s["mediators"]),
                    "、".join(s["attendees"]),
                    s["summary"] + ("（含心理疏导）" if s.get("counselling") else ""),
                    _stamp_text(s["recorded"]),
                ]
                for s in r["sessions"]
            ]
            self.story.append(
                self.table(
                    ["次数", "日期", "调解员", "参加人员", "调解笔录摘要", "记录"],
                    rows,
                    [13, 20, 20, 24, 68, 29],
                )
            )
        if failure:
            self.story += [
                self.para("调解不成", self.s.h2),
                self.fields(
                    [
                        ("原因", failure["reason"]),
                        ("告知途径", failure["referral_label"]),
                        ("记录", _stamp_text(failure["recorded"])),
                    ],
                    columns=1,
                ),
            ]

    def agreements(self) -> None:
        agreements = self.d["agreements"]
        if not agreements:
            return
        self.story += self.heading("调解协议与履行")
        for a in agreements:
            performed = "已全部履行" if a.get("all_performed") else "尚未全部履行"
            block: list[Flowable] = [
                self.para(
                    f"第{a['agreement_no']}份调解协议　{a['form_label']}　"
                    f"签订日期：{a['signed_on']}　（{performed}）",
                    self.s.h2,
                ),
                self.fields([("协议内容", a["terms"])], columns=1),
            ]
            if a["items"]:
                block += [
                    Spacer(1, 3),
                    self.table(
                        ["序号", "履行事项", "履行期限", "履行情况"],
                        [
                            [i["item_no"], i["description"], i["due_on"], i["status_label"]]
                            for i in a["items"]
                        ],
                        [12, 106, 28, 28],
                    ),
                ]
            block.append(self.para(f"记录：{_stamp_text(a['recorded'])}", self.s.note))
            self.story.append(KeepTogether(block))

    def confirmations(self) -> None:
        applications = self.d["judicial_confirmations"]
        if not applications:
            return
        rows = []
        for j in applications:
            decision = j.get("decision") or {}
            rows.append(
                [
                    j["court"],
                    j["applied_on"],
                    j.get("accepted_on"),
                    decision.get("decision_label", "待裁定"),
                    decision.get("decided_on"),
                    decision.get("ruling_number"),
                    decision.get("reason"),
                ]
            )
        self.story += [
            *self.heading("司法确认"),
            self.table(
                ["人民法院", "申请日期", "受理日期", "裁定", "裁定日期", "文书编号", "理由"],
                rows,
                [32, 20, 20, 18, 20, 34, 30],
            ),
        ]

    def follow_ups(self) -> None:
        visits = self.d["follow_ups"]
        if not visits:
            return
        rows = [
            [
                f"第{v['visit_no']}次",
                v["visited_on"],
                v["satisfaction_label"],
                "、".join(f"第{p['item_no']}项{p['status_label']}" for p in v["performance"]),
                v.get("notes"),
                _stamp_text(v["recorded"]),
            ]
            for v in visits
        ]
        self.story += [
            *self.heading("回访"),
            self.table(
                ["次数", "日期", "满意度", "履行情况", "回访情况", "记录"],
                rows,
                [13, 20, 17, 32, 63, 29],
            ),
        ]

    def petition(self) -> None:
        petition = self.d.get("petition")
        if not petition:
            return
        self.story += self.heading("信访答复")
        if petition["answers"]:
            rows = [
                [
                    a["level_label"],
                    a.get("requested_on"),
                    a.get("request_reason"),
                    a.get("answer"),
                    a.get("answered_on"),
                ]
                for a in petition["answers"]
            ]
            self.story.append(
                self.table(
                    ["层级", "申请日期", "申请理由", "答复意见", "答复日期"],
                    rows,
                    [20, 22, 44, 66, 22],
                )
            )
        else:
            self.story.append(self.para("尚未出具处理意见", self.s.note))
        finalized = petition.get("finalized")
        if finalized:
            self.story.append(Spacer(1, 4))
            self.story.append(
                self.para(f"终结：{finalized['reason']}（{_stamp_text(finalized['recorded'])}）")
            )
        if petition["repeats"]:
            self.story += [
                self.para("重复信访", self.s.h2),
                self.table(
                    ["收到日期", "渠道", "摘要", "记录"],
                    [
                        [
                            r["received_on"],
                            r["channel_label"],
                            r.get("summary"),
                            _stamp_text(r["recorded"]),
                        ]
                        for r in petition["repeats"]
                    ],
                    [24, 24, 92, 34],
                ),
            ]
        if petition.get("diverted_to"):
            self.story.append(
                self.para(f"访调对接：已转人民调解，关联案件 {petition['diverted_to']}")
            )

    def withdrawal(self) -> None:
        withdrawal = self.d.get("withdrawal")
        if not withdrawal:
            return
        self.story += [
            *self.heading("撤回"),
            self.fields(
                [("理由", withdrawal["reason"]), ("记录", _stamp_text(withdrawal["recorded"]))],
                columns=1,
            ),
        ]

    def closure(self) -> None:
        closure = self.d.get("closure")
        if not closure:
            return
        self.story += [
            *self.heading("销号"),
            self.fields(
                [
                    ("结果", closure["outcome_label"]),
                    ("销号时间", _stamp_text(closure["recorded"])),
                    ("备注", closure.get("remark")),
                ],
                columns=1,
            ),
        ]

    def clocks(self) -> None:
        policy = self.d.get("policy")
        clocks = self.d["clocks"]
        if not policy and not clocks:
            return
        self.story += self.heading("办理时限")
        if policy:
            chain = "　→　".join(
                f"{lv['level']}级 {lv['role_label']}" for lv in policy["chain"]["levels"]
            )
            self.story += [
                self.para(
                    f"适用规则版本：{policy['version']}　　节假日数据：{policy['calendar_version']}"
                    f"　　督办链：{policy['chain']['chain_id']}",
                    self.s.note,
                ),
                self.para(f"督办层级：{chain}", self.s.note),
                Spacer(1, 3),
            ]
        if not clocks:
            return
        rows = []
        for c in clocks:
            remarks = [
                f"{p['reason_label']}中止 {_display_time(p['started_at'])}"
                f"—{_display_time(p['ended_at']) if p.get('ended_at') else '至今'}"
                for p in c["pauses"]
            ]
            remarks += [
                f"延期{x['length']}{x['unit_label']}（{x['approver']}批准）"
                for x in c["extensions"]
            ]
            if c.get("provisional"):
                remarks.append("节假日安排未公布，期限暂定")
            name = _text(c["name"])
            if c.get("subject"):
                name += f"<br/>{_text(c['subject'])}"
            rows.append(
                [
                    self.para(name, self.s.cell, markup=True),
                    c["period_label"],
                    _display_time(c["started_at"]),
                    c["due_display"],
                    c["status_label"],
                    "；".join(remarks),
                ]
            )
        self.story.append(
            self.table(
                ["时限", "期间", "开始", "期限至", "状态", "说明"],
                rows,
                [40, 21, self.when_mm, self.when_mm, 17, None],
            )
        )

    def alerts(self) -> None:
        alerts = self.d["alerts"]
        if not alerts:
            return
        rows = []
        for a in alerts:
            status = a["status_label"]
            if a.get("acknowledged_by"):
                status += (
                    f"<br/>{_text(a['acknowledged_by'])} {_display_time(a['acknowledged_at'])}"
                )
            elif a.get("closed_reason"):
                status += f"<br/>{_text(a['closed_reason'])}"
            rows.append(
                [
                    a["kind_label"],
                    a["title"],
                    _display_time(a["raised_at"]),
                    f"第{a['level']}级",
                    a["recipient_label"],
                    self.para(status, self.s.cell, markup=True),
                ]
            )
        self.story += [
            *self.heading("预警与督办"),
            self.table(
                ["类型", "事项", "发出时间", "级别", "通知对象", "状态"],
                rows,
                [22, None, self.when_mm, 13, 28, 34],
            ),
        ]

    def timeline(self) -> None:
        rows = [
            [t["seq"], _display_time(t["at"]), t["label"], t["actor"], t["summary"]]
            for t in self.d["timeline"]
        ]
        table = self.table(
            ["序号", "时间", "事项", "操作人", "内容"], rows, [10, self.when_mm, 25, 18, None]
        )
        # The event where the audit chain first breaks is marked where a reader looks for it.
        broken = (self.d.get("verification") or {}).get("first_broken") or {}
        for row, entry in enumerate(self.d["timeline"], start=1):
            if entry["seq"] == broken.get("seq"):
                table.setStyle(TableStyle([("BACKGROUND", (0, row), (-1, row), BAD_FILL)]))
        self.story += [
            *self.heading("全程记录"),
            self.para("按事件顺序号排列；时间均为北京时间。", self.s.note),
            Spacer(1, 2),
            table,
        ]

    def verification(self) -> None:
        v = self.d.get("verification") or {}
        ok, line = verification_summary(v)
        broken = v.get("first_broken") or {}
        pairs: list[tuple[str, Any]] = [
            ("校验结果", line),
            ("事件数", v.get("events")),
            ("链尾哈希", v.get("head_hash")),
            ("读模型一致", _yes_no(v.get("read_model_matches"))),
        ]
        if broken:
            pairs += [
                ("首个断点", f"第 {broken.get('seq')} 号事件"),
                ("原因", broken.get("message_zh") or broken.get("reason")),
            ]
        known = {"ok", "events", "head_hash", "first_broken", "read_model_matches"}
        pairs += [(str(k), v[k]) for k in v if k not in known]
        self.story += [
            *self.heading("完整性校验"),
            self.fields(pairs, columns=1),
            Spacer(1, 4),
            self.para(
                "本卷宗由系统依据案件事件链自动生成。事件链逐条以哈希相连，任何一条被改动、删除或"
                "插入，校验即指出首个断点；读模型一致指案件当前状态可由事件链完整重演得出。",
                self.s.note,
            ),
        ]


def _yes_no(value: Any) -> str:
    if value is None:
        return "—"
    return "是" if value else "否"


def verification_summary(
    verification: Mapping[str, Any], *, short: bool = False
) -> tuple[bool, str]:
    """Whether the chain checked out, and one Chinese line saying so (链条完整 / 发现篡改);
    ``short`` leaves out the explanation (for the running header)."""
    ok = bool(verification.get("ok"))
    count = verification.get("events")
    broken = verification.get("first_broken")
    if ok:
        line = f"链条完整（共 {count} 个事件）" if count is not None else "链条完整"
    elif broken:
        seq = broken.get("seq")
        line = f"发现篡改：第 {seq} 号事件（seq {seq}）"
        if broken.get("message_zh") and not short:
            line += f"，{broken['message_zh']}"
    else:
        line = "校验未通过"
    if verification.get("read_model_matches") is False:
        line += "；读模型不一致" if short else "；读模型与事件链不一致"
        ok = False
    return ok, line


class _Rule(Flowable):
    """A horizontal line under a heading."""

    def __init__(self, width: float, color: colors.Color, thickness: float) -> None:
        super().__init__()
        self.width = width
        self.color = color
        self.thickness = thickness
        self.height = thickness

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, 0, self.width, 0)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with … so it fits ``width`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _canvas_class(dossier: Mapping[str, Any], font: str) -> type[Canvas]:
    """A canvas that draws the running header and footer, with 第 N 页 / 共 M 页."""
    case_id = str(dossier["case"]["case_id"])
    title = str(dossier["case"]["title"])
    ok, line = verification_summary(dossier.get("verification") or {}, short=True)
    purpose = dossier.get("purpose") or "未注明"
    footer = (
        f"生成时间：{_display_time(dossier.get('generated_at'))}　"
        f"生成人：{dossier.get('generated_by') or '—'}　用途：{purpose}"
    )

    class DossierCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            top = PAGE_HEIGHT - 13 * mm
            bottom = 11 * mm
            right = PAGE_WIDTH - MARGIN_X
            self.saveState()
            self.setFont(font, 8.5)
            self.setFillColor(MUTED)
            status = f"完整性校验：{line}"
            status = _fit(status, font, 8.5, CONTENT_WIDTH * 0.5)
            self.setFillColor(OK_INK if ok else BAD_INK)
            self.drawRightString(right, top, status)
            self.setFillColor(MUTED)
            head = f"{DOSSIER_TITLE}　{case_id}　{title}"
            width = CONTENT_WIDTH - pdfmetrics.stringWidth(status, font, 8.5) - 6 * mm
            self.drawString(MARGIN_X, top, _fit(head, font, 8.5, width))
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, top - 2.5 * mm, right, top - 2.5 * mm)
            self.line(MARGIN_X, bottom + 4 * mm, right, bottom + 4 * mm)
            page = f"第 {self.getPageNumber()} 页 / 共 {total} 页"
            self.drawRightString(right, bottom, page)
            room = CONTENT_WIDTH - pdfmetrics.stringWidth(page, font, 8.5) - 6 * mm
            self.drawString(MARGIN_X, bottom, _fit(footer, font, 8.5, room))
            self.restoreState()

    return DossierCanvas


def render_dossier_pdf(dossier: Mapping[str, Any], *, font_path: Path | None = None) -> bytes:
    """The dossier as a printable A4 PDF in Chinese, the CJK font embedded (as a subset).

    ``font_path`` is the ``pdf_font_path`` setting; unset, a Debian CJK font is looked for.
    Raises PdfFontUnavailable when no CJK TrueType font can be used.
    """
    font = _register_font(find_cjk_font(font_path))
    _teach_line_breaking()
    buffer = io.BytesIO()
    case = dossier["case"]
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X - FRAME_PADDING,
        rightMargin=MARGIN_X - FRAME_PADDING,
        topMargin=MARGIN_TOP - FRAME_PADDING,
        bottomMargin=MARGIN_BOTTOM - FRAME_PADDING,
        title=f"{DOSSIER_TITLE} {case['case_id']}",
        subject=str(case["title"]),
        author=str(dossier.get("generated_by") or ""),
        creator="Fengqiao 枫桥",
        lang="zh-CN",
    )
    doc.build(_Builder(dossier, font).build(), canvasmaker=_canvas_class(dossier, font))
    return buffer.getvalue()


def event_summaries(events: Sequence[e.Event]) -> dict[int, str]:
    """seq → a short Chinese sentence saying what the event changed (for timelines)."""
    state = fold(list(events))
    if state is None:
        return {}
    return {entry["seq"]: entry["summary"] for entry in _timeline(state, events)}
