"""卷宗导出: the bound file of a case as one zip for an auditor (dossier PDF, issued documents,
the case's files, manifests of hashes, ``verify.py``), recorded in the access trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.files.store import FileStore
from activities.identity.access_trail import Access
from activities.reports import dossier_model
from activities.reports.bundle import BundledDocument, temporary_bundle, write_bundle
from activities.reports.documents.templates import TemplateSet
from activities.runtime.settings import Settings
from api.access import CaseScopes, record_access
from api.services import audit, papers
from domain.people.access import Principal

BUNDLE_ENDPOINT = "GET /v1/cases/{id}/bundle"


async def issued_documents(
    case_id: str,
    *,
    principal: Principal,
    scopes: CaseScopes,
    sessionmaker: async_sessionmaker[AsyncSession],
    templates: TemplateSet,
    settings: Settings,
    files: FileStore,
) -> Sequence[BundledDocument]:
    """Every version of every 文书 issued for the case, printed as PDF for this reader (masked,
    each print recorded like any download), named by its 文号, title and version."""
    bundled: list[BundledDocument] = []
    for entry in await papers.listed(case_id, principal=principal, scopes=scopes):
        copy = await papers.printed(
            case_id,
            entry["key"],
            "pdf",
            version=entry["version"],
            reveal=False,
            principal=principal,
            scopes=scopes,
            sessionmaker=sessionmaker,
            templates=templates,
            settings=settings,
            files=files,
        )
        name = f"{entry['number']}-{entry['title']}-第{entry['version']}版.pdf"
        bundled.append(
            BundledDocument(
                path=name.replace("/", "／"),
                content=copy.content,
                title=f"{entry['title']} {entry['number']}",
                issued_content_sha256=entry["content_sha256"],
            )
        )
    return bundled


async def bundle(
    case_id: str,
    *,
    purpose: str,
    principal: Principal,
    sessionmaker: async_sessionmaker[AsyncSession],
    scopes: CaseScopes,
    settings: Settings,
    files: FileStore,
    templates: TemplateSet,
) -> Path:
    """The bundle as a temporary zip file (the caller removes it once sent)."""
    code = await scopes.ensure_reachable(principal, case_id)
    found = await audit.dossier(
        case_id,
        format="pdf",
        reveal=False,
        purpose=purpose,
        principal=principal,
        sessionmaker=sessionmaker,
        scopes=scopes,
        font_path=settings.pdf_font_path,
        files=files,
    )
    assert found.pdf is not None
    document = dossier_model.Dossier.model_validate(found.document)
    target = temporary_bundle(settings.data_dir / "bundles")
    try:
        await write_bundle(
            target,
            case_id=case_id,
            dossier_pdf=found.pdf,
            attachments=document.attachments,
            documents=await issued_documents(
                case_id,
                principal=principal,
                scopes=scopes,
                sessionmaker=sessionmaker,
                templates=templates,
                settings=settings,
                files=files,
            ),
            files=files,
            generated_at=datetime.now(UTC),
            generated_by=principal.actor,
            head_hash=document.verification.head_hash,
        )
        access = Access(case_id, code, BUNDLE_ENDPOINT, (), purpose)
        await record_access(sessionmaker, principal, [access])
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target
