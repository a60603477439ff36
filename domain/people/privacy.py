"""Personal data (个人信息) masking: ID numbers and phones shown only to those who need them.

``mask_document`` walks any JSON document (a case, a timeline, an alert) and masks the fields
that hold personal data wherever they sit, and scrubs ID numbers and phone numbers out of free
text too (a title may quote a phone). Pure functions; the API decides who sees what.

Free text is scrubbed in the forms people write them in: a mobile number with or without
``+86`` / ``0086`` / ``(+86)``, in groups (``138-1234-5678``, ``138 1234 5678``); an ID number
whole (``320102199001011232``, checksum ``X``) or in groups (``3201 0219 9001 0112 32``,
``320102-19900101-1232``); a landline written with its area code set apart (``025-84561234``,
``(025) 8456 1234``). Only the digits in the middle become ``*``; separators stay, so the text
keeps its shape. Amounts, dates and case numbers are not touched: every pattern needs a mobile's
``1[3-9]`` head, an ID's birth date or a landline's ``0`` area code set apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

ID_FIELDS = frozenset({"id_number"})
PHONE_FIELDS = frozenset({"phone"})
WATCHED_FIELDS = frozenset({"watched"})
# 住址: the divisions are shown (省市区县、乡镇街道), the rest (road, number, room) is not.
ADDRESS_FIELDS = frozenset({"address"})
# 出生日期: the year is shown, the month and day masked (``1985-**-**``).
BIRTH_FIELDS = frozenset({"birth_date"})

# One separator between groups of digits: a hyphen or dash, a space (also no-break and 全角), a dot.
_SEP = r"[-\u2010-\u2015 \t\u00a0\u3000.]"


# An ID number whole: 17 digits and a checksum digit or X, not part of a longer run.
_ID_WHOLE = r"\d{17}[0-9Xx]"
# An ID number in the groups people write it in (6-8-4, 4-4-4-4-2, 6-4-4-4), taken for one only
# when its digits have an ID's shape (a province's code, a birth date from 1800).
_ID_LAYOUTS = ((6, 8, 4), (4, 4, 4, 4, 2), (6, 4, 4, 4))
_ID_GROUPED = "|".join(
    _SEP.join([*(rf"\d{{{size}}}" for size in layout[:-1]), rf"\d{{{layout[-1] - 1}}}[0-9Xx]"])
    for layout in _ID_LAYOUTS
)
# In groups, not the tail of a code (JF-2026-000012) nor the head of a longer group of numbers.
_ID_IN_TEXT = re.compile(
    rf"(?<![0-9A-Za-z]){_ID_WHOLE}(?![0-9A-Za-z])"
    rf"|(?<![0-9A-Za-z])(?<![0-9A-Za-z][./-])(?:{_ID_GROUPED})(?![0-9A-Za-z]|{_SEP}\d)"
)
_PROVINCES = r"(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])"
_ID_SHAPE = re.compile(
    rf"{_PROVINCES}\d{{4}}(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{3}}[0-9Xx]"
)

# A mainland mobile number (1[3-9] and nine digits) in groups of 3-4-4 or whole, with an optional
# country code in front: +86, 0086, 86, (+86), （+86）.
_COUNTRY = rf"(?:(?:\+|00)?86{_SEP}?|[(（]\s?\+?86\s?[)）]{_SEP}?)"
_MOBILE = rf"1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}"
_MOBILE_IN_TEXT = re.compile(rf"(?<!\d)(?:{_COUNTRY})?{_MOBILE}(?!\d)")

# A landline whose area code is set apart: 025-84561234, 0512 6788 1234, (025) 8456 1234.
_AREA = rf"(?:0\d{{2,3}}{_SEP}|[(（]0\d{{2,3}}[)）]{_SEP}?)"
_LANDLINE_IN_TEXT = re.compile(rf"(?<!\d)(?P<area>{_AREA})[2-9]\d{{2,3}}{_SEP}?\d{{4}}(?!\d)")

# Every pattern needs eleven digits (a landline's area code and number have eleven or twelve) in
# one run of digits, separators and brackets: most text, dates and times included, is ruled out
# by one C-level scan for such runs and a count of the digits in the few it finds.
_NUMBER_RUN = re.compile(r"\d[\d\-\u2010-\u2015 \t\u00a0\u3000.)）]{9,}\d")


_DIGIT = re.compile(r"\d")


def _eleven_digits_in_a_run(text: str) -> bool:
    return any(len(_DIGIT.findall(run.group())) >= 11 for run in _NUMBER_RUN.finditer(text))


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


# The leading run of divisions: a name of one to twelve characters ending in a division's word.
_DIVISIONS = re.compile(
    r"^(?:[^省市区县旗镇乡\d]{1,12}?(?:特别行政区|自治区|自治州|自治县|地区|街道|苏木|省|市|区|县|旗|镇|乡|盟))+"
)
_ADDRESS_HIDDEN = "****"


def mask_address(value: str) -> str:
    """``江苏省南京市玄武区孝陵卫街道钟灵街50号`` → ``江苏省南京市玄武区孝陵卫街道****``.

    With no division in front (``长江路12号``) only the first two characters are shown. The hidden
    part is always four stars, so its length tells nothing either."""
    divisions = _DIVISIONS.match(value)
    head = value[:2]
    shown = divisions.group(0) if divisions else ("" if any(c.isdigit() for c in head) else head)
    if len(shown) >= len(value):
        return value if divisions else _ADDRESS_HIDDEN
    return shown + _ADDRESS_HIDDEN


def mask_birth_date(value: str) -> str:
    """``1985-06-12`` → ``1985-**-**``."""
    return value[:4] + "".join("*" if char.isdigit() else char for char in value[4:])


def _starred(text: str, *, head: int, tail: int) -> str:
    """``text`` with its digits (and an ID's X) starred but the first ``head`` and the last
    ``tail``; separators and brackets stay where they are."""
    positions = [i for i, char in enumerate(text) if char.isdigit() or char in "Xx"]
    hidden = set(positions[head : len(positions) - tail])
    return "".join("*" if i in hidden else char for i, char in enumerate(text))


def _count_digits(text: str) -> int:
    return sum(char.isdigit() for char in text)


def _is_id(found: str) -> bool:
    """Whole, any 18 characters pass (as an ID field would); in groups, only an ID's shape."""
    digits = "".join(char for char in found if char.isdigit() or char in "Xx")
    return digits == found or _ID_SHAPE.fullmatch(digits) is not None


def _mask_id_match(match: re.Match[str]) -> str:
    found = match.group(0)
    return _starred(found, head=4, tail=4) if _is_id(found) else found


def _mask_mobile_match(match: re.Match[str]) -> str:
    # The country code's digits are shown, then the mobile's first three and last four.
    found = match.group(0)
    return _starred(found, head=_count_digits(found) - 11 + 3, tail=4)


def _mask_landline_match(match: re.Match[str]) -> str:
    found = match.group(0)
    return _starred(found, head=_count_digits(match.group("area")), tail=4)


_SCRUBBERS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_ID_IN_TEXT, _mask_id_match),
    (_MOBILE_IN_TEXT, _mask_mobile_match),
    (_LANDLINE_IN_TEXT, _mask_landline_match),
)

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
    """Mask ID numbers, mobile numbers and landlines that appear inside free text."""
    if _NUMBER_RUN.search(text) is None or not _eleven_digits_in_a_run(text):
        return text
    for pattern, mask in _SCRUBBERS:
        text = pattern.sub(mask, text)
    return text


