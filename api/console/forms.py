"""Forms (表单): which inputs each action's form has, how a posted form becomes the API's request
body, and the Chinese message beside each field the request model refuses.

The body is validated by the JSON API's own request model (``api.schemas``); nothing here decides
what is valid, only how it is asked for (a refusal's wording: ``api.console.refusals``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from domain.case import labels
from domain.values import (
    AgreementForm,
    Category,
    Channel,
    CourtDecision,
    MediationType,
    PerformanceStatus,
    ReferralRoute,
    RiskLevel,
    Satisfaction,
)

Options = tuple[tuple[str, str], ...]


def options_of(table: dict[Any, str]) -> Options:
    """A select's options from a label table (enumeration value → Chinese label)."""
    return tuple((getattr(key, "value", key), text) for key, text in table.items())


_options = options_of


@dataclass(frozen=True)
class Field:
    """One input: ``name`` is the body path (``jurisdiction.county_code``, ``items.0.due_on``)."""

    name: str
    label: str
    # text | textarea | date | select | checkbox | checks (several of options) | lines | number |
    # hidden
    kind: str = "text"
    required: bool = False
    options: Options = ()
    hint: str = ""
    value: str = ""  # the preset value (a hidden field, a select's default)
    group: str = ""  # the fieldset it is shown in (its legend)

    @property
    def dom_id(self) -> str:
        return "f-" + self.name.replace(".", "-")


@dataclass
class FormState:
    """A form as shown: its fields, what was entered, and the messages beside fields."""

    fields: list[Field]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""  # a refusal not tied to one field (409, 403…)
    prefix: str = ""  # keeps input ids unique where a page shows several forms

    def dom_id(self, spec: Field) -> str:
        return f"f-{self.prefix}{spec.name.replace('.', '-')}"

    @property
    def groups(self) -> list[tuple[str, list[Field]]]:
        """The fields by fieldset, in order (an empty legend: no fieldset)."""
        grouped: list[tuple[str, list[Field]]] = []
        for spec in self.fields:
            if not grouped or grouped[-1][0] != spec.group:
                grouped.append((spec.group, []))
            grouped[-1][1].append(spec)
        return grouped

    def value(self, name: str) -> str:
        return self.values.get(name, next((f.value for f in self.fields if f.name == name), ""))

    def part(self, group: str, *, inside: bool = True) -> FormState:
        """The fields of fieldset ``group`` without their legend (or all the others), with the
        same values and messages (a form-wide message goes with the rest)."""
        fields = [f for f in self.fields if (f.group == group) == inside]
        if inside:  # shown inside the page's own fieldset for the group
            fields = [replace(f, group="") for f in fields]
        message = "" if inside else self.message
        return FormState(fields, self.values, self.errors, message, self.prefix)

    def chosen(self, name: str) -> list[str]:
        """The options ticked in a ``checks`` field."""
        return [v for v in self.value(name).split("\n") if v]


def _date(name: str, label: str, required: bool = True, hint: str = "") -> Field:
    return Field(name, label, "date", required, hint=hint)


_DAY = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_MOMENT = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[T ]?\s*"
    r"(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})\s*秒?)?\s*分?\s*$"
)


def iso_day(text: str) -> str:
    """A date as people write it here (``2026-3-2``, ``2026/03/02``, ``2026年3月2日``) in the
    ISO form the request models read (``2026-03-02``); anything else unchanged, for the model to
    refuse beside the field. Browsers' own date pickers show the system's format (mm/dd/yyyy on
    an English system), so the console asks for 年-月-日 in a text input instead."""
    found = _DAY.match(text)
    if not found:
        return text
    year, month, day = found.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def iso_moment(text: str) -> str:
    """``2026-03-02 09:30`` (or ``2026年3月2日 9时30分``, seconds optional) as ISO; a bare date is
    its start; anything else unchanged."""
    found = _MOMENT.match(text)
    if found:
        year, month, day, hour, minute, second = found.groups()
        return (
            f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{int(minute):02d}"
            f":{int(second or 0):02d}"
        )
    day_only = iso_day(text)
    return f"{day_only}T00:00:00" if _DAY.match(text) else day_only


HAND_HINT = "从单位名录选择；名录中没有的，选“其他（手填）”并在下栏填写名称"
BY_HAND = (("", "其他（手填）"),)
PERSON_HINT = "从本系统用户中选择；没有合适人员的，选“其他（手填）”并在下栏填写姓名"
LATE_HINT = "补录时填写实际日期；不填则为今日（北京时间）"
MEDIATION_TYPES = _options(labels.MEDIATION_TYPE_LABELS)

