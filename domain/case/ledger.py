"""台账 (矛盾纠纷排查化解登记台账): a case as one ledger row, and a ledger row read back.

The columns follow the ledgers offices keep (序号 … 备注). Export fills them from the case: the
parties by name only (ID numbers, phones and addresses never appear), free text with personal
numbers masked. Import reads a row as an intake: 登记日期 is the legal date the case was received
(``received_on``), 受理日期 when given the date it was accepted, so a period counts from the
paper's dates; every refusal is one Chinese sentence naming the column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from pydantic import ValidationError

from domain.base import Frozen
from domain.case.commands import (
    Accept,
    Close,
    Command,
    RecordAgreement,
    RecordMediationFailure,
    StartMediation,
)
from domain.case.labels import CHANNEL_LABELS, OUTCOME_LABELS, SATISFACTION_LABELS, STAGE_LABELS
from domain.case.state import CaseState
from domain.parties import Party
from domain.people.privacy import scrub_text
from domain.values import (
    CATEGORY_LABELS,
    Category,
    Channel,
    MediationType,
    ReferralRoute,
    china_date,
)

LEDGER_TITLE = "矛盾纠纷排查化解登记台账"
LEDGER_COLUMNS = (
    "序号",
    "登记日期",
    "案件编号",
    "纠纷类型",
    "当事人",
    "纠纷简要情况",
    "排查/来源",
    "责任单位",
    "责任人",
    "包案领导",
    "化解时限",
    "化解措施/进展",
    "化解结果",
    "办结日期",
    "回访情况",
    "备注",
)
# Read on import beside the standard columns: the day the case was accepted (受理), if it was.
ACCEPTED_COLUMN = "受理日期"
REQUIRED_COLUMNS = ("登记日期", "纠纷类型", "当事人", "纠纷简要情况")
REJECTION_COLUMN = "拒收原因"
MAX_PARTIES = 50

_CATEGORY_BY_LABEL = {label: category for category, label in CATEGORY_LABELS.items()}
# What ledgers write for a category, beside this system's own labels.
_CATEGORY_WORDS: dict[str, Category] = {
    **_CATEGORY_BY_LABEL,
    "婚姻家庭纠纷": Category.MARRIAGE_FAMILY,
    "家庭纠纷": Category.MARRIAGE_FAMILY,
    "邻里": Category.NEIGHBOURHOOD,
    "劳动纠纷": Category.LABOUR,
    "劳资纠纷": Category.LABOUR,
    "医患纠纷": Category.MEDICAL,
    "交通事故纠纷": Category.TRAFFIC,
    "道路交通事故": Category.TRAFFIC,
    "物业服务纠纷": Category.PROPERTY_MANAGEMENT,
    "征地拆迁纠纷": Category.LAND_DEMOLITION,
    "环境污染纠纷": Category.ENVIRONMENT,
    "消费者权益纠纷": Category.CONSUMER,
    "土地承包纠纷": Category.LAND_CONTRACT,
    "其他纠纷": Category.OTHER,
}
_CHANNEL_WORDS: dict[str, Channel] = {
    **{label: channel for channel, label in CHANNEL_LABELS.items()},
    "排查": Channel.GRID_REPORT,
    "排查发现": Channel.GRID_REPORT,
    "网格排查": Channel.GRID_REPORT,
    "电话": Channel.HOTLINE,
    "网上": Channel.ONLINE,
    "公安移交": Channel.POLICE_REFERRAL,
    "法院委派": Channel.COURT_COMMISSIONED,
}
_DAY = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_BETWEEN = re.compile(r"[与诉]")
_NAMES = re.compile(r"[、，,；;\s]+")


class LedgerIntake(Frozen):
    """A ledger row that holds together: what intake needs, with the paper's dates."""

    row_no: int
    received_on: date
    accepted_on: date | None = None
    category: Category
    channel: Channel
    title: str
    description: str
    applicants: tuple[Party, ...]
    respondents: tuple[Party, ...] = ()
    unit_name: str | None = None  # 责任单位 as written: an organisation within the importer's reach
    handler: str | None = None  # 责任人
    closed_on: date | None = None  # 办结日期: the case ended on paper, as 化解结果 says
    resolved: bool | None = None  # 化解结果: resolved (True) or mediation failed (False)
    result: str = ""


