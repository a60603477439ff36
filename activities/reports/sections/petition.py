"""The petition in the dossier (信访): 答复 and 复查/复核 by level, 终结 and 重复信访."""

from __future__ import annotations

from datetime import date

from activities.reports.sections.parts import Part, Stamp, stamp
from domain.case.labels import ANSWER_LEVEL_LABELS, CHANNEL_LABELS
from domain.case.state import CaseState
from domain.values import CaseKind, Channel


class Answer(Part):
    """处理意见 / 复查意见 / 复核意见."""

    level: int
    level_label: str
    requested_on: date | None
    request_reason: str
    answer: str | None
    answered_on: date | None
    recorded: Stamp


class Finalization(Part):
    """终结."""

    reason: str
    recorded: Stamp


class Repeat(Part):
    """重复信访; ``channel`` is kept as recorded."""

    received_on: date
    channel: str
    channel_label: str
    summary: str
    recorded: Stamp


class Petition(Part):
    """信访: the answers, finalisation, repeats and the link to a diverted dispute (访调对接)."""

    answers: list[Answer]
    finalized: Finalization | None
    repeats: list[Repeat]
    diverted_to: str | None


def petition(state: CaseState) -> Petition | None:
    if state.kind is not CaseKind.PETITION and not (
        state.answers or state.repeats or state.finalized or state.diverted_to
    ):
        return None
    return Petition(
        answers=[
            Answer(
                level=answer.level,
                level_label=ANSWER_LEVEL_LABELS.get(answer.level, str(answer.level)),
                requested_on=answer.requested_on,
                request_reason=answer.request_reason,
                answer=answer.answer,
                answered_on=answer.answered_on,
                recorded=stamp(answer.recorded),
            )
            for answer in state.answers
        ],
        finalized=(
            Finalization(reason=state.finalized.reason, recorded=stamp(state.finalized.recorded))
            if state.finalized
            else None
        ),
        repeats=[
            Repeat(
                received_on=repeat.received_on,
                channel=repeat.channel,
                channel_label=_channel_label(repeat.channel),
                summary=repeat.summary,
                recorded=stamp(repeat.recorded),
            )
            for repeat in state.repeats
        ],
        diverted_to=state.diverted_to,
    )


def _channel_label(channel: str) -> str:
    try:
        return CHANNEL_LABELS[Channel(channel)]
    except ValueError:
        return channel
