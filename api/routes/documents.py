"""文书: issue a case's documents, list them, print a version as PDF or .docx."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api.deps import FilesDep, ScopesDep, SessionmakerDep, SettingsDep, TemplatesDep, TemporalDep
from api.errors import ERROR_RESPONSES
from api.params import CaseIdPath, IdempotencyKey, Reveal
from api.permissions import Mediator, Reader
from api.services import papers
from domain.case.issued import DocumentKind

router = APIRouter(prefix="/v1/cases", tags=["documents 文书"])

DocumentKey = Annotated[
    str,
    Path(
        pattern=r"^[a-z_]+(:\d{1,6})?$",
        max_length=64,
        description="文书：种类，按次出具的加序号，如 agreement:1 / kind[:subject]",
    ),
]


class IssueRequest(BaseModel):
    kind: DocumentKind = Field(description="文书种类 / the kind of document")
    subject: int | None = Field(
        default=None,
        ge=1,
        description="调解笔录的调解会次数、回访记录的回访次数、协议书的协议序号；省略为最近一次 / "
        "which session, visit or agreement (latest if omitted)",
    )


class IssuedDocumentView(BaseModel):
    key: str
    kind: str
    title: str
    subject: int | None
    number: str
    organisation: str
    version: int
    content_sha256: str
    issued_at: str
    issued_by: str
    pdf: str
    docx: str


class IssuedDocuments(BaseModel):
    case_id: str
    documents: list[IssuedDocumentView]


@router.post(
    "/{case_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=IssuedDocumentView,
    responses={
        **ERROR_RESPONSES,
        200: {"model": IssuedDocumentView, "description": "内容未变，重印 / a reprint"},
    },
    summary="出具文书 / issue a document (same 文号; a new version when the case changed)",
)
async def issue_document(
    case_id: CaseIdPath,
    body: IssueRequest,
    principal: Mediator,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    issued = await papers.issue(
        case_id,
        body.kind,
        body.subject,
        key=idempotency_key,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        temporal=temporal,
        settings=settings,
        templates=templates,
    )
    code = status.HTTP_201_CREATED if issued.new_version else status.HTTP_200_OK
    return JSONResponse(issued.entry, status_code=code)


@router.get(
    "/{case_id}/documents",
    response_model=IssuedDocuments,
    responses=ERROR_RESPONSES,
    summary="已出具的文书 / the documents issued, every version",
)
async def list_documents(
    case_id: CaseIdPath, principal: Reader, scopes: ScopesDep
) -> dict[str, Any]:
    items = await papers.listed(case_id, principal=principal, scopes=scopes)
    return {"case_id": case_id, "documents": items}


@router.get(
    "/{case_id}/documents/{document}/{format}",
    responses={**ERROR_RESPONSES, 200: {"content": {"application/pdf": {}}}},
    summary="打印文书 / a document as PDF or .docx (masked unless revealed; recorded)",
)
async def print_document(
    case_id: CaseIdPath,
    document: DocumentKey,
    format: Literal["pdf", "docx"],
    principal: Reader,
    scopes: ScopesDep,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    files: FilesDep,
    version: Annotated[int | None, Query(ge=1, description="版本；省略为最新 / latest")] = None,
    reveal: Reveal = False,
) -> Response:
    found = await papers.printed(
        case_id,
        document,
        format,
        version=version,
        reveal=reveal,
        principal=principal,
        scopes=scopes,
        sessionmaker=sessionmaker,
        templates=templates,
        settings=settings,
        files=files,
    )
    disposition = f'attachment; filename="{found.filename}"'
    return Response(
        found.content, media_type=found.media_type, headers={"Content-Disposition": disposition}
    )
