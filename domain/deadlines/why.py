"""Why a clock is due when it is (计算说明): the story of one period as typed steps.

Each step is a frozen model with its Chinese and English sentence and the facts it states
(``day``, ``until``, ``count``, ``name``), so the clocks view, the dossier and an auditor can show
the text or check the facts. Every time is shown in China time (北京时间), never as a UTC stamp.
The steps are told in the order the counting happens: the starting fact (and its late recording,
补录), the day not counted, each pause, the nominal last day, each holiday move, each extension,
the cap, the end, the holiday data and any provisional year.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from domain.base import Frozen
from domain.values import CHINA_TZ

_OMITTED_WHEN_NONE = Field(exclude_if=lambda value: value is None)


class StepKind(StrEnum):
    START = "start"  # the legal fact and its date
    LATE_ENTRY = "late_entry"  # 补录: recorded days after the fact
    NOT_COUNTED = "not_counted"  # 开始的当日不计入
    PAUSE = "pause"  # 中止计时: a span not counted
    PERIOD = "period"  # the length and the nominal last day
    HOLIDAY_MOVE = "holiday_move"  # the last day is a rest day: it moves
    ADJUSTED_WORKDAY = "adjusted_workday"  # the last day is a 调休上班日: it stays
    SKIPPED = "skipped"  # rest days skipped by a working-day count
    EXTENSION = "extension"  # 延期: length, approver, from which end
    # A day set for the case (plan deadline, performance date) or by the assigning office (交办
    # 反馈期限, A4): a date, not a period, so it does not move off a rest day.
    FIXED_DAY = "fixed_day"
    CAP = "cap"  # a hard outer limit and whether it binds
    END = "end"  # when the period ends
    CALENDAR = "calendar"  # which holiday data was used
    PROVISIONAL = "provisional"  # a year without a published notice


class WhyStep(Frozen):
    """One sentence of the explanation, in Chinese and English, with the facts it states."""

    kind: StepKind
    zh: str
    en: str
    # Facts a step does not state are left out of its JSON: every due time is recorded in the
    # case's history, and most steps state one or two of them.
    # The step's main day (start, pause from, nominal last day, moved-to day, end):
    day: Annotated[date | None, _OMITTED_WHEN_NONE] = None
    # The second day of a span (the pause's last day, the day a move starts from):
    until: Annotated[date | None, _OMITTED_WHEN_NONE] = None
    # Days not counted, the period's or the extension's length, days late:
    count: Annotated[int | None, _OMITTED_WHEN_NONE] = None
    # A holiday's name, an approver, a rule id, a pause reason:
    name: Annotated[str | None, _OMITTED_WHEN_NONE] = None

    @property
    def text(self) -> str:
        """Both languages on one line (the form of the legacy ``Due.steps``)."""
        return f"{self.zh} / {self.en}"


def china_time(at: datetime) -> str:
    """An instant in China time, e.g. ``2026-10-09 14:30`` (never a UTC stamp)."""
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def due_time_text(at: datetime) -> str:
    """A due instant as the law counts it: the end of the last day reads ``…-30 24:00``."""
    local = at.astimezone(CHINA_TZ)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{(local - timedelta(days=1)).strftime('%Y-%m-%d')} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")
