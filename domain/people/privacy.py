"""Personal data (个人信息) masking: ID numbers and phones shown only to those who need them.

``mask_document`` walks any JSON document (a case, a timeline, an alert) and masks the fields
that hold personal data wherever they sit, and scrubs ID numbers and mobile numbers out of
free text too (a title may quote a phone). Pure functions; the API decides who sees what.
"""

from __future__ import annotations

import re
from typing import Any

ID_FIELDS = frozenset({"id_number"})
PHONE_FIELDS = frozenset({"phone"})
WATCHED_FIELDS = frozenset({"watched"})

# An 18-character resident ID (the checksum may be X), or a mainland mobile number, not part
# of a longer digit run. Landlines in free text are left alone (too many false positives).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id(value: str) -> str:
    """``320102199001011234`` → ``3201**********1234``."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13856785678`` → ``138****5678``; a landline keeps its area code and last four."""
    digits = value.replace("-", "")
    if len(digits) <= 7:
        return "*" * len(value)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# Either pattern needs at least 11 digits in a row: most text is ruled out by one C-level scan.
_LONG_DIGIT_RUN = re.compile(r"\d{11}")
# Case data that never holds personal data (policy snapshots from policy files, bookkeeping):
# not walked, which keeps masking a whole case cheap on every response.
# Hex digests (files, the chain's head) are never personal data, and a run of their digits may
# look like a mobile number: masking one would break the hash a reader checks files against.
SAFE_FIELDS = frozenset(
    {
        "policy",
        "milestones",
        "recent_command_ids",
        "labels",
        "sha256",
        "thumbnail_sha256",
        "recorded_sha256",
        "found_sha256",
        "head_hash",
    }
)


def scrub_text(text: str) -> str:
    """Mask ID numbers and mobile numbers that appear inside free text."""
    if _LONG_DIGIT_RUN.search(text) is None:
        return text
    text = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)), text)
    return _MOBILE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def contains_personal_data(text: str) -> bool:
    if _LONG_DIGIT_RUN.search(text) is None:
        return False
    return bool(_ID_IN_TEXT.search(text) or _MOBILE_IN_TEXT.search(text))


def mask_document(
    document: Any, *, reveal: bool = False, see_watched: bool = False
) -> tuple[Any, tuple[str, ...]]:
    """The document as a reader may see it, and the paths of the clear personal data it shows.

    ``reveal``: ID numbers and phones stay clear (the caller records the returned paths in the
    access trail). ``see_watched``: 重点人员 flags stay; otherwise they are removed.
    """
    shown: list[str] = []

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                child = f"{path}.{key}" if path else key
                if key in WATCHED_FIELDS and not see_watched:
                    continue
                if key in SAFE_FIELDS:
                    out[key] = value
                    continue
                if isinstance(value, str) and (key in ID_FIELDS or key in PHONE_FIELDS):
                    if reveal:
                        shown.append(child)
                        out[key] = value
                    else:
                        out[key] = (mask_id if key in ID_FIELDS else mask_phone)(value)
                    continue
                out[key] = walk(value, child)
            return out
        if isinstance(node, list | tuple):
            return [walk(item, f"{path}[{index}]") for index, item in enumerate(node)]
        if isinstance(node, str):
            if not reveal:
                return scrub_text(node)
            if contains_personal_data(node):
                shown.append(path)
        return node

    return walk(document, ""), tuple(shown)
