"""访问留痕 in plain words: what a recorded read was (案件卷宗、时间线…) and which personal data it
showed in full (申请人1的完整身份证号…), for the auditor who reads the trail.

The trail stores the route and the JSON paths of the clear fields (exact, for tools); people read
these words, with the stored form kept behind a 详情 toggle.
"""

from __future__ import annotations

import re

# The route a read was recorded under → what was read.
READ_WORDS: dict[str, str] = {
    "GET /v1/cases/{id}": "案件详情",
    "GET /v1/cases/{id}/timeline": "案件时间线",
    "GET /v1/cases/{id}/state": "某一时刻的案件状态",
    "GET /v1/cases/{id}/verify": "记录链条核验",
    "GET /v1/cases/{id}/replay": "重放验证",
    "GET /v1/cases/{id}/dossier?format=pdf": "案件卷宗（PDF）",
    "GET /v1/cases/{id}/dossier?format=json": "案件卷宗（数据）",
    "GET /v1/audit/access-trail": "访问留痕",
}

# The last key of a clear field's path → what it is.
FIELD_WORDS: dict[str, str] = {
    "id_number": "完整身份证号",
    "phone": "完整联系电话",
    "watched": "重点人员信息",
}

# A list the field sits in → whose it is (numbered from 1).
HOLDER_WORDS: dict[str, str] = {
    "applicants": "申请人",
    "respondents": "被申请人",
    "parties": "当事人",
    "petitioners": "信访人",
    "agents": "代理人",
    "third_parties": "第三人",
}

_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def read_words(endpoint: str) -> str:
    """``GET /v1/cases/{id}/timeline`` → ``案件时间线``; a route not named here → ``其他查阅``."""
    return READ_WORDS.get(endpoint, "其他查阅")


def field_words(path: str) -> str:
    """``entries[0].data.applicants[1].id_number`` → ``申请人2的完整身份证号``."""
    steps = _STEP.findall(path)
    if not steps:
        return "个人信息"
    what = FIELD_WORDS.get(steps[-1][0], "个人信息")
    for key, index in reversed(steps[:-1]):
        holder = HOLDER_WORDS.get(key)
        if holder is not None:
            number = f"{int(index) + 1}" if index else ""
            return f"{holder}{number}的{what}"
    return what


def fields_words(paths: list[str] | tuple[str, ...]) -> list[str]:
    """Each clear field once, in the order first shown (a timeline repeats a party per event)."""
    seen: dict[str, None] = {}
    for path in paths:
        seen.setdefault(field_words(path), None)
    return list(seen)
