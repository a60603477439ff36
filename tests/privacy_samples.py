"""A case text quoting personal data in every form people write it in, and the check that none
of it comes out in clear (issue 16, finding 7)."""

from __future__ import annotations

import re

TITLE = "张伟（+86 138-1234-5678）与李娜相邻通行纠纷"
DESCRIPTION = (
    "申请人电话 +8613812345678，备用 008613812345678、138-1234-5678、138 1234 5678；"
    "被申请人 (+86) 139 8765 4321，身份证 3201 0219 9001 0112 32，"
    "另一证件 320102-19900101-1232、32010219900101123X，座机 025-84561234。"
    "争议金额 12000元，约定 2026-09-10 前清理。"
)
# The digits the mask hides, in a row: found in an output once its separators are taken out.
HIDDEN = ("13812345678", "13987654321", "320102199001011232", "32010219900101123X", "84561234")
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[-\s.()（）\u3000\u00a0]+(?=[0-9Xx])")


def clear_personal_data(text: str) -> list[str]:
    """The hidden numbers that ``text`` shows in clear, whatever separators it writes."""
    joined = _BETWEEN_DIGITS.sub("", text)
    return [number for number in HIDDEN if number in joined or number.lower() in joined]
