"""Ledger workbooks for the import tests: good rows, and bad rows of every kind with the reason
each must be rejected for (the fragment of the Chinese reason the import gives)."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook

from domain.case.ledger import ACCEPTED_COLUMN, LEDGER_COLUMNS, LEDGER_TITLE

COLUMNS = (*LEDGER_COLUMNS, ACCEPTED_COLUMN)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
CATEGORIES = ("邻里纠纷", "婚姻家庭", "物业纠纷", "合同纠纷", "消费纠纷", "土地承包")

# Each bad row: the cells that differ from a good row, and the reason's expected fragment.
BAD_KINDS: tuple[tuple[dict[str, str], str], ...] = (
    ({"登记日期": ""}, "登记日期为空"),
    ({"登记日期": "去年春天"}, "不是有效日期"),
    ({"登记日期": "2025-02-30"}, "不是有效日期"),
    ({"登记日期": "2999-01-01"}, "晚于今天"),
    ({"纠纷类型": "宇宙纠纷"}, "纠纷类型"),
    ({"当事人": ""}, "当事人为空"),
    ({"纠纷简要情况": ""}, "纠纷简要情况为空"),
    ({"排查/来源": "托梦"}, "排查/来源"),
    ({"责任单位": "不存在的调解委员会"}, "责任单位"),
    ({ACCEPTED_COLUMN: "2020-01-01"}, "受理日期"),
)


@dataclass(frozen=True)
class Ledger:
    data: bytes
    rows: int
    bad: dict[int, str]  # sheet line → expected reason fragment


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def good_row(number: int, rng: random.Random, *, first_day: date) -> dict[str, str]:
    received = first_day + timedelta(days=number % 300)
    return {
        "序号": str(number),
        "登记日期": received.isoformat(),
        "纠纷类型": CATEGORIES[number % len(CATEGORIES)],
        "当事人": f"{_name(rng)}与{_name(rng)}",
        "纠纷简要情况": f"第{number}号：因宅基地边界、排水等问题发生争执，双方要求调解。",
        "排查/来源": "排查发现" if number % 2 else "来访",
        "化解措施/进展": "已组织双方面对面调解",
        "备注": "纸质台账补录",
    }


def ledger_file(
    rows: int, bad: int, *, seed: int = 21, first_day: date = date(2025, 1, 6)
) -> Ledger:
    """A ledger of ``rows`` data rows, ``bad`` of them (spread through the file) bad in turn in
    each way of ``BAD_KINDS``; a title line above the header, as paper ledgers have."""
    rng = random.Random(seed)
    bad_at = set(rng.sample(range(1, rows + 1), bad))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([LEDGER_TITLE])
    sheet.append(list(COLUMNS))
    expected: dict[int, str] = {}
    kind = 0
    for number in range(1, rows + 1):
        cells = good_row(number, rng, first_day=first_day)
        if number in bad_at:
            change, reason = BAD_KINDS[kind % len(BAD_KINDS)]
            kind += 1
            cells = {**cells, **change}
            expected[number + 2] = reason  # line in the sheet: title and header above
        sheet.append([cells.get(column, "") for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return Ledger(out.getvalue(), rows, expected)


def ledger_of(rows: list[dict[str, str]]) -> bytes:
    """A ledger holding exactly ``rows`` (cells by column name)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([LEDGER_TITLE])
    sheet.append(list(COLUMNS))
    for cells in rows:
        sheet.append([cells.get(column, "") for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
