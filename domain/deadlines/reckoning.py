"""Counting a period the way a court counts it (期间计算, policy version 2026.2), and why.

The rules are those of ``docs/domain.md`` ("How a period is counted"):

* The period starts from the **legal fact** — receipt, service, signing, the court's acceptance —
  on the date the command states, however late the office records it (补录); the recording time
  is kept beside it for the explanation. 开始的当日不计入 (民法典 Art.201).
* Days: the last day is the Nth day after the start; months: the corresponding day of the last
  month, or that month's last day if it has none (Art.202); hours: exactly N hours after the
  stated moment (Art.201(2)); working days: the Nth working day (weekends and statutory holidays
  skipped, 调休上班日 counted).
* The last day ends at 24:00 China time; a last day that is a rest day (法定休假日 as courts read
  it: holidays and un-worked weekends) moves to the next working day (Art.203).
* A pause (鉴定, 听证 where the rule allows one) excludes every day from the pause date through
  the day before counting resumes: on a working-day clock, the working days of that span; on a
  calendar clock, every day of it.
* An extension runs from the end of the original period after its holiday move, and the
  last-day rule applies again to the new end; an agreed extension may instead name a new end date.
* A cap (C5 over C4) is counted from its own start; the explanation says whether it binds.
* A year without a published notice still skips its statutory holidays
  (``domain.deadlines.daybook``); only its 调休 swaps are unknown, so the result is provisional
  and says why.

Everything is pure: the inputs are dates and instants, the output a ``Due`` whose ``why`` tells
the whole story in Chinese and English (``domain.deadlines.why``).
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.deadlines.calendar import FESTIVAL_NAMES, Festival, HolidayCalendar
from domain.deadlines.counting import (
    PAUSE_REASONS,
    UNIT_NAMES,
    ExtensionGrant,
    FactDate,
    PauseSpan,
    PeriodSpec,
    add_months,
    fact_name,
)
from domain.deadlines.day_spans import day_spans, days_between, span_text
from domain.deadlines.daybook import DayBook
from domain.deadlines.periods import Due, PeriodUnit, end_of_china_day
from domain.deadlines.why import StepKind, WhyStep, china_time
from domain.values import china_date

ONE_DAY = timedelta(days=1)
# A cap that ends more than this after the period it caps cannot bind it whatever an unpublished
# year's 调休 turns out to be (a notice moves a count by a holiday block and a few swapped days),
# so the years only the cap reached leave the due time final, not 暂定.
CAP_CLEAR_MARGIN = timedelta(days=31)


def reckon(spec: PeriodSpec, calendar: HolidayCalendar) -> Due:
    """When the period of ``spec`` ends, and why, counted against ``calendar``."""
    try:
        return _Count(spec, DayBook(calendar)).run()
    except OverflowError as error:
        raise ValueError(f"a period of {spec.length} {spec.unit} ends out of range") from error


# Who set a fixed day, as the explanation says it (zh, en).
FIXED_BY_CASE = ("案件确定的日期", "the day set for the case")
FIXED_BY_LEADER = ("批示领导确定的落实时限", "the deadline the instructing leader set")
FIXED_BY_LISTER = ("挂牌领导确定的督办时限", "the deadline the listing leader set")
FIXED_BY_ASSIGNER = ("交办单位确定的反馈期限", "the report-back deadline the assigning office set")


def reckon_fixed_day(
    fixed_day: date,
    start: FactDate,
    calendar: HolidayCalendar,
    *,
    pauses: tuple[PauseSpan, ...] = (),
    extensions: tuple[ExtensionGrant, ...] = (),
    set_by: tuple[str, str] = FIXED_BY_CASE,
) -> Due:
    """A day set for the case (一案一策 化解时限, a performance date, 交办 反馈期限): it is a date,
    not a period counted in days, so it does not move off a rest day; pauses and extensions still
    move it. ``set_by`` says who set it (zh, en) in the explanation."""
    count = _Count(
        PeriodSpec(length=0, unit=PeriodUnit.CALENDAR_DAYS, start=start), DayBook(calendar)
    )
    return count.run_fixed(fixed_day, pauses, extensions, set_by)


class _Count:
    """One count: collects the steps while it walks the days."""

    def __init__(self, spec: PeriodSpec, book: DayBook) -> None:
        self.spec = spec
        self.book = book
        self.steps: list[WhyStep] = []

    def add(self, kind: StepKind, zh: str, en: str, **facts: object) -> None:
        self.steps.append(WhyStep.model_validate({"kind": kind, "zh": zh, "en": en, **facts}))

    # --- the story, in order ---

    def run(self) -> Due:
        spec = self.spec
        self._start()
        if spec.unit is PeriodUnit.HOURS:
            return self._hours()
        start_day = spec.start.on
        if spec.length == 0:
            unit_zh, unit_en = UNIT_NAMES[spec.unit]
            self.add(
                StepKind.PERIOD,
                f"期间为 0 {unit_zh}，于起算日 {start_day} 当日届满",
                f"a period of 0 {unit_en} ends on the starting day {start_day}",
                day=start_day,
                count=0,
            )
            return self._finish(start_day)
        self._not_counted(start_day)
        self._pauses(spec.pauses, after=start_day)
        last = self._original(start_day)
        for grant in spec.extensions:
            last = self._extend(last, grant)
        return self._finish(self._capped(last))

    def run_fixed(
        self,
        fixed_day: date,
        pauses: tuple[PauseSpan, ...],
        extensions: tuple[ExtensionGrant, ...],
        set_by: tuple[str, str] = FIXED_BY_CASE,
    ) -> Due:
        start_day = self.spec.start.on
        self._start()
        zh, en = set_by
        self.add(
            StepKind.FIXED_DAY,
            f"期限为{zh} {fixed_day}（为日期而非按日计算的期间，不适用节假日顺延）",
            f"the deadline is {en}, {fixed_day} (a date, not a period "
            "counted in days, so it does not move off a rest day)",
            day=fixed_day,
        )
        self._pauses(pauses, after=start_day)
        last = fixed_day
        paused = sum(
            1 for d in days_between(start_day, fixed_day) if any(p.excludes(d) for p in pauses)
        )
        if paused:
            last = self._walk(start_day, (fixed_day - start_day).days, pauses, working=False)[0]
            self.add(
                StepKind.PERIOD,
                f"扣除中止计时 {paused} 日后，期限为 {last}",
                f"with {paused} paused day{'s' if paused != 1 else ''} not counted, "
                f"the deadline is {last}",
                day=last,
                count=paused,
            )
        for grant in extensions:
            last = self._extend(last, grant, move=False)
        return self._finish(last)

    def _start(self) -> None:
        start = self.spec.start
        zh, en = fact_name(start.fact)
        if start.at is not None and self.spec.unit is PeriodUnit.HOURS:
            moment = china_time(start.at)
            self.add(
                StepKind.START,
                f"起算事实：{zh}，时间 {moment}（北京时间）",
                f"the period starts from {en} at {moment} China time",
                day=start.on,
                name=start.fact,
            )
        else:
            self.add(
                StepKind.START,
                f"起算事实：{zh}，日期 {start.on}",
                f"the period starts from {en} on {start.on}",
                day=start.on,
                name=start.fact,
            )
        if start.recorded_at is not None:
            late = (china_date(start.recorded_at) - start.on).days
            if late > 0:
                recorded = china_time(start.recorded_at)
                self.add(
                    StepKind.LATE_ENTRY,
                    f"补录：该事实于 {recorded}（北京时间）录入，晚于事实发生 {late} 日；"
                    f"期间仍自 {start.on} 起算",
                    f"late entry: recorded at {recorded} China time, {late} "
                    f"day{'s' if late != 1 else ''} after the fact; the period still counts "
                    f"from {start.on}",
                    day=china_date(start.recorded_at),
                    count=late,
                )

    def _not_counted(self, start_day: date) -> None:
        self.add(
            StepKind.NOT_COUNTED,
            f"起算日 {start_day} 当日不计入，自 {start_day + ONE_DAY} 开始计算",
            f"the starting day {start_day} is not counted; counting begins on "
            f"{start_day + ONE_DAY}",
            day=start_day + ONE_DAY,
        )

    def _pauses(self, pauses: tuple[PauseSpan, ...], *, after: date) -> None:
        working = self.spec.unit is PeriodUnit.WORKING_DAYS
        for pause in pauses:
            reason_zh, reason_en = PAUSE_REASONS.get(pause.reason, (pause.reason, pause.reason))
            note = f"（{pause.note}）" if pause.note else ""
            if pause.resumed_on is None:
                self.add(
                    StepKind.PAUSE,
                    f"因{reason_zh}{note}自 {pause.paused_on} 起中止计时，尚未恢复；恢复后重新计算",
                    f"paused for {reason_en} from {pause.paused_on}, not yet resumed; the end "
                    "is counted again on resumption",
                    day=pause.paused_on,
                    name=pause.reason,
                )
                continue
            span = days_between(pause.paused_on - ONE_DAY, pause.resumed_on - ONE_DAY)
            counted = [
                d for d in span if d > after and (not working or self.book.is_working_day(d))
            ]
            last_paused = pause.resumed_on - ONE_DAY
            what_zh = "个工作日" if working else "日"
            what_en = "working day" if working else "day"
            self.add(
                StepKind.PAUSE,
                f"因{reason_zh}{note}中止计时：{pause.paused_on} 至 {last_paused}"
                f"（{pause.resumed_on} 恢复计时），其间 {len(counted)} {what_zh}不计入",
                f"paused for {reason_en} from {pause.paused_on} to {last_paused} (counting "
                f"resumed on {pause.resumed_on}): {len(counted)} {what_en}"
                f"{'s' if len(counted) != 1 else ''} not counted",
                day=pause.paused_on,
                until=last_paused,
                count=len(counted),
                name=pause.reason,
            )

    def _original(self, start_day: date) -> date:
        spec = self.spec
        unit_zh, unit_en = UNIT_NAMES[spec.unit]
        paused = any(p.resumed_on is not None for p in spec.pauses)
        extra_zh = "（已扣除中止计时）" if paused else ""
        extra_en = " (paused days not counted)" if paused else ""
        if spec.unit is PeriodUnit.WORKING_DAYS:
            nominal, skipped = self._walk(start_day, spec.length, spec.pauses, working=True)
            self.add(
                StepKind.PERIOD,
                f"期间 {spec.length} 个工作日，第 {spec.length} 个工作日为 {nominal}{extra_zh}",
                f"a period of {spec.length} working days; working day {spec.length} is "
                f"{nominal}{extra_en}",
                day=nominal,
                count=spec.length,
            )
            self._skipped(skipped, nominal, start_day)
            return nominal
        if spec.unit is PeriodUnit.MONTHS:
            corresponding = add_months(start_day, spec.length)
            nominal = self._walk(start_day, (corresponding - start_day).days, spec.pauses)[0]
            short = corresponding.day != start_day.day
            self.add(
                StepKind.PERIOD,
                f"期间 {spec.length} 个月，到期月的对应日为 {corresponding}"
                + ("（该月无对应日，以月末日为最后一日）" if short else "")
                + (f"{extra_zh}，最后一日为 {nominal}" if paused else ""),
                f"a period of {spec.length} month{'s' if spec.length != 1 else ''}; the "
                f"corresponding day is {corresponding}"
                + (" (that month has no such day: its last day)" if short else "")
                + (f"{extra_en}; the last day is {nominal}" if paused else ""),
                day=nominal,
                count=spec.length,
            )
            return self._moved(nominal)
        nominal = self._walk(start_day, spec.length, spec.pauses)[0]
        self.add(
            StepKind.PERIOD,
            f"期间 {spec.length} {unit_zh}，最后一日为 {nominal}{extra_zh}",
            f"a period of {spec.length} {unit_en}; the last day is {nominal}{extra_en}",
            day=nominal,
            count=spec.length,
        )
        return self._moved(nominal)

    def _walk(
        self, after: date, length: int, pauses: tuple[PauseSpan, ...], *, working: bool = False
    ) -> tuple[date, list[date]]:
        """The ``length``-th counted day after ``after``, and the rest days skipped on the way."""
        if not working and not any(p.resumed_on is not None for p in pauses):
            return after + timedelta(days=length), []  # no walk needed (and no day consulted)
        day, counted, skipped = after, 0, []
        while counted < length:
            day += ONE_DAY
            if any(p.excludes(day) for p in pauses):
                continue
            if working and not self.book.is_working_day(day):
                skipped.append(day)
                continue
            counted += 1
        return day, skipped

    def _skipped(self, skipped: list[date], last: date, after: date) -> None:
        holidays = [d for d in skipped if self.book.is_holiday(d)]
        weekends = len(skipped) - len(holidays)
        if holidays:
            named = day_spans(holidays)
            zh = "、".join(
                f"{span_text(a, b, '至')}（{self.book.rest_name(a)[0]}）" for a, b in named
            )
            en = ", ".join(
                f"{span_text(a, b, ' to ')} ({self.book.rest_name(a)[1]})" for a, b in named
            )
            self.add(
                StepKind.SKIPPED,
                f"跳过法定节假日 {zh}",
                f"statutory holidays skipped: {en}",
                count=len(holidays),
            )
        if weekends:
            self.add(
                StepKind.SKIPPED,
                f"跳过休息日（周末）{weekends} 天",
                f"{weekends} weekend rest day{'s' if weekends != 1 else ''} skipped",
                count=weekends,
                name="周末",
            )
        # A 调休 working day inside a pause was not counted: it is told with the pause.
        adjusted = [
            d
            for d in days_between(after, last)
            if self.book.is_adjusted_workday(d) and not any(p.excludes(d) for p in self.spec.pauses)
        ]
        if adjusted:
            self.add(
                StepKind.ADJUSTED_WORKDAY,
                f"计入调休上班日 {'、'.join(str(d) for d in adjusted)}",
                f"adjusted working days counted: {', '.join(str(d) for d in adjusted)}",
                count=len(adjusted),
            )

    def _moved(self, nominal: date) -> date:
        """Art.203: a last day that is not a working day moves to the next working day."""
        last = nominal
        while not self.book.is_working_day(last):
            last += ONE_DAY
        if last != nominal:
            zh, en = self.book.rest_name(nominal)
            self.add(
                StepKind.HOLIDAY_MOVE,
                f"最后一日 {nominal} 为法定休假日（{zh}），顺延至休假日结束的次日 {last}",
                f"the last day {nominal} is a rest day ({en}); the period ends on the next "
                f"working day, {last}",
                day=last,
                until=nominal,
                name=zh,
            )
        elif self.book.is_adjusted_workday(nominal):
            self.add(
                StepKind.ADJUSTED_WORKDAY,
                f"最后一日 {nominal} 为调休上班日，不顺延",
                f"the last day {nominal} is an adjusted working day (调休); it does not move",
                day=nominal,
            )
        return last

    def _extend(self, end: date, grant: ExtensionGrant, *, move: bool = True) -> date:
        reason = f"，理由：{grant.reason}" if grant.reason else ""
        reason_en = f"; reason: {grant.reason}" if grant.reason else ""
        if grant.new_end is not None:
            if grant.new_end <= end:
                raise ValueError(f"an agreed new end {grant.new_end} must be after {end}")
            self.add(
                StepKind.EXTENSION,
                f"经{grant.approver}约定延长，期间延至 {grant.new_end}"
                f"（原期间至 {end} 届满）{reason}",
                f"extended by agreement of {grant.approver} to a new end date, {grant.new_end} "
                f"(the original period ended on {end}){reason_en}",
                day=grant.new_end,
                until=end,
                name=grant.approver,
            )
            return self._moved(grant.new_end) if move else grant.new_end
        assert grant.length is not None
        unit_zh, unit_en = UNIT_NAMES[grant.unit]
        approved = grant.approved_on
        approved_zh = f"于 {approved} " if approved else ""
        approved_en = f" on {approved}" if approved else ""
        if grant.unit is PeriodUnit.MONTHS:
            nominal = add_months(end, grant.length)
        else:
            working = grant.unit is PeriodUnit.WORKING_DAYS
            nominal = self._walk(end, grant.length, self.spec.pauses, working=working)[0]
        self.add(
            StepKind.EXTENSION,
            f"经{grant.approver}{approved_zh}批准延期 {grant.length} {unit_zh}，自原期间届满之日 "
            f"{end}（顺延后的最后一日）起算，延期后最后一日为 {nominal}{reason}",
            f"extended by {grant.length} {unit_en}, approved by {grant.approver}{approved_en}, "
            "counted from "
            f"the end of the original period, {end} (its last day after any holiday move); "
            f"the new last day is {nominal}{reason_en}",
            day=nominal,
            until=end,
            count=grant.length,
            name=grant.approver,
        )
        return (
            self._moved(nominal) if move and grant.unit is not PeriodUnit.WORKING_DAYS else nominal
        )

    def _capped(self, last: date) -> date:
        cap = self.spec.cap
        if cap is None:
            return last
        unit_zh, unit_en = UNIT_NAMES[cap.unit]
        fact_zh, fact_en = fact_name(cap.start.fact)
        before = self.book.consulted()
        sub = _Count(PeriodSpec(length=cap.length, unit=cap.unit, start=cap.start), self.book)
        cap_last = sub._original(cap.start.on)  # the same counting; only its move is told
        moved = [s for s in sub.steps if s.kind is StepKind.HOLIDAY_MOVE]
        move_zh = f"（{moved[0].until} 为{moved[0].name}，顺延）" if moved else ""
        move_en = f" ({moved[0].until} is a rest day, moved)" if moved else ""
        binds = cap_last < last
        verdict_zh = f"早于 {last}，上限约束本期间" if binds else f"不早于 {last}，上限不约束本期间"
        verdict_en = (
            f"earlier than {last}: the cap binds"
            if binds
            else f"not before {last}: the cap does not bind"
        )
        self.add(
            StepKind.CAP,
            f"{cap.rule_id} 上限：自{fact_zh}之日 {cap.start.on} 起 {cap.length} {unit_zh}，"
            f"最后一日为 {cap_last}{move_zh}；{verdict_zh}",
            f"{cap.rule_id} cap: {cap.length} {unit_en} from {fact_en} on {cap.start.on}, "
            f"last day {cap_last}{move_en}; {verdict_en}",
            day=cap_last,
            count=cap.length,
            name=cap.rule_id,
        )
        if cap_last - last > CAP_CLEAR_MARGIN:
            self.book.forget_since(before)  # an unpublished year the cap reached cannot bind it
        return min(last, cap_last)

    def _hours(self) -> Due:
        spec = self.spec
        assert spec.start.at is not None
        due_at = spec.start.at + timedelta(hours=spec.length)
        self.add(
            StepKind.PERIOD,
            f"期间 {spec.length} 小时，自上述时刻起算，不计整日，届满于 {china_time(due_at)}",
            f"a period of {spec.length} hours from that moment, not rounded to days; it runs "
            f"out at {china_time(due_at)} China time",
            count=spec.length,
        )
        for grant in spec.extensions:
            assert grant.length is not None
            due_at += timedelta(hours=grant.length)
            self.add(
                StepKind.EXTENSION,
                f"经{grant.approver}批准延期 {grant.length} 小时，自原期间届满时起算，"
                f"届满于 {china_time(due_at)}",
                f"extended by {grant.length} hours, approved by {grant.approver}, from the "
                f"original end; it runs out at {china_time(due_at)} China time",
                count=grant.length,
                name=grant.approver,
            )
        if spec.cap is not None:
            before = self.book.consulted()
            cap_spec = PeriodSpec(length=spec.cap.length, unit=spec.cap.unit, start=spec.cap.start)
            cap_due = _Count(cap_spec, self.book).run().due_at
            if cap_due - due_at > CAP_CLEAR_MARGIN:
                self.book.forget_since(before)
            binds = cap_due < due_at
            self.add(
                StepKind.CAP,
                f"{spec.cap.rule_id} 上限届满于 {china_time(cap_due)}（北京时间）；"
                + ("上限约束本期间" if binds else "上限不约束本期间"),
                f"{spec.cap.rule_id} cap runs out at {china_time(cap_due)} China time; "
                + ("the cap binds" if binds else "the cap does not bind"),
                name=spec.cap.rule_id,
            )
            due_at = min(due_at, cap_due)
        moment = china_time(due_at)
        self.add(
            StepKind.END,
            f"截止时间为 {moment}（北京时间）",
            f"the period ends at {moment} China time",
            day=china_date(due_at),
        )
        return Due(
            due_at=due_at,
            last_day=None,
            provisional=bool(self.book.uncovered_years()),
            why=tuple(self.steps),
        )

    def _finish(self, last: date) -> Due:
        due_at = end_of_china_day(last)
        self.add(
            StepKind.END,
            f"截止时间为 {last} 24:00（北京时间）",
            f"the period ends at 24:00 China time on {last}",
            day=last,
        )
        calendar = self.book.calendar
        self.add(
            StepKind.CALENDAR,
            f"依据节假日安排 {calendar.version}",
            f"holiday calendar {calendar.version}",
            name=calendar.version,
        )
        uncovered = self.book.uncovered_years()
        for year in uncovered:
            self._provisional(year)
        return Due(
            due_at=due_at,
            last_day=last,
            provisional=bool(uncovered),
            why=tuple(self.steps),
        )

    def _provisional(self, year: int) -> None:
        fixed = self.book.provisional_days(year)
        by_festival: dict[Festival, list[date]] = {}
        for day in fixed.days:
            by_festival.setdefault(day.festival, []).append(day.day)
        zh = "、".join(
            f"{FESTIVAL_NAMES[f][0]} {span_text(d[0], d[-1], '至')}" for f, d in by_festival.items()
        )
        en = ", ".join(
            f"{FESTIVAL_NAMES[f][1]} {span_text(d[0], d[-1], ' to ')}"
            for f, d in by_festival.items()
        )
        self.add(
            StepKind.PROVISIONAL,
            f"{year} 年节假日安排尚未公布，结果为暂定：已跳过法定节假日"
            f"（{zh}；依据{fixed.basis}），调休安排尚不可知，公布后重新计算",
            f"no official holiday notice for {year} is loaded, so the result is provisional: its "
            f"statutory holidays are skipped ({en}), but its adjusted working days (调休) are "
            "not yet known; the end is counted again when the notice is loaded",
            name=str(year),
        )
