"""What a case tells people when it records an event: the alert deliveries (and notices) that
CaseWorkflow sends as activities it does not wait for.

Deterministic, like the workflow it serves: reads the case and the event, asks the patches that
mark the histories holding each kind of notice, and returns the deliveries in the order they go.
"""

from __future__ import annotations

from collections.abc import Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.case import events as e
    from domain.case.state import CaseState
    from workflows.contract import AlertDelivery, session_notices
    from workflows.patches import BREACH_WITHDRAWN_PATCH, SESSION_NOTICES_PATCH


def deliveries_for(
    state: CaseState | None, event: e.Event, patched: Callable[[str], bool]
) -> list[AlertDelivery]:
    """The deliveries ``event`` (just folded into ``state``) sends, in order (``patched``: the
    run's ``workflow.patched``, ``workflows.patches.Patches``)."""
    body = event.body
    if state is None:
        return []
    if isinstance(body, e.AlertClosed) and body.withdrawn:
        return _withdrawn(state, body, patched)
    if isinstance(body, e.SessionScheduled | e.SessionPostponed):
        return _to_mediators(state, event, patched)
    if isinstance(body, e.AlertRaised):
        alert, notification = body.alert, body.alert.notifications[0]
    elif isinstance(body, e.AlertNotified) and body.notification is not None:
        found = state.alert(body.alert_id)
        if found is None:
            return []
        alert, notification = found, body.notification
    else:
        return []
    return [
        AlertDelivery(
            case_id=state.case_id,
            case_title=state.title,
            alert_id=alert.alert_id,
            kind=alert.kind.value,
            level=notification.level,
            recipient=notification.recipient,
            attempt=notification.attempt,
            title=alert.title,
            raised_at=alert.raised_at,
        )
    ]


def _withdrawn(
    state: CaseState, body: e.AlertClosed, patched: Callable[[str], bool]
) -> list[AlertDelivery]:
    """Tell each recipient the withdrawn alert reached, once, that it is withdrawn."""
    alert = state.alert(body.alert_id)
    if alert is None or not patched(BREACH_WITHDRAWN_PATCH):
        return []
    recipients = list(dict.fromkeys(n.recipient for n in alert.notifications))
    return [
        AlertDelivery(
            case_id=state.case_id,
            case_title=state.title,
            alert_id=alert.alert_id,
            kind=alert.kind.value,
            level=alert.level,
            recipient=recipient,
            attempt=number,
            title=f"【逾期撤销】{alert.title}",
            raised_at=workflow.now(),
            notice="withdrawn",
            note=body.reason,
        )
        for number, recipient in enumerate(recipients, start=1)
    ]


def _to_mediators(
    state: CaseState, event: e.Event, patched: Callable[[str], bool]
) -> list[AlertDelivery]:
    """调解会通知: each mediator of the booked (or moved) session, once."""
    body = event.body
    assert isinstance(body, e.SessionScheduled | e.SessionPostponed)
    booked = state.scheduled_session(body.schedule_no)
    if booked is None or not patched(SESSION_NOTICES_PATCH):
        return []
    return list(session_notices(state, booked, event.seq, event.at))
