"""Refusals (拒绝) without a running case: the errors ``decide`` gives, for the two places that
answer for a case whose workflow cannot: a case that has ended (its workflow is gone) and a
diversion (访调对接) checked before it reserves a dispute number.
"""

from __future__ import annotations

from domain.case.commands import CommandEnvelope, Register
from domain.case.labels import ACTION_LABELS, STAGE_LABELS
from domain.case.stages import Action, allowed
from domain.case.state import CaseState
from domain.errors import ForbiddenTransition


def already_registered(state: CaseState) -> ForbiddenTransition:
    return ForbiddenTransition(
        f"案件 {state.case_id} 已登记", f"case {state.case_id} is already registered"
    )


def stage_forbids(state: CaseState, action: Action) -> ForbiddenTransition | None:
    """The refusal when the case's stage does not allow ``action``; None when it does."""
    if allowed(action, state.stage, state.kind.value):
        return None
    return ForbiddenTransition(
        f"案件当前阶段为「{STAGE_LABELS[state.stage]}」，不能{ACTION_LABELS[action]}",
        f"case is in stage '{state.stage.value}'; '{action.value}' is not allowed",
    )


def answer_after_end(state: CaseState, envelope: CommandEnvelope) -> None:
    """A command to a case whose workflow is gone because the case ended (结案/撤回).

    A retry of a command the case already applied is answered with the case as stored (returns);
    anything else is refused with the 409 the workflow gave while it ran.
    """
    if state.has_applied(envelope.command_id):
        return
    if isinstance(envelope.command, Register):
        raise already_registered(state)
    # An ended case allows no action; a case not ended whose workflow is gone (terminated by an
    # operator) has nothing left to record the command on.
    raise stage_forbids(state, Action(envelope.command.type)) or _ended(state)


def check_diversion(petition: CaseState, command_id: str) -> None:
    """访调对接 may go ahead: the diversion ``command_id`` was applied already, or the stage
    allows it. The petition's own workflow decides again when the link is recorded."""
    if petition.has_applied(command_id):
        return
    refusal = stage_forbids(petition, Action.DIVERT_TO_MEDIATION)
    if refusal is not None:
        raise refusal


def _ended(state: CaseState) -> ForbiddenTransition:
    return ForbiddenTransition(
        f"案件 {state.case_id} 的流程已结束，不再接受操作",
        f"case {state.case_id} has no running workflow; it takes no more commands",
    )
