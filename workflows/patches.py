"""The ids of CaseWorkflow's patches (workflow.patched), each with what it changed.

Never rename or remove one while a case of that shape may be live: recorded histories replay
against them (tests/replay).
"""

from __future__ import annotations

from temporalio import workflow

CLOCKS_PATCH = "clocks-v2"
STORE_OUTAGE_PATCH = "store-outage-v1"
# Projection as a regular activity: a local activity runs before its workflow task is durable,
# so a discarded (speculative) task could write events that never became history.
DURABLE_PROJECTION_PATCH = "durable-projection-v1"
# An update answers with the case's seq, not the whole case (the caller reads the store).
LEAN_ANSWER_PATCH = "lean-answer-v1"
# A projection batch carries only its events; the store folds them onto the case it holds.
EVENTS_ONLY_PROJECTION_PATCH = "events-only-projection-v1"
# A fact recorded after its period ran (补录): the warning or breach is recorded with the command
# that recorded it, in the same batch, rather than on the run loop's next turn.
LATE_ENTRY_PATCH = "late-entry-v1"
# A case registered before the hand-off rules (policy 2026.3) gets them on its first hand-off:
# the policy in force now is fetched and its 签收/交办反馈 clocks and lift rules are recorded
# (PolicyAmended) before the hand-off's own events, so the hand-off's clock starts.
HANDOFFS_PATCH = "handoffs-v1"
# The store refuses a batch's content for good (PROJECTION_REFUSED): the case holds the events
# and offers them again with its next command or an operator's ``reproject`` signal, instead of
# retrying on a timer for ever (each retry logged, the history growing until Temporal's limit).
PROJECTION_HELD_PATCH = "projection-held-v1"
# The case's holiday data covers the years of its facts (domain.case.calendar_years): at intake from
# the year the application was received; a later fact dated in a year the case's calendar lacks
# makes the case fetch that year and record it (ClocksRescheduled) before the fact's events.
# Asked only when a fact falls outside the years of intake, so other histories carry no marker.
CALENDAR_YEARS_PATCH = "calendar-years-v1"
# 逾期撤销 (policy 2026.4): a breach withdrawn because a fact entered late answered its clock in
# time is told to everyone its alert reached, once each, on the channels that carried it. Asked
# only when a withdrawal is recorded (older histories never record one).
BREACH_WITHDRAWN_PATCH = "breach-withdrawn-v1"
# 调解会排期: the mediators of a session booked or moved are told (a notice each, on their
# channels or in their inbox; not an alert). Asked only when a session is booked or moved.
SESSION_NOTICES_PATCH = "session-notices-v1"
# A run handed a case state must be the continuation of a run of the same case (continue-as-new):
# a start carrying a state from anywhere else (sent straight to Temporal) fails at once, before
# it records or projects anything. Asked only for such a start, so no other history has it.
FORGED_START_PATCH = "signed-commands-v1"
# 出具文书: a document issued for the first time takes the next 文号 of its organisation's series
# (an activity) before its event is recorded. Asked only when a document is issued.
DOCUMENTS_PATCH = "documents-v1"
# 风险研判, 领导批示, 落实反馈 (policy 2026.5): marks the histories that hold these commands (a
# history recorded before them never does). Asked only when one of them is recorded.
LEADER_ACTS_PATCH = "leader-acts-v1"
# A court's decision needs its acceptance recorded first (法院受理 before 法院裁定); a history
# recorded before replays as it ran.
COURT_ACCEPTANCE_PATCH = "court-acceptance-first-v1"
# 证据材料: a file added to or withdrawn from a case is a command of its own; marked when such a
# command is applied, so only histories that hold one carry the marker.
ATTACHMENTS_PATCH = "attachments-v1"
# 挂牌督办 and 摘牌 (policy 2026.6): marks the histories that hold these commands (their 督办时限
# clock escalates to the level above the lister). Asked only when one of them is recorded.
LISTING_PATCH = "listing-v1"
# Projection inside the workflow task again (a local activity), each batch with the task's
# history length: one workflow task per command instead of two and an activity task. An attempt
# whose task is lost has its events set aside by the attempt that decides again (store 0031:
# case_events_superseded); an older attempt never displaces a later one. A run of baseline 2 also
# projects a command's events in one batch once it has decided them all (intake: after its policy).
LOCAL_PROJECTION_PATCH = "local-projection-v1"
# The run loop replaces its clock timer when the earliest moment changes. A timer due within
# moments (workflows.case_workflow.IMMINENT) may already have fired while the task was with the
# worker: it is left to fire (a wake-up that finds nothing due) rather than cancelled. Asked
# only when such a timer is replaced, so other histories carry no marker.
IMMINENT_TIMER_KEPT_PATCH = "imminent-timer-kept-v1"


# A case started since ``patch_baseline`` 1 (its CaseWorkflowInput says so) has every patch above
# built in: its run takes the patched path without asking, so it records no marker for them (each
# first ``workflow.patched`` of a run records one and upserts Temporal's TemporalChangeVersion
# search attribute: nine visibility updates per lifecycle). A run started without a baseline asks
# as before, so every recorded history replays as it ran. A patch added later is asked in every
# run until a new baseline lists it.
BASELINES: dict[int, frozenset[str]] = {
    1: frozenset(
        {
            CLOCKS_PATCH,
            STORE_OUTAGE_PATCH,
            DURABLE_PROJECTION_PATCH,
            LEAN_ANSWER_PATCH,
            EVENTS_ONLY_PROJECTION_PATCH,
            LATE_ENTRY_PATCH,
            HANDOFFS_PATCH,
            PROJECTION_HELD_PATCH,
            CALENDAR_YEARS_PATCH,
            BREACH_WITHDRAWN_PATCH,
            SESSION_NOTICES_PATCH,
            FORGED_START_PATCH,
            DOCUMENTS_PATCH,
            LEADER_ACTS_PATCH,
            COURT_ACCEPTANCE_PATCH,
            ATTACHMENTS_PATCH,
            LISTING_PATCH,
        }
    ),
}
BASELINES[2] = BASELINES[1] | {LOCAL_PROJECTION_PATCH}
# The baseline new cases start with.
CURRENT_BASELINE = 2


class Patches:
    """``workflow.patched`` for one run: a patch its baseline has built in is taken without
    asking (no marker)."""

    def __init__(self, baseline: int) -> None:
        self.baseline = baseline
        self._built_in = BASELINES.get(baseline, frozenset())

    def built_in(self, patch_id: str) -> bool:
        """Whether this run's baseline has ``patch_id`` built in (asks nothing of the history)."""
        return patch_id in self._built_in

    def __call__(self, patch_id: str) -> bool:
        return patch_id in self._built_in or workflow.patched(patch_id)