def contains_personal_data(text: str) -> bool:
    if _NUMBER_RUN.search(text) is None or not _eleven_digits_in_a_run(text):
        return False
    if any(_is_id(found.group(0)) for found in _ID_IN_TEXT.finditer(text)):
        return True
    return any(pattern.search(text) for pattern, _ in _SCRUBBERS[1:])


def personal_numbers(text: str) -> list[str]:
    """The ID numbers, mobiles and landlines written in ``text`` (as written), the ones
    ``scrub_text`` masks: the search index keeps a keyed hash of each, never the digits."""
    if _NUMBER_RUN.search(text) is None or not _eleven_digits_in_a_run(text):
        return []
    found = [match.group(0) for match in _ID_IN_TEXT.finditer(text) if _is_id(match.group(0))]
    for pattern, _ in _SCRUBBERS[1:]:
        found.extend(match.group(0) for match in pattern.finditer(text))
    return found


_MASKS: dict[str, Callable[[str], str]] = {
    **dict.fromkeys(ID_FIELDS, mask_id),
    **dict.fromkeys(PHONE_FIELDS, mask_phone),
    **dict.fromkeys(BIRTH_FIELDS, mask_birth_date),
    **dict.fromkeys(ADDRESS_FIELDS, mask_address),
}


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
                if isinstance(value, str) and key in _MASKS:
                    if reveal:
                        shown.append(child)
                        out[key] = value
                    else:
                        out[key] = _MASKS[key](value)
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
