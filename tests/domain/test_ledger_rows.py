"""台账 rows read back as intakes: the paper's dates, the parties on each side, and a refusal in
Chinese naming the column for every kind of bad row."""

from __future__ import annotations

from datetime import date

import pytest

from domain.case.commands import Accept, RecordAgreement, RecordMediationFailure, StartMediation
from domain.case.ledger import LedgerRefusal, paper_steps, read_row
from domain.values import Category, Channel

TODAY = date(2026, 3, 2)
GOOD = {
    "登记日期": "2025年3月1日",
    "纠纷类型": "邻里纠纷",
    "当事人": "张三、李四与王五",
    "纠纷简要情况": "因排水沟堵塞发生争执",
    "排查/来源": "排查发现",
    "备注": "纸质台账补录",
}


def test_a_good_row_keeps_the_papers_date_and_both_sides() -> None:
    entry = read_row(7, {**GOOD, "受理日期": "2025/3/3"}, today=TODAY)
    assert entry.received_on == date(2025, 3, 1)
    assert entry.accepted_on == date(2025, 3, 3)
    assert entry.category is Category.NEIGHBOURHOOD
    assert entry.channel is Channel.GRID_REPORT
    assert [p.name for p in entry.applicants] == ["张三", "李四"]
    assert [p.name for p in entry.respondents] == ["王五"]
    assert entry.description.endswith("备注：纸质台账补录")
    assert "张三" not in entry.title


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"登记日期": ""}, "登记日期为空"),
        ({"登记日期": "2025-13-01"}, "登记日期“2025-13-01”不是有效日期"),
        ({"登记日期": "2026-03-03"}, "登记日期2026-03-03晚于今天"),
        ({"纠纷类型": "宇宙纠纷"}, "纠纷类型“宇宙纠纷”无法识别"),
        ({"当事人": "、"}, "当事人为空"),
        ({"当事人": "、".join(f"甲{i}" for i in range(51))}, "当事人超过50人，请分行登记"),
        ({"排查/来源": "托梦"}, "排查/来源“托梦”无法识别"),
        ({"受理日期": "2025-02-01"}, "受理日期2025-02-01应在登记日期与今天之间"),
        ({"纠纷简要情况": "  "}, "纠纷简要情况为空"),
        ({"办结日期": "2025-03-05"}, "已填办结日期，化解结果为空"),
        (
            {"办结日期": "2025-02-05", "化解结果": "调解成功"},
            "办结日期2025-02-05应在登记（受理）日期与今天之间",
        ),
        (
            {"办结日期": "2025-03-05", "化解结果": "再议"},
            "化解结果“再议”无法识别（应写明化解成功或调解不成）",
        ),
    ],
)
def test_a_bad_row_is_refused_naming_its_column(change: dict[str, str], reason: str) -> None:
    with pytest.raises(LedgerRefusal) as refused:
        read_row(9, {**GOOD, **change}, today=TODAY)
    assert str(refused.value) == reason


def test_an_ended_row_becomes_the_facts_that_end_it_on_the_papers_dates() -> None:
    ended = read_row(
        3, {**GOOD, "办结日期": "2025-03-20", "化解结果": "调解不成，告知诉讼"}, today=TODAY
    )
    steps = paper_steps(ended)
    assert [name for name, _ in steps] == ["accept", "mediation", "failure", "close"]
    accept, mediation, failure = (command for _, command in steps[:3])
    assert isinstance(accept, Accept)
    assert accept.accepted_on == date(2025, 3, 1)
    assert isinstance(mediation, StartMediation)
    assert mediation.started_on == date(2025, 3, 1)
    assert isinstance(failure, RecordMediationFailure)
    assert failure.failed_on == date(2025, 3, 20)
    resolved = read_row(4, {**GOOD, "办结日期": "2025-03-20", "化解结果": "已化解"}, today=TODAY)
    assert isinstance(paper_steps(resolved)[2][1], RecordAgreement)
    assert paper_steps(read_row(5, GOOD, today=TODAY)) == ()
