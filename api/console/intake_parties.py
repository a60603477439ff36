"""登记的当事人: any number of 申请人 (信访人), 被申请人 (被反映人), 第三人 and 代理人 on the
intake form, each party a person (性别, 民族, 出生日期) or an organisation (统一社会信用代码,
法定代表人), a group entered as one party with its 人数 and 代表人 rows.

Rows are added by the "增加一行" submit button (``add_row``: the list it grows), which draws the
form again with one more row; ``console.js`` clones a row without the round trip. How many rows
each list shows travels in hidden ``rows.<list>`` inputs. Rows left blank are dropped and the
rest renumbered before anything else reads the form, so the numbers shown, the refusals beside
them and an agent's 被代理人 always agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from api.console.forms import Field, FormState, Options, options_of
from domain.case import labels
from domain.parties import (
    AUTHORITY_LABELS,
    GENDER_LABELS,
    PETITION_SIDE_LABELS,
    RELATION_LABELS,
    SIDE_LABELS,
    PartySide,
)
from domain.values import CaseKind

SIDES = tuple(side.value for side in PartySide)
AGENTS = "agents"
REPS = "representatives"
# The fewest rows a list shows (a dispute has an applicant and usually a respondent).
MINIMUM = {"applicants": 1, "respondents": 1, "third_parties": 0, AGENTS: 0}
MOST = 200  # as many as the request model takes
# Inputs whose value alone does not make a row entered (a select with a default).
_DEFAULTED = {"party_type", "authority", "relation"}

HEADINGS = {CaseKind.DISPUTE: "登记矛盾纠纷", CaseKind.PETITION: "登记信访事项"}


def side_label(side: str, kind: CaseKind) -> str:
    """申请人 / 被申请人 / 第三人, or 信访人 / 被反映人 for a petition."""
    table = PETITION_SIDE_LABELS if kind is CaseKind.PETITION else SIDE_LABELS
    return table[PartySide(side)]


def case_kind(raw: dict[str, str]) -> CaseKind:
    try:
        return CaseKind(raw.get("kind") or CaseKind.DISPUTE.value)
    except ValueError:
        return CaseKind.DISPUTE


def _party(side: str, n: int, title: str) -> list[Field]:
    p = f"{side}.{n}."
    return [
        Field(
            p + "party_type",
            "当事人类型",
            "select",
            options=options_of(labels.PARTY_TYPE_LABELS),
            value="person",
            group=title,
        ),
        Field(p + "name", "姓名或名称", required=side == "applicants" and n == 0, group=title),
        Field(p + "id_number", "身份证号码", group=title, hint="自然人填写"),
        Field(p + "phone", "联系电话", group=title),
        Field(p + "address", "住址", group=title),
        Field(
            p + "gender",
            "性别",
            "select",
            options=(("", "不填"), *options_of(GENDER_LABELS)),
            group=title,
        ),
        Field(p + "ethnicity", "民族", group=title, hint="如：汉族"),
        Field(p + "birth_date", "出生日期", "date", group=title),
        Field(p + "credit_code", "统一社会信用代码", group=title, hint="单位填写，18位"),
        Field(p + "legal_representative", "法定代表人", group=title, hint="单位填写"),
        Field(
            p + "headcount",
            "人数",
            "number",
            group=title,
            hint="多人作为一方（群体性纠纷）时填写，并在下方增加代表人",
        ),
    ]


def _representative(path: str, n: int, title: str) -> list[Field]:
    p = f"{path}.{n}."
    return [
        Field(p + "name", "代表人姓名", required=True, group=title),
        Field(p + "phone", "代表人联系电话", group=title),
        Field(p + "id_number", "代表人身份证号码", group=title),
    ]


def _agent(n: int, title: str, parties: Options) -> list[Field]:
    p = f"{AGENTS}.{n}."
    return [
        Field(p + "name", "代理人姓名", required=True, group=title),
        Field(p + "represents", "被代理人", "checks", True, parties, group=title),
        Field(
            p + "authority",
            "代理权限",
            "select",
            options=options_of(AUTHORITY_LABELS),
            value="general",
            group=title,
        ),
        Field(
            p + "powers",
            "特别授权的事项",
            "textarea",
            group=title,
            hint="特别授权时写明，如：代为承认、放弃、变更请求，达成调解协议",
        ),
        Field(
            p + "relation",
            "与被代理人的关系",
            "select",
            options=options_of(RELATION_LABELS),
            value="other",
            group=title,
        ),
        Field(p + "employer", "工作单位（律师事务所等）", group=title),
        Field(p + "phone", "代理人联系电话", group=title),
        Field(p + "id_number", "代理人身份证号码", group=title),
    ]


@dataclass
class Rows:
    """One list on the form: its rows and the button that adds one."""

    path: str  # applicants, applicants.0.representatives, agents
    title: str  # 申请人, 代表人, 代理人
    count: int
    rows: list[Row] = field(default_factory=list)

    owner: str = ""  # the party whose 代表人 these are (申请人1)

    @property
    def add_label(self) -> str:
        return f"增加一行{self.title}" + (f"（{self.owner}）" if self.owner else "")


@dataclass
class Row:
    state: FormState
    children: list[Rows] = field(default_factory=list)


@dataclass
class PartyForm:
    """The parties' part of the intake form: how many rows of each list, and their fields."""

    counts: dict[str, int]
    kind: CaseKind = CaseKind.DISPUTE
    names: dict[str, str] = field(default_factory=dict)  # "applicants:0" → 张三 (agents' options)

    def count(self, path: str) -> int:
        return self.counts.get(path, MINIMUM.get(path, 0))

    def party_options(self) -> Options:
        return tuple(
            (
                f"{side}:{n}",
                f"{side_label(side, self.kind)}{n + 1} {self.names.get(f'{side}:{n}', '')}".strip(),
            )
            for side in SIDES
            for n in range(self.count(side))
        )

    def tree(self) -> list[Rows]:
        """The lists in the order shown: each side with its parties (and their 代表人), agents."""
        lists: list[Rows] = []
        for side in SIDES:
            title = side_label(side, self.kind)
            rows = Rows(side, title, self.count(side))
            for n in range(rows.count):
                party = f"{title}{n + 1}"
                path = f"{side}.{n}.{REPS}"
                reps = Rows(path, "代表人", self.count(path), owner=party)
                reps.rows = [
                    Row(FormState(_representative(reps.path, r, f"{party}代表人{r + 1}")))
                    for r in range(reps.count)
                ]
                rows.rows.append(Row(FormState(_party(side, n, party)), [reps]))
            lists.append(rows)
        agents = Rows(AGENTS, "代理人", self.count(AGENTS))
        options = self.party_options()
        agents.rows = [
            Row(FormState(_agent(n, f"代理人{n + 1}", options))) for n in range(agents.count)
        ]
        lists.append(agents)
        return lists

    def fields(self) -> list[Field]:
        """Every input of the parties' part, in order (for reading the posted form)."""
        found: list[Field] = []

        def walk(rows: list[Rows]) -> None:
            for listed in rows:
                for row in listed.rows:
                    found.extend(row.state.fields)
                    walk(row.children)

        walk(self.tree())
        return found

    def shown(self, values: dict[str, str], errors: dict[str, str]) -> list[Rows]:
        """The lists with what was entered and the refusals beside their fields."""
        lists = self.tree()

        def fill(rows: list[Rows]) -> None:
            for listed in rows:
                for row in listed.rows:
                    row.state.values = values
                    row.state.errors = errors
                    fill(row.children)

        fill(lists)
        return lists


