"""Document templates (文书模板): data a deployment can replace, checked when the service starts.

One JSON file per document kind (``agreement.json``), and per jurisdiction where a place words
it differently (``agreement.320102.json``: cases in 玄武区 and below; the longest matching code
wins). A deployment's folder (``FENGQIAO_DOCUMENT_TEMPLATES_DIR``) overlays the shipped one file
by file. ``numbering.json`` may set an organisation's 文号 prefix (``{"prefixes": {"xw-center":
"玄调字"}}``); without one the prefix comes from the registry (``玄调字``: 玄武区, mediation).

A template is a list of blocks; text in a block names fields in braces: ``{facts}`` must be
there (a document missing it is refused, naming the field), ``{phone?}`` may be absent (a blank
line is printed for the pen). Block types:

* ``title`` (the document's name), ``number`` (文号), ``text`` (a paragraph), ``heading``;
* ``parties`` (``field``: applicants / respondents; ``line``: text over one party's fields);
* ``list`` (``field``: a list of names, joined with 、 into ``text``'s ``{value}``);
* ``items`` (``field``: items; ``columns``: item fields), a table;
* ``signatures`` (``lines``: places left blank to sign or seal; a line written
  ``{"text": "甲方（签名或盖章）", "signers": "applicants"}`` carries the handwritten signatures
  of the applicants, respondents or mediators when the tablet captured them), ``closing``
  (organisation and date, with the seal's place).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from domain.base import Frozen
from domain.case.documents import FIELD_LABELS, ITEM_FIELD_LABELS, PARTY_FIELD_LABELS
from domain.case.issued import (
    DocumentFields,
    DocumentKind,
    ItemLine,
    PartyLine,
    SignaturePlace,
)

SHIPPED = Path(__file__).resolve().parent / "templates"
PLACEHOLDER = re.compile(r"\{([a-z_]+)(\?)?\}")
NUMBERING_FILE = "numbering.json"


class TemplateError(ValueError):
    """A template set the service refuses to start with (the message names file and field)."""


class TitleBlock(Frozen):
    type: Literal["title"]


class NumberBlock(Frozen):
    type: Literal["number"]


class TextBlock(Frozen):
    type: Literal["text", "heading"]
    text: str


class PartiesBlock(Frozen):
    type: Literal["parties"]
    field: Literal["applicants", "respondents"]
    line: str
    optional: bool = False  # none recorded: nothing printed (else the document is refused)


class ListBlock(Frozen):
    type: Literal["list"]
    field: str
    text: str
    optional: bool = False


class ItemsBlock(Frozen):
    type: Literal["items"]
    field: Literal["items"] = "items"
    columns: tuple[str, ...]
    optional: bool = False  # an agreement without items prints none (no refusal)


class SignLine(Frozen):
    """A place to sign where the handwritten signatures of ``signers`` are printed when captured
    (blank for the pen otherwise)."""

    text: str
    signers: SignaturePlace


class SignaturesBlock(Frozen):
    type: Literal["signatures"]
    lines: tuple[str | SignLine, ...]


class ClosingBlock(Frozen):
    type: Literal["closing"]
    seal: bool = True


Block = Annotated[
    TitleBlock
    | NumberBlock
    | TextBlock
    | PartiesBlock
    | ListBlock
    | ItemsBlock
    | SignaturesBlock
    | ClosingBlock,
    Field(discriminator="type"),
]


class Template(Frozen):
    kind: DocumentKind
    jurisdiction: str | None = None  # a county/town/village code prefix; None: everywhere
    title: str | None = None  # printed instead of the kind's own name
    blocks: tuple[Block, ...]


class TemplateSet(Frozen):
    templates: tuple[Template, ...]
    prefixes: dict[str, str] = {}

    def for_case(self, kind: DocumentKind, jurisdiction_code: str) -> Template:
        """The most specific template of ``kind`` for a case placed at ``jurisdiction_code``."""
        fitting = [
            t
            for t in self.templates
            if t.kind is kind and jurisdiction_code.startswith(t.jurisdiction or "")
        ]
        return max(fitting, key=lambda t: len(t.jurisdiction or ""))


_LIST_FIELDS = {"mediators", "attendees"}
_SCALARS = {
    name
    for name, info in DocumentFields.model_fields.items()
    if info.annotation not in (tuple[PartyLine, ...], tuple[ItemLine, ...], tuple[str, ...])
    and name != "signatures"
}


def _check_text(text: str, allowed: Iterable[str], where: str) -> None:
    known = set(allowed)
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in known:
            raise TemplateError(f"{where}: 未知字段 {{{match.group(1)}}} / unknown field name")
    leftover = PLACEHOLDER.sub("", text)
    if "{" in leftover or "}" in leftover:
        raise TemplateError(f"{where}: 花括号不成对或字段名无效 / malformed placeholder")


def check_template(template: Template, where: str) -> None:
    """Every field a block names exists, with the shape the block prints."""
    for n, block in enumerate(template.blocks):
        at = f"{where} blocks[{n}]"
        match block:
            case TextBlock():
                _check_text(block.text, _SCALARS, at)
            case PartiesBlock():
                _check_text(block.line, PARTY_FIELD_LABELS, at)
            case ListBlock():
                if block.field not in _LIST_FIELDS:
                    raise TemplateError(f"{at}: {block.field} 不是名单字段 / not a list field")
                _check_text(block.text, {"value"}, at)
            case ItemsBlock():
                for column in block.columns:
                    if column not in ITEM_FIELD_LABELS:
                        raise TemplateError(f"{at}: 未知列 {column} / unknown item column")
            case _:
                pass


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise TemplateError(f"{path.name}: 无法读取 / cannot be read: {error}") from error


def _files(folders: Iterable[Path]) -> dict[str, Path]:
    """File name → path, a later folder's file replacing an earlier one's."""
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            raise TemplateError(f"{folder}: 文书模板目录不存在 / template folder not found")
        for path in sorted(folder.glob("*.json")):
            found[path.name] = path
    return found


def load_templates(overlay: Path | None = None) -> TemplateSet:
    """The shipped templates, overlaid by ``overlay``'s; TemplateError names what is wrong."""
    files = _files([SHIPPED] if overlay is None else [SHIPPED, overlay])
    prefixes: dict[str, str] = {}
    templates: list[Template] = []
    for name, path in sorted(files.items()):
        raw = _read(path)
        if name == NUMBERING_FILE:
            if not isinstance(raw, dict) or not isinstance(raw.get("prefixes", {}), dict):
                raise TemplateError(f'{name}: 应为 {{"prefixes": {{单位: 字号}}}}')
            prefixes = {str(k): str(v) for k, v in raw.get("prefixes", {}).items()}
            continue
        try:
            template = Template.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise TemplateError(f"{name}: {loc}: {first['msg']}") from error
        stem = name.removesuffix(".json").split(".")
        expected = (
            template.kind.value,
            *([template.jurisdiction] if template.jurisdiction else []),
        )
        if tuple(stem) != expected:
            raise TemplateError(
                f"{name}: 文件名应为 {'.'.join(expected)}.json / file name must match kind and "
                "jurisdiction"
            )
        check_template(template, name)
        templates.append(template)
    missing = [
        k.value
        for k in DocumentKind
        if not any(t.kind is k and not t.jurisdiction for t in templates)
    ]
    if missing:
        raise TemplateError(
            f"缺少文书模板 / missing templates: {', '.join(f'{m}.json' for m in missing)}"
        )
    return TemplateSet(templates=tuple(templates), prefixes=prefixes)


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field) or PARTY_FIELD_LABELS.get(field) or field
