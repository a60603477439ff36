"""Path, query and header parameters the routers share, with their validation and descriptions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path, Query
from pydantic import StringConstraints

from domain.text import NO_CONTROL_CHARS
from domain.values import JURISDICTION_CODE

CASE_ID = r"^(JF|XF)-\d{4}-\d{6,}$"
RECEPTION_ID = r"^JD-[0-9a-f]{20}$"  # 接访记录编号

CaseIdPath = Annotated[str, Path(pattern=CASE_ID, description="案件编号, e.g. JF-2026-000123")]
AlertIdPath = Annotated[str, Path(max_length=64, pattern=r"^(JF|XF)-\d{4}-\d{6,}-A\d+$")]
RecipientIdPath = Annotated[str, Path(max_length=200, pattern=NO_CONTROL_CHARS)]
# 排查任务 ``SD-<period>-<10 hex>``; a Schedule's id; a 月报 ``<place>-<month>-<cut-off>``.
DutyIdPath = Annotated[
    str, Path(max_length=80, pattern=r"^SD-[A-Za-z0-9-]{1,76}$", description="排查任务编号")
]
ScheduleIdPath = Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
ReportIdPath = Annotated[
    str, Path(max_length=60, pattern=r"^[0-9][0-9-]*$", description="月报编号 / report id")
]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="A retried request with the same key is applied once.",
    ),
]
# The alert acknowledgement has always taken any key up to 100 characters.
AckIdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]

Reveal = Annotated[
    bool,
    Query(description="true: 显示完整身份证号和电话（记入访问留痕）/ show clear PII (recorded)"),
]

# A purpose is what it says once the spaces around it are gone: blanks state nothing.
_PurposeText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=2, max_length=500, pattern=NO_CONTROL_CHARS
    ),
]
Purpose = Annotated[
    _PurposeText,
    Query(description="审计用途（必填，记入访问留痕）/ why you read this (required, recorded)"),
]
OptionalPurpose = Annotated[
    _PurposeText | None,
    Query(description="审计用途：审计人员必填，记入访问留痕 / required of auditors, recorded"),
]

JurisdictionQuery = Annotated[
    str | None, Query(pattern=JURISDICTION_CODE, description="county/town/village code")
]
NameQuery = Annotated[str | None, Query(max_length=200, pattern=NO_CONTROL_CHARS)]
TextQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=100, pattern=NO_CONTROL_CHARS, description="标题/描述检索"),
]
# An event type as the timeline filters by it (``case_registered``).
EventTypeName = Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
CursorQuery = Annotated[str | None, Query(max_length=500, pattern=NO_CONTROL_CHARS)]
OrgIdQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="单位编号 / organisation id"),
]