def _rows_of(form: dict[str, list[str]], path: str) -> list[int]:
    """The row numbers posted for list ``path`` (``applicants`` → 0, 1, …), in order."""
    pattern = re.compile(rf"^{re.escape(path)}\.(\d+)\.[a-z_]+$")
    found = {int(m.group(1)) for key in form if (m := pattern.match(key))}
    shown = _number((form.get(f"rows.{path}") or [""])[0])
    return sorted(found | set(range(min(shown, MOST))))


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _entered(form: dict[str, list[str]], prefix: str) -> bool:
    """Whether anything was typed or chosen in the row ``prefix`` (a defaulted select aside)."""
    for key, values in form.items():
        if not key.startswith(prefix):
            continue
        rest = key[len(prefix) :]
        if rest in _DEFAULTED:
            continue
        if any(v.strip() for v in values):
            return True
    return False


def compact(
    form: dict[str, list[str]], *, drop_blank: bool = True
) -> tuple[dict[str, list[str]], PartyForm]:
    """The posted form with blank rows dropped (when it is sent to be registered) and the rest
    numbered from 0 (an agent's 被代理人 follow their party), one row more where 增加一行 was
    pressed, and the row counts."""

    def kept(path: str) -> list[int]:
        rows = _rows_of(form, path)
        return [n for n in rows if _entered(form, f"{path}.{n}.")] if drop_blank else rows

    out = {
        k: v
        for k, v in form.items()
        if not k.startswith("rows.") and not any(k.startswith(p + ".") for p in (*SIDES, AGENTS))
    }
    counts: dict[str, int] = {}
    moved: dict[str, str] = {}  # "applicants:3" → "applicants:1"
    names: dict[str, str] = {}
    for side in SIDES:
        parties = kept(side)
        for new, old in enumerate(parties):
            moved[f"{side}:{old}"] = f"{side}:{new}"
            names[f"{side}:{new}"] = (form.get(f"{side}.{old}.name") or [""])[0].strip()
            for key, value in form.items():
                if key.startswith(f"{side}.{old}.") and f".{REPS}." not in key:
                    out[f"{side}.{new}.{key.removeprefix(f'{side}.{old}.')}"] = value
            reps_old, reps_new = f"{side}.{old}.{REPS}", f"{side}.{new}.{REPS}"
            reps = kept(reps_old)
            for r_new, r_old in enumerate(reps):
                for key, value in form.items():
                    if key.startswith(f"{reps_old}.{r_old}."):
                        rest = key.removeprefix(f"{reps_old}.{r_old}.")
                        out[f"{reps_new}.{r_new}.{rest}"] = value
            counts[reps_new] = len(reps)
        counts[side] = max(len(parties), MINIMUM[side])
    agents = kept(AGENTS)
    for new, old in enumerate(agents):
        for key, value in form.items():
            if key.startswith(f"{AGENTS}.{old}."):
                rest = key.removeprefix(f"{AGENTS}.{old}.")
                if rest == "represents":
                    value = [moved[v] for v in value if v in moved]
                out[f"{AGENTS}.{new}.{rest}"] = value
    counts[AGENTS] = len(agents)
    added = (form.get("add_row") or [""])[0]
    party = re.fullmatch(rf"({'|'.join(SIDES)})\.(\d+)\.{REPS}", added)
    if party:  # the party's number as renumbered (a blank party has no 代表人 to add)
        found = moved.get(f"{party.group(1)}:{party.group(2)}")
        added = f"{found.replace(':', '.')}.{REPS}" if found else ""
    if added in counts:
        counts[added] = min(counts[added] + 1, MOST)
    kind = case_kind({"kind": (form.get("kind") or [""])[0]})
    return out, PartyForm(counts, kind, names)