ACTION_FIELDS: dict[str, list[Field]] = {
    "accept": [
        Field("note", "受理意见", "textarea"),
        _date("accepted_on", "受理日期", False, LATE_HINT),
    ],
    "decline": [
        Field("reason", "不予受理理由", "textarea", True),
        Field("referral", "告知当事人的途径（如：区人民法院）", required=True),
    ],
    "plan": [
        # 责任单位 from the registry (options: case_actions.fields_for); by hand where none fits.
        Field("unit_id", "责任单位", "select", hint=HAND_HINT),
        Field("responsible_unit", "其他责任单位名称（手填）"),
        # 责任人 from the holder's staff, 包案领导 from the leaders over the case (options:
        # case_actions.fields_for); by hand where nobody fits.
        Field("responsible_person_id", "责任人", "select", hint=PERSON_HINT),
        Field("responsible_person", "其他责任人姓名（手填）"),
        Field("measures", "化解措施（每行一项）", "lines", True),
        _date("deadline", "化解时限"),
        Field("note", "备注", "textarea"),
    ],
    "package-leader": [
        Field("leader_id", "包案领导", "select", hint=PERSON_HINT),
        Field("leader_name", "其他包案领导姓名（手填）"),
        Field("leader_title", "职务", required=True),
        Field("reason", "包案原因", "textarea"),
    ],
    "start-mediation": [
        Field("mediation_type", "调解类型", "select", True, MEDIATION_TYPES),
        Field("mediators", "调解员（每行一人）", "lines", True),
        _date("started_on", "开始调解日期", False, LATE_HINT),
    ],
    "sessions": [
        _date("held_on", "调解会日期"),
        Field("mediators", "调解员（每行一人）", "lines", True),
        Field("attendees", "参加人员（每行一人）", "lines"),
        Field("summary", "调解笔录摘要", "textarea", True),
        Field("counselling", "同时进行心理疏导", "checkbox"),
    ],
    "agreement": [
        Field("terms", "协议内容", "textarea", True),
        Field(
            "form",
            "协议形式",
            "select",
            True,
            _options(labels.AGREEMENT_FORM_LABELS),
            value=AgreementForm.WRITTEN.value,
        ),
        _date("signed_on", "签订日期"),
        *[
            item
            for n in range(3)
            for item in (
                Field(f"items.{n}.description", f"履行事项 {n + 1}", "textarea"),
                _date(f"items.{n}.due_on", f"履行事项 {n + 1} 的履行期限", False),
            )
        ],
    ],
    "mediation-failure": [
        Field("reason", "调解不成的原因", "textarea", True),
        Field("referral", "告知当事人的途径", "select", True, _options(labels.REFERRAL_LABELS)),
    ],
    "judicial-confirmation": [
        Field("court_id", "人民法院", "select", hint=HAND_HINT),
        Field("court", "其他人民法院名称（手填）"),
        _date("applied_on", "共同申请日期"),
    ],
    "court-acceptance": [_date("accepted_on", "法院受理日期")],
    "court-decision": [
        Field("decision", "法院裁定", "select", True, _options(labels.COURT_DECISION_LABELS)),
        _date("decided_on", "裁定日期"),
        Field("ruling_number", "裁定书文号"),
        Field("reason", "理由", "textarea"),
    ],
    "follow-ups": [
        _date("visited_on", "回访日期"),
        Field("satisfaction", "当事人满意度", "select", True, _options(labels.SATISFACTION_LABELS)),
        Field("notes", "回访情况", "textarea"),
    ],
    "close": [Field("remark", "销号说明", "textarea")],
    "withdraw": [Field("reason", "撤回原因", "textarea", True)],
    "clocks/pause": [
        Field("clock_id", "时限", "select", True),
        Field("reason", "中止原因", "select", True, _options(labels.PAUSE_REASON_LABELS)),
        Field("note", "说明", "textarea"),
        _date("paused_on", "中止计时日期", False, LATE_HINT),
    ],
    "clocks/resume": [
        Field("clock_id", "时限", "select", True),
        _date("resumed_on", "恢复计时日期", False, LATE_HINT),
    ],
    "clocks/extend": [
        Field("clock_id", "时限", "select", True),
        Field("length", "延长期间（按规则的单位）", "number"),
        _date("new_end", "约定的新期限（仅可约定延长的时限）", False),
        Field("approver", "批准人", required=True),
        Field("reason", "延期理由", "textarea", True),
        _date("approved_on", "批准延期日期", False, LATE_HINT),
    ],
    # Hand-offs (转办 签收 退回 交办 反馈 上提 联合调处): the organisation pickers' options come
    # from the registry when the case page is shown (case_actions.fields_for).
    "transfer": [
        Field("to_organisation", "接收单位", "select", True),
        Field("reason", "转办理由", "textarea", True),
    ],
    "take": [Field("note", "签收意见", "textarea")],
    "return": [Field("reason", "退回理由", "textarea", True)],
    "recall": [Field("reason", "撤回理由", "textarea", True)],
    "assign": [
        Field("department", "承办部门", "select", True),
        _date("deadline", "反馈期限"),
        Field("instructions", "交办要求", "textarea", True),
    ],
    "report-back": [
        Field("assignment_no", "交办事项", "select", True),
        Field("result", "办理结果", "textarea", True),
        _date("reported_on", "反馈日期", False, LATE_HINT),
    ],
    "lift": [
        Field(
            "to_organisation",
            "上提至",
            "select",
            options=(("", "承办单位的上级单位（默认）"),),
            hint="不选则上提至单位名录中承办单位的上级单位",
        ),
        Field("reason", "上提理由", "textarea", True),
    ],
    "co-handlers": [
        Field("organisation", "联合调处单位", "select", True),
        Field("note", "说明", "textarea"),
    ],
    "co-handlers/remove": [
        Field("organisation", "移除的联合调处单位", "select", True),
        Field("note", "说明", "textarea"),
    ],
    "reply": [
        Field("answer", "处理意见", "textarea", True),
        _date("answered_on", "作出日期"),
        _date("served_on", "送达日期", False, "不填则为今日当场送达"),
    ],
    "review-requests": [
        _date("requested_on", "申请复查日期"),
        Field("reason", "申请理由", "textarea", True),
    ],
    "review-answers": [
        Field("answer", "复查意见", "textarea", True),
        _date("answered_on", "作出日期"),
        _date("served_on", "送达日期", False, "不填则为今日当场送达"),
    ],
    "second-review-requests": [
        _date("requested_on", "申请复核日期"),
        Field("reason", "申请理由", "textarea", True),
    ],
    "second-review-answers": [
        Field("answer", "复核意见", "textarea", True),
        _date("answered_on", "作出日期"),
        _date("served_on", "送达日期", False, "不填则为今日当场送达"),
    ],
    "risk-assessments": [
        Field("risk_level", "研判后的风险等级", "select", True, _options(labels.RISK_LABELS)),
        Field("flags.collective", "群体性", "checkbox"),
        Field("flags.civil_to_criminal_risk", "民转刑风险", "checkbox"),
        Field("flags.skip_level", "越级上访", "checkbox"),
        Field("reasons", "研判理由", "textarea", True),
    ],
    "instructions": [
        Field("text", "批示内容", "textarea", True),
        _date("deadline", "落实时限", False, "到期未反馈的，逐级提醒直至批示领导；不填则不计时"),
        Field("alert_id", "针对的督办提醒", "hidden"),
    ],
    "instructions/answer": [
        Field("instruction_no", "批示", "select", True),
        Field("result", "落实情况", "textarea", True),
    ],
}

