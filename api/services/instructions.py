"""领导批示 as leaders see them: the instructions (and 签收意见) on the cases within their
jurisdiction, open ones first due, with the handling unit's 落实反馈 once given."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.store import repositories, worklists
from activities.store.worklists import WorkFilter
from api.errors import database_errors
from api.leader_schemas import InstructionView
from domain.case.leader_records import INSTRUCTION_SOURCE_LABELS, InstructionSource
from domain.case.worklist import WorkKind
from domain.people.access import Principal
from domain.people.privacy import mask_document


async def list_instructions(
    *,
    open_only: bool,
    limit: int,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[dict[str, Any]]:
    """Instructions on the cases within ``principal``'s jurisdiction (open ones only when
    ``open_only``), masked; the nearest due first."""
    kinds = [WorkKind.INSTRUCTION_DUE.value]
    if not open_only:
        kinds.append(WorkKind.INSTRUCTION_ANSWERED.value)
    where = WorkFilter(within=principal.jurisdiction, kinds=tuple(kinds))
    views: list[dict[str, Any]] = []
    with database_errors():
        async with sessionmaker() as session:
            page = await worklists.list_work(
                where, kind=None, cursor=None, limit=limit, session=session
            )
            documents: dict[str, Any] = {}
            for line in page.items:
                if line.case_id not in documents:
                    documents[line.case_id] = await repositories.case_document(
                        line.case_id, session=session
                    )
                document = documents[line.case_id]
                if document is None or not principal.covers(line.jurisdiction_code):
                    continue
                number = int(line.item_key.partition(":")[2])
                found = next(
                    (i for i in document.get("instructions", ()) if i["instruction_no"] == number),
                    None,
                )
                if found is not None:
                    views.append(_view(line.case_id, document["title"], line.due_at, found))
    masked, _ = mask_document(views)
    result: list[dict[str, Any]] = masked
    return result


def _view(case_id: str, title: str, due_at: Any, found: dict[str, Any]) -> dict[str, Any]:
    answer = found.get("answer")
    source = InstructionSource(found.get("source", InstructionSource.INSTRUCTION.value))
    return InstructionView(
        case_id=case_id,
        case_title=title,
        instruction_no=found["instruction_no"],
        source=source.value,
        source_label=INSTRUCTION_SOURCE_LABELS[source],
        text=found["text"],
        leader=found["leader"],
        deadline=found.get("deadline"),
        due_at=due_at,
        issued_at=found["at"],
        answered=answer is not None,
        answer=answer["result"] if answer else None,
        answered_at=answer["at"] if answer else None,
        answered_by=answer["by"] if answer else None,
    ).model_dump(mode="json")
