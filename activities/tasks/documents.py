"""The 文号 activity: a case issuing a document for the first time asks its organisation's
series for the next number (idempotent per case and document: a retry gets the same one)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.store.document_numbers import assign_document_number
from domain.case.issued import DocumentNumber
from workflows.contract import ASSIGN_DOCUMENT_NUMBER_ACTIVITY, DocumentNumberRequest


class DocumentNumbers:
    """The store and the deployment's 文号 prefixes (numbering.json) are injected."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], prefixes: Mapping[str, str]
    ) -> None:
        self._sessionmaker = sessionmaker
        self._prefixes = dict(prefixes)

    @activity.defn(name=ASSIGN_DOCUMENT_NUMBER_ACTIVITY)
    async def assign_document_number(self, request: DocumentNumberRequest) -> DocumentNumber:
        return await assign_document_number(
            self._sessionmaker,
            case_id=request.case_id,
            document_key=request.document_key,
            org_id=request.org_id,
            org_name=request.org_name,
            year=request.year,
            at=datetime.now(UTC),
            prefixes=self._prefixes,
        )
