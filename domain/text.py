"""Free text (自由文本) as the domain accepts it: one validated type family at every edge.

Every string a person types (a title, a name, an address, a note, a 文号) enters the domain
through one of these types, so what the domain accepts is what the store keeps: trimmed, free of
control characters (PostgreSQL refuses NUL outright; the others corrupt logs, pages and
documents), and no longer than the column or document field it ends up in. The checks run in
pydantic-core's regex engine, so every decode of a case's state checks them again cheaply.

- ``Name`` (100): a person's, a place's or a user's name (``users.display_name``,
  ``jurisdictions.name``, ``roster_mediators.name``, ``access_trail.principal_name``).
- ``ShortText`` (200): one line — a title, a unit, a court, an actor (``cases.title``…).
- ``Remark`` (500) and ``Address`` (500): one line, may be empty.
- ``LongText`` / ``OptionalText`` (10 000): several lines (tab and line breaks allowed).

A refusal reads 含有控制字符 / contains control characters (``control_chars_reason``), in the API's
error body and beside the console's field alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import StringConstraints

# Several lines: C0 controls except tab, line feed and carriage return; DEL; C1 controls.
NO_CONTROL_CHARS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# One line: every C0 control (tab and line breaks too), DEL, C1, and the Unicode line and
# paragraph separators, which break a line as surely as a newline does.
ONE_LINE = "^[^\\x00-\\x1f\\x7f-\\x9f\u2028\u2029]*$"
TEXT_PATTERNS = frozenset({NO_CONTROL_CHARS, ONE_LINE})

CONTROL_CHARS_ZH = "含有控制字符"
CONTROL_CHARS_EN = "contains control characters"

NAME_LENGTH = 100
SHORT_LENGTH = 200
REMARK_LENGTH = 500
LONG_LENGTH = 10_000

Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=NAME_LENGTH, pattern=ONE_LINE
    ),
]
OptionalName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=NAME_LENGTH, pattern=ONE_LINE)
]
ShortText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=SHORT_LENGTH, pattern=ONE_LINE
    ),
]
Remark = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=REMARK_LENGTH, pattern=ONE_LINE)
]
Address = Remark
LongText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=LONG_LENGTH, pattern=NO_CONTROL_CHARS
    ),
]
OptionalText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=LONG_LENGTH, pattern=NO_CONTROL_CHARS),
]
Actor = ShortText


def is_control_chars_error(item: Mapping[str, Any]) -> bool:
    """Whether a pydantic error item is one of these types refusing a control character."""
    context = item.get("ctx") or {}
    return item.get("type") == "string_pattern_mismatch" and context.get("pattern") in TEXT_PATTERNS
