"""Days (日期) as the domain accepts them: within the years its holiday calendar can count.

Periods are counted against the holiday data (``domain.statutory``, ``domain.lunar_table``:
1901–2099). A date outside those years cannot be counted from and is refused where it enters,
beside its field, before anything is reserved for the case (a case number, a workflow). The last
year is kept free so that a period begun in the last accepted year still ends inside the data.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator

from domain.deadlines.lunar_table import FIRST_YEAR, LAST_YEAR

FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR - 1, 12, 31)
OUT_OF_RANGE_ZH = f"日期须在{FIRST_DAY.year}年至{LAST_DAY.year}年之间（节假日数据所及的年份）"
OUT_OF_RANGE_EN = (
    f"the date must lie in {FIRST_DAY.year}–{LAST_DAY.year}, the years the holiday calendar covers"
)


def within_calendar(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{OUT_OF_RANGE_ZH} / {OUT_OF_RANGE_EN}")
    return day


Day = Annotated[date, AfterValidator(within_calendar)]
