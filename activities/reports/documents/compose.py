"""A template filled with a document's fields: the laid-out blocks both printers draw.

A required field the case has not recorded refuses the document (InvalidCommand naming the
field's Chinese label and id); an optional one prints a blank line for the pen. Nothing prints
``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from activities.reports.documents.templates import (
    PLACEHOLDER,
    ClosingBlock,
    ItemsBlock,
    ListBlock,
    NumberBlock,
    PartiesBlock,
    SignaturesBlock,
    Template,
    TextBlock,
    TitleBlock,
)
from domain.case.documents import (
    FIELD_LABELS,
    ITEM_FIELD_LABELS,
    PARTY_FIELD_LABELS,
    is_missing,
    missing_field,
)
from domain.case.issued import DocumentFields, SignatureMark
from domain.errors import InvalidCommand

BLANK = "＿＿＿＿＿＿＿＿"
MASKED_NOTE = "本件为脱敏副本：身份证号码、联系电话已部分隐去，不作送达使用。"


@dataclass(frozen=True)
class Laid:
    """One block as printed: ``kind`` says how (title, number, text, heading, table,
    signatures, closing, note)."""

    kind: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    # signatures: for each line, the handwritten signatures printed there (none: left blank)
    signed: list[list[SignatureMark]] = field(default_factory=list)


def _value(value: object) -> str:
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value)
    return str(value)


def _fill(
    text: str,
    values: dict[str, object],
    missing: type[Exception] | None = None,
    *,
    label_of: dict[str, str] | None = None,
    prefix: str = "",
) -> str:
    def one(match: object) -> str:
        name, optional = match.group(1), match.group(2)  # type: ignore[attr-defined]
        value = values.get(name)
        if is_missing(value):
            if optional:
                return BLANK
            if prefix:
                labels = label_of or {}
                raise InvalidCommand(
                    f"缺少「{FIELD_LABELS[prefix]}{labels.get(name, name)}」，无法出具文书",
                    f"the document cannot be issued without '{prefix}.{name}'",
                    field=f"{prefix}.{name}",
                )
            raise missing_field(name)
        return _value(value)

    return PLACEHOLDER.sub(one, text)


def _signatures(block: SignaturesBlock, fields: DocumentFields) -> Laid:
    lines = [line if isinstance(line, str) else line.text for line in block.lines]
    signed = [
        []
        if isinstance(line, str)
        else [mark for mark in fields.signatures if mark.place == line.signers]
        for line in block.lines
    ]
    return Laid("signatures", lines=lines, signed=signed)


def compose(template: Template, fields: DocumentFields, *, masked: bool) -> list[Laid]:
    """The blocks of ``template`` filled from ``fields``; InvalidCommand names a missing one."""
    values = dict(fields)
    laid: list[Laid] = []
    for block in template.blocks:
        match block:
            case TitleBlock():
                laid.append(Laid("title", template.title or fields.document_title))
                if masked:
                    laid.append(Laid("note", MASKED_NOTE))
            case NumberBlock():
                laid.append(Laid("number", fields.document_number))
            case TextBlock():
                laid.append(Laid(block.type, _fill(block.text, values)))
            case PartiesBlock():
                parties = getattr(fields, block.field)
                if not parties and not block.optional:
                    raise missing_field(block.field)
                for party in parties:
                    text = _fill(
                        block.line,
                        dict(party),
                        label_of=PARTY_FIELD_LABELS,
                        prefix=block.field,
                    )
                    laid.append(Laid("text", text))
            case ListBlock():
                names = getattr(fields, block.field)
                if not names and not block.optional:
                    raise missing_field(block.field)
                joined = "、".join(names) or BLANK
                laid.append(Laid("text", block.text.replace("{value}", joined)))
            case ItemsBlock():
                if not fields.items:
                    if not block.optional:
                        raise missing_field("items")
                    continue
                header = [ITEM_FIELD_LABELS[c] for c in block.columns]
                rows = [
                    [BLANK if is_missing(v := getattr(i, c)) else _value(v) for c in block.columns]
                    for i in fields.items
                ]
                laid.append(Laid("table", rows=[header, *rows]))
            case SignaturesBlock():
                laid.append(_signatures(block, fields))
            case ClosingBlock():
                if is_missing(fields.issued_on):
                    raise missing_field("issued_on")
                seal = "（盖章）" if block.seal else ""
                laid.append(
                    Laid("closing", lines=[f"{fields.organisation}{seal}", str(fields.issued_on)])
                )
    return laid


def plain_text(laid: list[Laid]) -> str:
    """The document as plain text (for tests and search): every block's words in order."""
    out: list[str] = []
    for block in laid:
        if block.text:
            out.append(block.text)
        out += ["　".join(row) for row in block.rows]
        out += block.lines
    return "\n".join(out)