_PARTY = (
    ("name", "姓名或名称", "text"),
    ("id_number", "身份证号码", "text"),
    ("phone", "联系电话", "text"),
    ("address", "住址", "text"),
)


def _party_fields(prefix: str, title: str, count: int, first_required: bool) -> list[Field]:
    return [
        Field(
            f"{prefix}.{n}.{name}",
            label,
            kind,
            required=first_required and n == 0 and name == "name",
            group=f"{title}{n + 1}",
        )
        for n in range(count)
        for name, label, kind in _PARTY
    ]


def _in(group: str, *fields: Field) -> list[Field]:
    return [replace(f, group=group) for f in fields]


INTAKE_FIELDS: list[Field] = [
    *_in(
        "基本情况",
        Field(
            "kind", "案件类型", "select", True, _options(labels.CASE_KIND_LABELS), value="dispute"
        ),
        Field("title", "标题", required=True, hint="如：张某与李某相邻通行纠纷"),
        Field("category", "纠纷类别", "select", True, _options(labels.CATEGORY_LABELS)),
        Field(
            "channel",
            "来源渠道",
            "select",
            True,
            # 领导接访 comes only from a reception log (/receptions), never chosen here.
            tuple(o for o in _options(labels.CHANNEL_LABELS) if o[0] != Channel.LEADER_RECEPTION),
            value=Channel.WALK_IN.value,
        ),
        _date("received_on", "收到申请日期", False, LATE_HINT),
        Field("description", "纠纷简要情况", "textarea", True),
    ),
    # 属地: chosen from the registry's places in the caller's area (options filled when the form
    # is drawn, ``pages_intake.intake_places``); codes are sent, names come from the registry.
    *_in(
        "属地",
        Field("jurisdiction.county_code", "县（区）", "select", True),
        Field("jurisdiction.town_code", "乡镇（街道）", "select"),
        Field(
            "jurisdiction.village_code",
            "村（社区）",
            "select",
            hint="选定村（社区）即定其所属乡镇（街道）",
        ),
    ),
    *_party_fields("applicants", "申请人", 2, True),
    *_party_fields("respondents", "被申请人", 2, False),
    *_in(
        "风险研判",
        Field(
            "risk_level",
            "风险等级",
            "select",
            True,
            _options(labels.RISK_LABELS),
            value=RiskLevel.LOW.value,
        ),
        Field("flags.collective", "群体性", "checkbox"),
        Field("flags.civil_to_criminal_risk", "民转刑风险", "checkbox"),
        Field("flags.skip_level", "越级上访", "checkbox"),
    ),
]

