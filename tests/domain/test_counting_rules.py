"""Every rule of the 2026.2 policy counted across the 2026 holidays, worked out by hand.

The official 2026 arrangement (国办发明电〔2025〕 notice; ``tests/domain/official_calendar.py``):
元旦 1–3 Jan (Sun 4 Jan worked); 春节 15–23 Feb (Sat 14 Feb and Sat 28 Feb worked); 清明 4–6 Apr;
劳动节 1–5 May (Sat 9 May worked); 端午 19–21 Jun; 中秋 25–27 Sep; 国庆 1–7 Oct (Sun 20 Sep and
Sat 10 Oct worked). In 2026 中秋 and 国庆 are two blocks a few days apart (in 2025 they were one).
2027 is unpublished: only its statutory days are skipped (元旦 1 Jan; 春节 5–8 Feb; 清明 5 Apr;
劳动节 1–2 May; 端午 9 Jun; 中秋 15 Sep; 国庆 1–3 Oct) and the result is provisional.

Each expected day below was counted on a calendar, not taken from the code: the day of the
fact is not counted (民法典 Art.201), a month ends on the corresponding day (Art.202), a last day
that is a rest day moves to the next working day (Art.203), 调休 Saturdays/Sundays are working
days, pauses remove the days (working days on a working-day clock) from the pause date to the
day before counting resumes, and extensions run from the end after its holiday move.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.deadlines.periods import end_of_china_day
from tests.domain.counting_cases import RULES, Row, count

D = date

ROWS = [
    # --- B2: one month (民法典 Art.202), not 30 days ---
    Row("B2", D(2026, 3, 2), D(2026, 4, 2), note="corresponding day, a Thursday"),
    # 15 Jan + 1 month = Sun 15 Feb, inside 春节 (15–23 Feb) → Tue 24 Feb.
    Row("B2", D(2026, 1, 15), D(2026, 2, 24), note="Spring Festival move"),
    # 31 Jan + 1 month: February has no 31st → Sat 28 Feb, a 调休 working Saturday: no move.
    Row("B2", D(2026, 1, 31), D(2026, 2, 28), note="month end on a 调休 Saturday"),
    # 31 Mar + 1 month → 30 Apr (Thu), the last day of April.
    Row("B2", D(2026, 3, 31), D(2026, 4, 30), note="month end"),
    # 1 Apr + 1 month = Fri 1 May, 劳动节 (1–5 May) → Wed 6 May.
    Row("B2", D(2026, 4, 1), D(2026, 5, 6), note="Labour Day move"),
    # 26 Aug + 1 month = Sat 26 Sep, 中秋 (25–27 Sep) → Mon 28 Sep.
    Row("B2", D(2026, 8, 26), D(2026, 9, 28), note="Mid-Autumn move"),
    # 1 Sep + 1 month = Thu 1 Oct, 国庆 (1–7 Oct) → Thu 8 Oct.
    Row("B2", D(2026, 9, 1), D(2026, 10, 8), note="National Day move"),
    # Leap year: 31 Jan 2028 + 1 month → Tue 29 Feb 2028 (2028 unpublished: provisional).
    Row("B2", D(2028, 1, 31), D(2028, 2, 29), provisional=True, note="leap year"),
    # Non-leap: 29 Jan 2027 + 1 month → 28 Feb 2027, a Sunday → Mon 1 Mar 2027.
    Row("B2", D(2027, 1, 29), D(2027, 3, 1), provisional=True, note="no 29 Feb in 2027"),
    # Accepted 2 Mar, recorded 12 Mar (补录): still 2 Apr.
    Row("B2", D(2026, 3, 2), D(2026, 4, 2), recorded=D(2026, 3, 12), note="late entry"),
    # Paused 10–19 Mar (resumed 20 Mar): 10 days not counted; 2 Apr + 10 = Sun 12 Apr → Mon 13.
    Row("B2", D(2026, 3, 2), D(2026, 4, 13), pauses=((D(2026, 3, 10), D(2026, 3, 20)),)),
    # Nominal 15 Feb moves to 24 Feb; +30 days from 24 Feb (not from 15 Feb) = Thu 26 Mar.
    Row("B2", D(2026, 1, 15), D(2026, 3, 26), extension=30, note="extension after a move"),
    # --- B7: 30 days from the agreement's signing ---
    # Signed Tue 1 Sep, recorded 11 Sep: 1 Sep + 30 = 1 Oct (国庆) → 8 Oct.
    Row("B7", D(2026, 9, 1), D(2026, 10, 8), recorded=D(2026, 9, 11), note="late entry"),
    Row("B7", D(2026, 1, 16), D(2026, 2, 24), note="15 Feb in 春节 → 24 Feb"),
    Row("B7", D(2026, 4, 2), D(2026, 5, 6), note="Sat 2 May in 劳动节 → 6 May"),
    # 2027 unpublished: 1 Sep 2027 + 30 = Fri 1 Oct 2027 (国庆, statutory), then Sat 2 and
    # Sun 3 (statutory and weekend) → Mon 4 Oct 2027, provisional (the 调休 is unknown).
    Row("B7", D(2027, 9, 1), D(2027, 10, 4), provisional=True, note="2027 National Day"),
    # 16 Aug 2027 + 30 = Wed 15 Sep 2027, 中秋 → Thu 16 Sep 2027.
    Row("B7", D(2027, 8, 16), D(2027, 9, 16), provisional=True, note="2027 Mid-Autumn"),
    # --- FU: 30 days from the agreement ---
    # 2 Dec 2026 + 30 = Fri 1 Jan 2027 (元旦), Sat 2, Sun 3 → Mon 4 Jan 2027.
    Row("FU", D(2026, 12, 2), D(2027, 1, 4), provisional=True, note="into 2027: 元旦"),
    Row("FU", D(2026, 6, 1), D(2026, 7, 1), note="no holiday"),
    # --- C3: 3 days from the application ---
    Row("C3", D(2026, 9, 30), D(2026, 10, 8), note="3 Oct in 国庆 → 8 Oct"),
    # 11 Feb + 3 = Sat 14 Feb, a 调休 working day: it does not move.
    Row("C3", D(2026, 2, 11), D(2026, 2, 14), note="调休 Saturday before 春节"),
    # --- C4: 15 days (+10 by the president), capped by C5: 30 days from the acceptance ---
    Row("C4", D(2026, 3, 2), D(2026, 3, 17), note="cap 1 Apr does not bind"),
    # Accepted Sun 1 Feb: 16 Feb (春节) → 24 Feb; +10 from 24 Feb = Fri 6 Mar. C5: 1 Feb + 30 =
    # Tue 3 Mar, a working day. The cap binds: 3 Mar.
    Row("C4", D(2026, 2, 1), D(2026, 3, 3), extension=10, note="C5 binds"),
    # Accepted Sun 20 Sep (a 调休 working day; the start day is not counted anyway): 5 Oct
    # (国庆) → 8 Oct; +10 = Sun 18 Oct → Mon 19 Oct. C5: 20 Sep + 30 = Tue 20 Oct: no bind.
    Row("C4", D(2026, 9, 20), D(2026, 10, 19), extension=10, note="C5 does not bind"),
    # Court acceptance 2 Mar (applied 20 Feb): 17 Mar + 10 = Fri 27 Mar; C5 from the
    # acceptance is 1 Apr (from the application it would have been 22 Mar → 23 Mar).
    Row("C4", D(2026, 3, 2), D(2026, 3, 27), extension=10, note="C5 from the acceptance"),
    # --- E1: 15 days from the application (not the acceptance) ---
    Row("E1", D(2026, 9, 16), D(2026, 10, 8), recorded=D(2026, 9, 18), note="1 Oct → 8 Oct"),
    Row("E1", D(2026, 6, 4), D(2026, 6, 22), note="Fri 19 Jun 端午 (19–21) → Mon 22"),
    # --- E4 / E5: 30 working days from the acceptance; appraisal not counted ---
    # From Tue 15 Sep: 16–18 (3), Sun 20 worked (4), 21–24 (8), 中秋 25–27, 28–30 (11), 国庆
    # 1–7, 8–9 (13), Sat 10 worked (14), 12–16 (19), 19–23 (24), 26–30 (29), Mon 2 Nov (30).
    Row("E4", D(2026, 9, 15), D(2026, 11, 2), note="中秋 + 国庆 with two 调休 days"),
    Row("E5", D(2026, 9, 15), D(2026, 11, 2), note="administrative: same count"),
    # Appraisal 12–16 Oct (resumed Mon 19 Oct): 5 working days not counted → Mon 9 Nov.
    Row("E4", D(2026, 9, 15), D(2026, 11, 9), pauses=((D(2026, 10, 12), D(2026, 10, 19)),)),
    # A pause over the National Day week removes only its working days: paused Wed 30 Sep,
    # resumed Fri 9 Oct → 30 Sep and 8 Oct (2 working days) → 2 Nov + 2 = Wed 4 Nov.
    Row("E5", D(2026, 9, 15), D(2026, 11, 4), pauses=((D(2026, 9, 30), D(2026, 10, 9)),)),
    # Parties agree a new end date, Sat 21 Nov: a rest day → Mon 23 Nov.
    Row("E4", D(2026, 9, 15), D(2026, 11, 23), agreed_end=D(2026, 11, 21), note="agreed end"),
    # From Mon 2 Feb: 3–6 (4), 9–13 (9), Sat 14 worked (10), 春节 15–23, 24–27 (14),
    # Sat 28 worked (15), 2–6 Mar (20), 9–13 (25), 16–20 (30) → Fri 20 Mar.
    Row("E4", D(2026, 2, 2), D(2026, 3, 20), note="春节 with both 调休 Saturdays"),
    # Into 2027: from Tue 15 Dec: 16–18 (3), 21–25 (8), 28–31 (12), 元旦 Fri 1 Jan 2027 skipped,
    # 4–8 (17), 11–15 (22), 18–22 (27), 25–27 (30) → Wed 27 Jan 2027, provisional.
    Row("E4", D(2026, 12, 15), D(2027, 1, 27), provisional=True, note="into 2027"),
    # --- E5a: decide on acceptance within 5 working days of the application ---
    # From Thu 30 Apr: 劳动节 1–5 May, 6 (1), 7 (2), 8 (3), Sat 9 worked (4), Mon 11 (5).
    Row("E5a", D(2026, 4, 30), D(2026, 5, 11), note="劳动节 with its 调休 Saturday"),
    # --- E6: 10 days from the start of mediation ---
    Row("E6", D(2026, 4, 24), D(2026, 5, 6), note="Mon 4 May in 劳动节 → 6 May"),
    # --- D1: 30 days (+ by the parties' consent; the 30-day limit is local policy) ---
    Row("D1", D(2026, 1, 9), D(2026, 2, 9), note="Sun 8 Feb → Mon 9 Feb"),
    # 17 Jan + 30 = 16 Feb (春节) → 24 Feb; +30 from 24 Feb = Thu 26 Mar.
    Row("D1", D(2026, 1, 17), D(2026, 3, 26), extension=30, note="extension after a move"),
    # --- D3: online mediation, 30 days; appraisal not counted ---
    Row("D3", D(2026, 8, 27), D(2026, 9, 28), note="Sat 26 Sep in 中秋 → 28 Sep"),
    # Appraisal 1–10 Sep (resumed 11 Sep): 10 days → 6 Oct (国庆) → 8 Oct.
    Row("D3", D(2026, 8, 27), D(2026, 10, 8), pauses=((D(2026, 9, 1), D(2026, 9, 11)),)),
    # --- A1 / A2: 15 days from receipt ---
    Row("A1", D(2026, 9, 16), D(2026, 10, 8), note="1 Oct → 8 Oct"),
    Row("A2", D(2026, 4, 20), D(2026, 5, 6), note="Tue 5 May in 劳动节 → 6 May"),
    # --- A3: 5 working days from receipt of the transfer ---
    # From Tue 29 Sep: 30 Sep (1), 国庆 1–7, 8 (2), 9 (3), Sat 10 worked (4), Mon 12 (5).
    Row("A3", D(2026, 9, 29), D(2026, 10, 12), note="国庆 with its 调休 Saturday"),
    # From Thu 12 Feb: 13 (1), Sat 14 worked (2), 春节 15–23, 24 (3), 25 (4), 26 (5).
    Row("A3", D(2026, 2, 12), D(2026, 2, 26), note="春节 with its 调休 Saturday"),
    # 2027 unpublished: from Wed 3 Feb 2027: 4 (1), 除夕 Fri 5, weekend, 初三 Mon 8, 9 (2),
    # 10 (3), 11 (4), 12 (5) → Fri 12 Feb 2027, provisional.
    Row("A3", D(2027, 2, 3), D(2027, 2, 12), provisional=True, note="2027 Spring Festival"),
    # --- A6: 60 days, +≤30 with the head's approval, no pause of any kind ---
    # 2 Aug + 60 = 1 Oct (国庆) → 8 Oct; +30 from 8 Oct = Sat 7 Nov → Mon 9 Nov.
    Row("A6", D(2026, 8, 2), D(2026, 11, 9), extension=30, note="extension after a move"),
    # --- A7: 30 days from service of the written reply ---
    Row("A7", D(2026, 9, 1), D(2026, 10, 8), recorded=D(2026, 9, 8), note="served, late entry"),
    Row("A7b", D(2026, 1, 16), D(2026, 2, 24), note="15 Feb in 春节 → 24 Feb"),
    Row("A8", D(2026, 4, 1), D(2026, 5, 6), note="1 May → 6 May"),
    # --- A8b: 30 days; hearing time not counted ---
    # Hearing 10–16 Mar (resumed 17 Mar): 7 days; 1 Apr + 7 = Wed 8 Apr.
    Row("A8b", D(2026, 3, 2), D(2026, 4, 8), pauses=((D(2026, 3, 10), D(2026, 3, 17)),)),
    # --- PLAN / ITEM: a day set for the case: no holiday move ---
    Row("PLAN", D(2026, 9, 1), D(2026, 10, 3), fixed_day=D(2026, 10, 3), note="a date stays"),
    # Appraisal 10–14 Sep (resumed 15 Sep): 5 days → 3 Oct + 5 = 8 Oct.
    Row(
        "PLAN",
        D(2026, 9, 1),
        D(2026, 10, 8),
        fixed_day=D(2026, 10, 3),
        pauses=((D(2026, 9, 10), D(2026, 9, 15)),),
    ),
    Row("ITEM", D(2026, 6, 1), D(2026, 6, 20), fixed_day=D(2026, 6, 20), note="端午 Saturday"),
    # --- TAKE: 2 working days from the transfer to take it or send it back ---
    # Transferred Fri 6 Mar: Mon 9 (1), Tue 10 (2).
    Row("TAKE", D(2026, 3, 6), D(2026, 3, 10), note="over a weekend"),
    # From Tue 29 Sep: 30 Sep (1), 国庆 1–7, Thu 8 Oct (2).
    Row("TAKE", D(2026, 9, 29), D(2026, 10, 8), note="over 国庆"),
    # From Thu 12 Feb: Fri 13 (1), Sat 14 worked (2): the 调休 Saturday counts.
    Row("TAKE", D(2026, 2, 12), D(2026, 2, 14), note="调休 Saturday before 春节"),
    # --- A4: the report-back deadline the assigner set: a date, no holiday move ---
    Row("A4", D(2026, 9, 1), D(2026, 10, 3), fixed_day=D(2026, 10, 3), note="a date in 国庆"),
    # --- I1: the 落实时限 the instructing leader set: a date, no holiday move ---
    Row("I1", D(2026, 9, 28), D(2026, 10, 2), fixed_day=D(2026, 10, 2), note="a date in 国庆"),
    # --- L1: the 督办时限 the listing leader set: a date, no holiday move ---
    Row("L1", D(2026, 9, 20), D(2026, 10, 5), fixed_day=D(2026, 10, 5), note="a date in 国庆"),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_the_last_day_is_the_one_counted_by_hand(row: Row) -> None:
    clock, due = count(row)
    assert due.last_day == row.expected
    assert due.due_at == end_of_china_day(row.expected)
    assert due.provisional is row.provisional
    assert due.why, "every 2026.2 clock explains itself"
    assert due.steps == ()  # told once, in why (history size)
    assert due.explanation == tuple(step.text for step in due.why)
    assert clock.start is not None
    assert clock.start.on == row.start


def test_every_rule_of_the_policy_has_a_row() -> None:
    assert {row.rule_id for row in ROWS} == set(RULES)


def test_the_instruction_deadline_is_explained_as_the_leaders() -> None:
    _, due = count(Row("I1", D(2026, 9, 28), D(2026, 10, 2), fixed_day=D(2026, 10, 2)))
    assert any("批示领导确定的落实时限" in text for text in due.explanation)


def test_the_listing_deadline_is_explained_as_the_listers() -> None:
    _, due = count(Row("L1", D(2026, 9, 20), D(2026, 10, 5), fixed_day=D(2026, 10, 5)))
    assert any("挂牌领导确定的督办时限" in text for text in due.explanation)


def test_the_report_back_deadline_is_explained_as_the_assigners() -> None:
    _, due = count(Row("A4", D(2026, 9, 1), D(2026, 10, 3), fixed_day=D(2026, 10, 3)))
    fixed = [step for step in due.why if step.kind.value == "fixed_day"]
    assert [step.day for step in fixed] == [D(2026, 10, 3)]
    assert "交办单位确定的反馈期限" in fixed[0].zh
    start = due.why[0]
    assert "交办" in start.zh
    assert start.day == D(2026, 9, 1)
