"""Histories of back-filled cases (issue 17, policy 2026.4): the facts decide.

    python -m tests.replay.record TAG backfill

In that order (the server's clock moves on: the dispute's extension must still run ahead of it).

* a petition registered weeks late whose A1/A2 breach was notified and escalated before the
  acceptance of the day after its receipt was entered: the breach is withdrawn and each
  recipient told; the reply, finalised by A7 after the grace, reopened by a review request made
  within the window; answered; the A8 window lapses; closed;
* a medical dispute failed automatically by E4 as it was typed, restored by its agreement signed
  within the period; withdrawn;
* a dispute whose B2 breach is withdrawn by an extension approved within the period; withdrawn.
"""

from __future__ import annotations

from datetime import timedelta

from activities.policy.calendar_data import load_calendar
from tests.samples import PETITION_INTAKE
from tests.workflows.clock_harness import clockwork

GRACE = timedelta(minutes=30)


async def record_backfill(tag: str) -> None:
    from tests.replay.record import _save_history

    async with clockwork(load_calendar()) as cw:
        dispute = await cw.register(received_on="2026-10-19")
        await cw.act(dispute, "accept", accepted_on="2026-10-20")
        await cw.env.sleep(GRACE + timedelta(minutes=5))  # B2 (11-20) breached
        await cw.act(
            dispute,
            "extend_clock",
            clock_id="B2",
            length=30,
            approver="调委会主任",
            reason="案情复杂",
            approved_on="2026-11-19",
        )
        await cw.act(dispute, "withdraw")
        await cw.client.get_workflow_handle(dispute.id).result()
        await _save_history(cw.client, dispute.id, f"{tag}_dispute_extension_withdraws_breach")

        medical = await cw.register(category="medical", received_on="2026-10-12")
        await cw.act(medical, "accept", accepted_on="2026-10-12")
        await cw.act(medical, "start_mediation", started_on="2026-10-13")
        await cw.env.sleep(GRACE + timedelta(minutes=5))  # E4 (11-23) ran: failed
        await cw.act(medical, "record_agreement", signed_on="2026-11-19", items=[])  # restored
        await cw.act(medical, "withdraw")
        await cw.client.get_workflow_handle(medical.id).result()
        await _save_history(cw.client, medical.id, f"{tag}_medical_failure_withdrawn")

        petition = await cw.register(**PETITION_INTAKE, received_on="2026-09-01")
        await cw.env.sleep(GRACE + timedelta(days=2))  # breached, notified, re-notified
        await cw.act(petition, "accept", accepted_on="2026-09-02")  # withdrawn
        await cw.act(petition, "reply", answered_on="2026-10-15", served_on="2026-10-20")
        await cw.env.sleep(GRACE + timedelta(minutes=5))  # A7 (11-19) lapses: 终结
        await cw.act(petition, "request_review", requested_on="2026-11-10")  # reopened
        answered = await cw.act(petition, "answer_review", answered_on="2026-11-30")
        a8 = answered.clock("A8")
        assert a8 is not None
        await cw.sleep_until(a8.due_at + timedelta(hours=1))  # the A8 window lapses: 终结
        await cw.act(petition, "close")
        await cw.client.get_workflow_handle(petition.id).result()
        await _save_history(cw.client, petition.id, f"{tag}_petition_breach_withdrawn_reopened")