class LedgerRejection(Frozen):
    row_no: int
    reason: str  # Chinese, naming the column


class LedgerRefusal(ValueError):
    """A row that cannot be registered, with the reason in Chinese."""


def cell_text(value: object) -> str:
    """A cell as text (a date cell as 年-月-日, a whole number without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _day(text: str, column: str) -> date:
    found = _DAY.match(text)
    if not found:
        raise LedgerRefusal(f"{column}“{text[:20]}”不是有效日期（应为年-月-日）")
    year, month, day = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise LedgerRefusal(f"{column}“{text[:20]}”不是有效日期") from None


def _parties(text: str) -> tuple[tuple[Party, ...], tuple[Party, ...]]:
    """``张三、李四与王五``: the applicants before 与 (or 诉), the respondents after."""
    sides = _BETWEEN.split(text, maxsplit=1)
    named = [[n for n in _NAMES.split(side) if n] for side in sides]
    if not named[0]:
        raise LedgerRefusal("当事人为空")
    if sum(len(side) for side in named) > MAX_PARTIES:
        raise LedgerRefusal(f"当事人超过{MAX_PARTIES}人，请分行登记")
    try:
        parties = [tuple(Party(name=name) for name in side) for side in named]
    except ValidationError:
        raise LedgerRefusal("当事人姓名过长或含有不可见字符") from None
    return parties[0], parties[1] if len(parties) > 1 else ()


def read_row(row_no: int, cells: Mapping[str, str], *, today: date) -> LedgerIntake:
    """The intake a ledger row describes (``cells`` by column name, as text); ``LedgerRefusal``
    with the reason when it does not hold together. ``today`` is the importer's day (China)."""
    for column in REQUIRED_COLUMNS:
        if not cells.get(column, "").strip():
            raise LedgerRefusal(f"{column}为空")
    received_on = _day(cells["登记日期"], "登记日期")
    if received_on > today:
        raise LedgerRefusal(f"登记日期{received_on.isoformat()}晚于今天")
    accepted_text = cells.get(ACCEPTED_COLUMN, "").strip()
    accepted_on = _day(accepted_text, ACCEPTED_COLUMN) if accepted_text else None
    if accepted_on is not None and not received_on <= accepted_on <= today:
        raise LedgerRefusal(f"受理日期{accepted_on.isoformat()}应在登记日期与今天之间")
    category = _CATEGORY_WORDS.get(cells["纠纷类型"].strip())
    if category is None:
        raise LedgerRefusal(f"纠纷类型“{cells['纠纷类型'][:20]}”无法识别")
    source = cells.get("排查/来源", "").strip()
    channel = _CHANNEL_WORDS.get(source) if source else Channel.WALK_IN
    if channel is None:
        raise LedgerRefusal(f"排查/来源“{source[:20]}”无法识别")
    applicants, respondents = _parties(cells["当事人"])
    description = cells["纠纷简要情况"].strip()
    if len(description) > 5000:
        raise LedgerRefusal("纠纷简要情况超过5000字")
    closed_on, resolved, result = _outcome(cells, received_on, accepted_on, today)
    extra = [
        f"{column}：{cells[column].strip()}"
        for column in ("化解措施/进展", "化解结果", "办结日期", "回访情况", "备注")
        if cells.get(column, "").strip()
    ]
    first_line = " ".join(description.split())
    return LedgerIntake(
        row_no=row_no,
        received_on=received_on,
        accepted_on=accepted_on,
        category=category,
        channel=channel,
        title=first_line[:40] or CATEGORY_LABELS[category],
        description="\n".join([description, *(["（台账记载）", *extra] if extra else [])]),
        applicants=applicants,
        respondents=respondents,
        unit_name=cells.get("责任单位", "").strip() or None,
        handler=cells.get("责任人", "").strip()[:50] or None,
        closed_on=closed_on,
        resolved=resolved,
        result=result,
    )


_FAILED_WORDS = ("不成", "未化解", "失败", "终止", "未达成")
_RESOLVED_WORDS = ("成功", "已化解", "化解", "达成", "调解成", "办结", "息诉")