def as_request(body: dict[str, Any]) -> dict[str, Any]:
    """The body as the request model reads it: an agent's 被代理人 ``applicants:0`` as a party
    reference (anything else is left for the model to refuse beside the field)."""
    agents = body.get(AGENTS)
    if not isinstance(agents, list):
        return body
    changed = []
    for agent in agents:
        refs = []
        for chosen in agent.get("represents") or []:
            side, _, index = str(chosen).partition(":")
            refs.append({"side": side, "index": int(index)} if index.isdigit() else chosen)
        changed.append({**agent, "represents": refs} if refs else agent)
    return {**body, AGENTS: changed}


def party_lookups(raw: dict[str, str]) -> list[dict[str, str | None]]:
    """Each entered party's (and 代表人's) name, phone and ID number (同一当事人 look-up)."""
    rows: dict[str, dict[str, str | None]] = {}
    for key, value in raw.items():
        prefix, _, name = key.rpartition(".")
        if prefix.startswith(SIDES) and name in ("id_number", "name", "phone"):
            rows.setdefault(prefix, {"id_number": None, "name": None, "phone": None})
            rows[prefix][name] = value.strip() or None
    return list(rows.values())


# A row's own refusals (the request model checks a party or an agent as a whole) and the input
# they concern.
_ROW_REFUSALS = (("特别授权", "powers"), ("须填人数", "headcount"), ("自然人不填", "credit_code"))


def beside(errors: dict[str, str]) -> dict[str, str]:
    """Refusals of a whole row moved beside the input they are about (特别授权 without its powers
    beside 特别授权的事项, not the row's first input)."""
    placed: dict[str, str] = {}
    for key, text in errors.items():
        target = key
        if key.startswith((*SIDES, AGENTS)):
            row = key.rpartition(".")[0]
            target = next((f"{row}.{name}" for word, name in _ROW_REFUSALS if word in text), key)
        placed.setdefault(target, text)
    return placed
