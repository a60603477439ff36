"""Printing an issued document: its fields (as the reader may see them) through its template,
as PDF or .docx; and the check that a document can be printed before it is issued."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from activities.reports.documents.compose import compose
from activities.reports.documents.pdf import render_document_pdf
from activities.reports.documents.templates import TemplateSet
from activities.reports.documents.word import render_document_docx
from domain.case.documents import PROVISIONAL_NUMBER, fill
from domain.case.issued import DocumentFields, DocumentKind
from domain.case.state import CaseState

Format = Literal["pdf", "docx"]
MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def print_document(
    templates: TemplateSet,
    kind: DocumentKind,
    fields: DocumentFields,
    *,
    jurisdiction_code: str,
    masked: bool,
    format: Format,
    font_path: Path | None = None,
    images: Mapping[str, bytes] | None = None,
) -> bytes:
    """The document as ``format`` bytes; InvalidCommand names a field the template needs and
    the fields lack (a template replaced after the issue may ask for more). ``images``: the
    handwritten signatures the fields name, by SHA-256 (read from the file store)."""
    template = templates.for_case(kind, jurisdiction_code)
    laid = compose(template, fields, masked=masked)
    title = template.title or fields.document_title
    if format == "pdf":
        return render_document_pdf(
            laid, title=title, number=fields.document_number, font_path=font_path, images=images
        )
    return render_document_docx(laid, title=title, number=fields.document_number, images=images)


def check_printable(
    templates: TemplateSet, state: CaseState, kind: DocumentKind, subject: int | None
) -> None:
    """Refuse (DomainError naming the field) a document the case cannot fill or its template
    cannot print, before anything is issued or numbered."""
    fields = fill(state, kind, subject, PROVISIONAL_NUMBER)
    compose(templates.for_case(kind, state.jurisdiction.code), fields, masked=False)