# 网格上报: what a grid worker enters; the grid's village and the channel are the service's.
GRID_REPORT_FIELDS: list[Field] = [
    f
    for f in INTAKE_FIELDS
    if f.name not in {"kind", "channel", "received_on"} and not f.name.startswith("jurisdiction.")
]

# Checked at import: every select names only values of its enumeration.
assert {v for v, _ in _options(labels.MEDIATION_TYPE_LABELS)} == {m.value for m in MediationType}
assert {v for v, _ in _options(labels.CATEGORY_LABELS)} == {c.value for c in Category}
assert {v for v, _ in _options(labels.REFERRAL_LABELS)} == {r.value for r in ReferralRoute}
assert {v for v, _ in _options(labels.COURT_DECISION_LABELS)} == {d.value for d in CourtDecision}
assert {v for v, _ in _options(labels.SATISFACTION_LABELS)} == {s.value for s in Satisfaction}


def follow_up_fields(items: list[dict[str, Any]]) -> list[Field]:
    """回访: one performance select per agreement item (the latest agreement's)."""
    performance = _options(labels.PERFORMANCE_LABELS)
    extra: list[Field] = []
    for n, item in enumerate(items):
        extra.append(Field(f"performance.{n}.item_no", "", "hidden", value=str(item["item_no"])))
        extra.append(
            Field(
                f"performance.{n}.status",
                f"履行情况：{item['description']}",
                "select",
                True,
                performance,
                value=item.get("status") or PerformanceStatus.PENDING.value,
            )
        )
    return [*ACTION_FIELDS["follow-ups"], *extra]


def with_options(fields: list[Field], name: str, options: Options) -> list[Field]:
    return [replace(f, options=options) if f.name == name else f for f in fields]


def _put(body: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        body = body.setdefault(part, {})
    body[path[-1]] = value


def _listify(value: Any) -> Any:
    """Dicts keyed 0, 1, … become lists (rows left wholly empty are dropped)."""
    if not isinstance(value, dict):
        return value
    value = {key: _listify(inner) for key, inner in value.items()}
    if value and all(key.isdigit() for key in value):
        return [value[key] for key in sorted(value, key=int) if value[key] not in ({}, None)]
    return value


def body_of(
    fields: list[Field], form: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The request body the form describes, and the raw values (to show the form again).

    An empty input is left out, so the request model applies its default or says it is
    required; a checkbox is true when sent.
    """
    body: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for spec in fields:
        sent = (form.get(spec.name) or [""])[0]
        raw[spec.name] = sent
        value: Any
        if spec.kind == "checkbox":
            value = bool(sent)
            raw[spec.name] = "on" if value else ""
            if not value:
                continue
        elif spec.kind == "lines":
            value = [line.strip() for line in sent.splitlines() if line.strip()]
            if not value:
                continue
        elif spec.kind == "checks":
            value = [v for v in form.get(spec.name) or [] if v]
            raw[spec.name] = "\n".join(value)
            if not value:
                continue
        elif spec.kind in ("date", "moment"):
            if not sent.strip():
                continue
            value = iso_day(sent) if spec.kind == "date" else iso_moment(sent) + "+08:00"
        elif spec.kind == "number":
            if not sent.strip():
                continue
            value = sent.strip()
        else:
            if not sent.strip():
                continue
            value = sent
        _put(body, spec.name.split("."), value)
    listed: dict[str, Any] = _listify(body)
    return listed, raw


def form_key(form: dict[str, list[str]]) -> str:
    """The form's idempotency key (a double submit is applied once), or a fresh one."""
    sent = (form.get("idempotency_key") or [""])[0]
    return sent if re.fullmatch(r"[0-9a-f-]{36}", sent) else str(uuid.uuid4())