def _outcome(
    cells: Mapping[str, str], received_on: date, accepted_on: date | None, today: date
) -> tuple[date | None, bool | None, str]:
    """办结日期 with 化解结果: how the case ended on paper (nothing when 办结日期 is empty)."""
    closed_text = cells.get("办结日期", "").strip()
    result = " ".join(cells.get("化解结果", "").split())[:500]
    if not closed_text:
        return None, None, result
    closed_on = _day(closed_text, "办结日期")
    if not (accepted_on or received_on) <= closed_on <= today:
        raise LedgerRefusal(f"办结日期{closed_on.isoformat()}应在登记（受理）日期与今天之间")
    if not result:
        raise LedgerRefusal("已填办结日期，化解结果为空")
    if any(word in result for word in _FAILED_WORDS):
        return closed_on, False, result
    if any(word in result for word in _RESOLVED_WORDS):
        return closed_on, True, result
    raise LedgerRefusal(f"化解结果“{result[:20]}”无法识别（应写明化解成功或调解不成）")


def paper_steps(entry: LedgerIntake) -> tuple[tuple[str, Command], ...]:
    """The commands that bring a registered row to where the paper says it stands, each with
    the step's name (its command id is the name and the row's key): 受理 on the paper's day, and
    for a case the ledger records as ended, 调解 from that day, the agreement or the failure on
    the 办结日期, and 销号. Each fact carries its paper date, so no clock counts from the import."""
    accepted_on = entry.accepted_on
    if entry.closed_on is not None and accepted_on is None:
        accepted_on = entry.received_on
    if accepted_on is None:
        return ()
    steps: list[tuple[str, Command]] = [
        ("accept", Accept(accepted_on=accepted_on, note="台账导入")),
    ]
    if entry.closed_on is None:
        return tuple(steps)
    recorded = f"台账记载：{entry.result}"
    ending: tuple[str, Command] = (
        ("agreement", RecordAgreement(terms=recorded, signed_on=entry.closed_on))
        if entry.resolved
        else (
            "failure",
            RecordMediationFailure(
                reason=recorded, referral=ReferralRoute.LITIGATION, failed_on=entry.closed_on
            ),
        )
    )
    steps += [
        (
            "mediation",
            StartMediation(
                mediation_type=MediationType.PEOPLES,
                mediators=(entry.handler or "台账记载",),
                started_on=accepted_on,
            ),
        ),
        ending,
        ("close", Close(remark="台账导入：按台账记载办结")),
    ]
    return tuple(steps)


def _names(parties: tuple[Party, ...]) -> str:
    return "、".join(party.name for party in parties)


def ledger_row(number: int, case: CaseState) -> tuple[str, ...]:
    """The case as a row of the ledger: names only for parties, personal numbers masked."""
    plan = case.plans[-1] if case.plans else None
    leader = case.package_leaders[-1] if case.package_leaders else None
    parties = _names(case.applicants)
    if case.respondents:
        parties += f"与{_names(case.respondents)}"
    progress: list[str] = [*(plan.measures if plan else ())]
    if case.mediation_rounds:
        progress.append(f"已调解{sum(len(r.sessions) for r in case.mediation_rounds)}次")
    ended = case.closure.recorded.at if case.closure else None
    if case.withdrawal is not None:
        ended = case.withdrawal.recorded.at
    result = STAGE_LABELS[case.stage]
    if case.closure is not None:
        result = OUTCOME_LABELS[case.closure.outcome]
    visits = [
        f"{visit.visited_on.isoformat()} {SATISFACTION_LABELS[visit.satisfaction]}"
        for visit in case.follow_ups
    ]
    received = case.received_on or china_date(case.registered.at)
    cells = (
        str(number),
        received.isoformat(),
        case.case_id,
        CATEGORY_LABELS[case.category],
        parties,
        scrub_text(case.description),
        CHANNEL_LABELS[case.channel],
        (plan.responsible_unit if plan else None) or (case.holder.name if case.holder else ""),
        plan.responsible_person if plan else "",
        f"{leader.leader_name}（{leader.leader_title}）" if leader else "",
        plan.deadline.isoformat() if plan else "",
        scrub_text("；".join(progress)),
        result,
        china_date(ended).isoformat() if ended else "",
        "；".join(visits),
        scrub_text(case.closure.remark) if case.closure and case.closure.remark else "",
    )
    return tuple(safe_cell(cell) for cell in cells)


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ lead a formula)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
