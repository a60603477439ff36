"""证据材料 through the API, on both stores (the ``stack`` backends) and both file stores (a folder,
and an S3-compatible server the test starts on loopback): upload checked by content and size,
stored by hash, read only within reach, every download recorded, withdrawn never deleted, the
hash proved by ``audit verify``."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from activities.files.store import FileStore, FolderStore, S3Store, file_store
from api.access import CaseScopes
from api.app import create_app
from api.cli.audit import verify_cli
from api.errors import ApiError
from api.gateway import send_command
from api.services import attachments
from domain.case.attachments import AddAttachment, AttachmentStep
from domain.case.commands import CommandEnvelope
from tests import files as samples
from tests.api.helpers import act, create_case
from tests.conftest import Stack
from tests.principals import USERS, bearer
from tests.samples import intake_body
from worker import WORKFLOWS
from worker import main as main_cli

FILE_STORES = ("folder", "s3")


@pytest.fixture(scope="module", params=FILE_STORES)
async def world(
    request: pytest.FixtureRequest, stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, Any]]:
    """The app over the backend's stack with the file store ``param``; clients by user name."""
    data_dir = tmp_path_factory.mktemp("data")
    update: dict[str, Any] = {"data_dir": data_dir, "max_upload_bytes": 2 * 1024 * 1024}
    endpoint_cm = samples.s3_server() if request.param == "s3" else None
    if endpoint_cm is not None:
        endpoint = endpoint_cm.__enter__()
        update |= {
            "file_store": "s3",
            "s3_endpoint_url": endpoint,
            "s3_bucket": f"files-{uuid.uuid4().hex[:8]}",
            "s3_access_key_id": "test",
            "s3_secret_access_key": SecretStr("test"),
        }
    settings = stack.settings.model_copy(update=update)
    store = file_store(settings)
    if isinstance(store, S3Store):
        store.client.create_bucket(Bucket=settings.s3_bucket)
    app = create_app(settings, temporal=stack.client, workflows=WORKFLOWS)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        clients = {
            name: httpx.AsyncClient(
                transport=transport, base_url="http://fengqiao.test", headers=bearer(key)
            )
            for name, key in stack.keys.items()
        }
        yield {"clients": clients, "store": store, "settings": settings, "kind": request.param}
        for client in clients.values():
            await client.aclose()
    if endpoint_cm is not None:
        endpoint_cm.__exit__(None, None, None)


def _stored(store: FileStore) -> list[str]:
    """Every object the file store holds (names are hashes)."""
    if isinstance(store, FolderStore):
        return sorted(p.name for p in store.root.rglob("*") if p.is_file())
    listed = store.client.list_objects_v2(Bucket=store.bucket)  # type: ignore[attr-defined]
    return sorted(o["Key"] for o in listed.get("Contents", ()))


async def _upload(
    client: httpx.AsyncClient,
    case_id: str,
    data: bytes,
    filename: str,
    media_type: str,
    step: str = "agreement",
    **fields: str,
) -> httpx.Response:
    return await client.post(
        f"/v1/cases/{case_id}/attachments",
        files={"file": (filename, data, media_type)},
        data={"step": step, **fields},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


async def test_a_signed_scan_is_kept_by_hash_on_the_case_and_downloaded_within_reach(
    world: dict[str, Any],
) -> None:
    mediator = world["clients"]["mediator"]
    case = await create_case(mediator)
    scan = samples.pdf()
    response = await _upload(mediator, case["case_id"], scan, "协议书签字页.pdf", "application/pdf")
    assert response.status_code == 201, response.text
    added = response.json()
    assert added["sha256"] == hashlib.sha256(scan).hexdigest()
    assert (added["step"], added["media_type"], added["size"]) == (
        "agreement",
        "application/pdf",
        len(scan),
    )
    listed = (await mediator.get(f"/v1/cases/{case['case_id']}/attachments")).json()
    assert [(a["name"], a["step_label"]) for a in listed] == [("协议书签字页.pdf", "调解协议")]
    got = await mediator.get(f"/v1/cases/{case['case_id']}/attachments/{added['attachment_id']}")
    assert got.status_code == 200
    assert got.content == scan
    # A mediator of another organisation: the file does not exist for them.
    other = world["clients"]["other_mediator"]
    refused = await other.get(f"/v1/cases/{case['case_id']}/attachments/{added['attachment_id']}")
    assert refused.status_code == 404
    assert refused.content != scan
    # The download is in the access trail.
    auditor = world["clients"]["auditor"]
    trail = await auditor.get(
        "/v1/audit/access-trail", params={"case_id": case["case_id"], "purpose": "核查下载"}
    )
    assert trail.status_code == 200, trail.text
    entries = trail.json()["items"]
    downloads = [
        e
        for e in entries
        if e["endpoint"].startswith("GET /v1/cases/{id}/attachments/")
        and e["principal_id"] == "wangfang"
    ]
    assert downloads, entries


async def test_a_photo_gets_a_thumbnail_without_its_gps(world: dict[str, Any]) -> None:
    mediator = world["clients"]["mediator"]
    case = await create_case(mediator)
    photo = samples.jpeg_with_gps()
    assert b"Exif" in photo
    response = await _upload(mediator, case["case_id"], photo, "现场.jpg", "image/jpeg", "session")
    assert response.status_code == 201, response.text
    added = response.json()
    thumb = await mediator.get(
        f"/v1/cases/{case['case_id']}/attachments/{added['attachment_id']}",
        params={"thumbnail": "true"},
    )
    assert thumb.status_code == 200
    assert thumb.content.startswith(b"\xff\xd8")
    assert b"Exif" not in thumb.content
    assert b"PhoneMaker" not in thumb.content


async def test_a_file_whose_content_is_not_its_claimed_type_is_refused_and_not_stored(
    world: dict[str, Any],
) -> None:
    mediator = world["clients"]["mediator"]
    case = await create_case(mediator)
    before = _stored(world["store"])
    disguised = await _upload(
        mediator, case["case_id"], samples.png(), "协议.pdf", "application/pdf"
    )
    assert disguised.status_code == 422, disguised.text
    assert disguised.json()["field"] == "file"
    script = await _upload(mediator, case["case_id"], b"MZ\x90\x00evil", "a.pdf", "application/pdf")
    assert script.status_code == 422
    fake_zip = await _upload(
        mediator,
        case["case_id"],
        b"PK\x03\x04not really a zip",
        "x.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    assert fake_zip.status_code == 422
    ok_docx = await _upload(
        mediator,
        case["case_id"],
        samples.docx(),
        "笔录.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "session",
    )
    assert ok_docx.status_code == 201, ok_docx.text
    after = _stored(world["store"])
    assert len(after) == len(before) + 1  # only the real .docx
    listed = (await mediator.get(f"/v1/cases/{case['case_id']}/attachments")).json()
    assert [a["name"] for a in listed] == ["笔录.docx"]


async def test_an_upload_over_the_limit_is_refused_before_it_is_stored(
    world: dict[str, Any],
) -> None:
    mediator = world["clients"]["mediator"]
    case = await create_case(mediator)
    before = _stored(world["store"])
    limit = world["settings"].max_upload_bytes
    big = samples.pdf() + b"0" * limit
    response = await _upload(mediator, case["case_id"], big, "大文件.pdf", "application/pdf")
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "payload_too_large"
    assert _stored(world["store"]) == before
    assert (await mediator.get(f"/v1/cases/{case['case_id']}/attachments")).json() == []
    spooled = Path(world["settings"].data_dir) / "uploads"
    assert not any(spooled.iterdir())  # no temporary file left behind


async def test_a_withdrawn_file_is_marked_with_its_reason_and_still_kept(
    world: dict[str, Any],
) -> None:
    mediator = world["clients"]["mediator"]
    case = await create_case(mediator)
    added = (
        await _upload(mediator, case["case_id"], samples.png(), "错传.png", "image/png", "case")
    ).json()
    path = f"/v1/cases/{case['case_id']}/attachments/{added['attachment_id']}"
    response = await mediator.post(
        f"{path}/withdraw",
        json={"reason": "上传错误"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 200, response.text
    listed = (await mediator.get(f"/v1/cases/{case['case_id']}/attachments")).json()
    assert [(a["withdrawn"], a["withdrawn_reason"]) for a in listed] == [(True, "上传错误")]
    assert (await mediator.get(path)).content == samples.png()
    again = await mediator.post(
        f"{path}/withdraw", json={"reason": "再撤"}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert again.status_code == 422
    assert again.json()["field"] == "attachment_id"


def _tamper(store: FileStore, sha256: str, data: bytes | None) -> None:
    """Change (``data``) or remove (None) what the store holds under ``sha256``, behind its back."""
    if isinstance(store, FolderStore):
        path = store.path_of(sha256)
        if data is None:
            path.unlink()
        else:
            path.write_bytes(data)
        return
    s3 = store  # type: ignore[unreachable]
    if data is None:
        s3.client.delete_object(Bucket=s3.bucket, Key=s3.key(sha256))
    else:
        s3.client.put_object(Bucket=s3.bucket, Key=s3.key(sha256), Body=data)


async def test_audit_verify_names_a_tampered_file_and_a_missing_one(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    mediator = world["clients"]["mediator"]
    case_id = (await create_case(mediator))["case_id"]
    scan = samples.pdf() + uuid.uuid4().bytes  # a file of this test only
    kept = samples.docx() + uuid.uuid4().bytes  # a zip read from its end: still a docx
    for data, name in ((scan, "协议书扫描件.pdf"), (kept, "笔录.docx")):
        media = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
        assert (await _upload(mediator, case_id, data, name, media)).status_code == 201
    auditor = world["clients"]["auditor"]
    params = {"purpose": "核验证据材料"}
    intact = (await auditor.get(f"/v1/cases/{case_id}/verify", params=params)).json()
    assert (intact["ok"], intact["files_checked"], intact["file_problems"]) == (True, 2, [])

    _tamper(world["store"], hashlib.sha256(scan).hexdigest(), scan.replace(b"1.4", b"1.7"))
    _tamper(world["store"], hashlib.sha256(kept).hexdigest(), None)
    report = (await auditor.get(f"/v1/cases/{case_id}/verify", params=params)).json()
    assert report["ok"] is False
    assert report["chain_ok"] is True  # the chain itself is intact: the files are not
    assert sorted((p["name"], p["problem"]) for p in report["file_problems"]) == [
        ("协议书扫描件.pdf", "altered"),
        ("笔录.docx", "missing"),
    ]
    # The command line says the same, by name, and exits 1.
    status = await verify_cli(world["settings"], (case_id,), every=False)
    printed = capsys.readouterr().out
    assert status == 1
    assert "材料「协议书扫描件.pdf」内容被改动" in printed
    assert "材料「笔录.docx」缺失" in printed


async def test_a_grid_worker_adds_photos_to_what_they_reported_only(
    world: dict[str, Any],
) -> None:
    grid_worker = world["clients"]["grid_worker"]
    reported = await grid_worker.post("/v1/cases", json=intake_body(risk_level="major"))
    assert reported.status_code == 201, reported.text
    case_id = reported.json()["case_id"]
    photo = samples.jpeg_with_gps((320, 240))
    added = await _upload(grid_worker, case_id, photo, "现场.jpg", "image/jpeg", "report")
    assert added.status_code == 201, added.text
    assert added.json()["uploader"].startswith("王小明")
    elsewhere = await _upload(grid_worker, case_id, photo, "现场.jpg", "image/jpeg", "agreement")
    assert elsewhere.status_code == 422
    assert elsewhere.json()["field"] == "step"
    others = await create_case(world["clients"]["mediator"])
    not_theirs = await _upload(
        grid_worker, others["case_id"], photo, "现场.jpg", "image/jpeg", "report"
    )
    assert not_theirs.status_code == 404
    leader = world["clients"]["county_leader"]
    listed = (await leader.get(f"/v1/cases/{case_id}/attachments")).json()
    assert [(a["step_label"], a["media_type"]) for a in listed] == [("网格员上报", "image/jpeg")]


async def test_an_auditor_downloads_the_bound_file_and_checks_it_offline(
    world: dict[str, Any], tmp_path: Path
) -> None:
    mediator = world["clients"]["mediator"]
    case_id = (await create_case(mediator))["case_id"]
    for action in ("accept", "start_mediation", "record_session", "record_agreement"):
        assert (await act(mediator, case_id, action)).status_code == 200
    issued = await mediator.post(
        f"/v1/cases/{case_id}/documents",
        json={"kind": "agreement"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert issued.status_code == 201, issued.text
    scan = samples.pdf() + uuid.uuid4().bytes
    photo = samples.jpeg_with_gps((200, 100))
    await _upload(mediator, case_id, scan, "协议书签字页.pdf", "application/pdf")
    await _upload(mediator, case_id, photo, "现场.jpg", "image/jpeg", "session")
    # Only an auditor, with a purpose, gets the bundle.
    refused = await mediator.get(f"/v1/cases/{case_id}/bundle", params={"purpose": "归档"})
    assert refused.status_code == 403
    auditor = world["clients"]["auditor"]
    response = await auditor.get(f"/v1/cases/{case_id}/bundle", params={"purpose": "归档核查"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(response.content)
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        assert {"dossier.pdf", "MANIFEST.txt", "verify.py"} <= names
        kept = {e["title"]: e for e in manifest["files"] if e["kind"] == "attachment"}
        assert kept["协议书签字页.pdf"]["sha256"] == hashlib.sha256(scan).hexdigest()
        assert kept["现场.jpg"]["sha256"] == hashlib.sha256(photo).hexdigest()
        assert all(e["matches_record"] for e in kept.values())
        # The issued 协议书, named by its 文号, with the hash its issuing event recorded.
        papers = [e for e in manifest["files"] if e["kind"] == "document"]
        number = issued.json()["number"]
        assert [p["path"] for p in papers] == [f"documents/{number}-人民调解协议书-第1版.pdf"]
        assert papers[0]["issued_content_sha256"] == issued.json()["content_sha256"]
        assert archive.read(papers[0]["path"]).startswith(b"%PDF")
        (tmp_path / "verify.py").write_bytes(archive.read("verify.py"))
    # The dossier inside lists each file with its hash.
    dossier = await auditor.get(f"/v1/cases/{case_id}/dossier", params={"purpose": "归档核查"})
    listed = {a["name"]: a["sha256"] for a in dossier.json()["attachments"]}
    assert listed == {t: e["sha256"] for t, e in kept.items()}
    # The script shipped in the bundle checks it with nothing but Python (no Fengqiao).
    checked = subprocess.run(
        [sys.executable, "-I", str(tmp_path / "verify.py"), str(bundle)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert "核验通过：4 个文件完整" in checked.stdout
    # A byte changed in a bundled file: named, exit 1 (the script and the command line).
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == kept["协议书签字页.pdf"]["path"]:
                data = data.replace(b"%PDF-1.4", b"%PDF-1.7")
            out.writestr(info, data)
    again = subprocess.run(
        [sys.executable, "-I", str(tmp_path / "verify.py"), str(tampered)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1
    assert f"文件被改动 {kept['协议书签字页.pdf']['path']}" in again.stdout
    assert main_cli(["audit", "verify-bundle", str(tampered)]) == 1
    assert main_cli(["audit", "verify-bundle", str(bundle)]) == 0
    # The download is in the access trail.
    trail = await auditor.get(
        "/v1/audit/access-trail", params={"case_id": case_id, "purpose": "核查导出"}
    )
    assert "GET /v1/cases/{id}/bundle" in [e["endpoint"] for e in trail.json()["items"]]


async def test_a_signature_drawn_after_the_issue_prints_on_the_next_version(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """手写签名 through the API: the PNG kept with the agreement step (in either file store) is
    printed on the 协议书 reissued after it (version 2, same 文号); version 1 stays unsigned."""
    mediator = world["clients"]["mediator"]
    case_id = (await create_case(mediator))["case_id"]
    for action in ("accept", "start_mediation", "record_session", "record_agreement"):
        assert (await act(mediator, case_id, action)).status_code == 200

    async def issue() -> httpx.Response:
        return await mediator.post(
            f"/v1/cases/{case_id}/documents",
            json={"kind": "agreement"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )

    def images_in(pdf: bytes) -> list[str]:
        path = tmp_path / f"{uuid.uuid4().hex}.pdf"
        path.write_bytes(pdf)
        listed = subprocess.run(
            ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
        )
        return [" ".join(line.split()[3:5]) for line in listed.stdout.splitlines()[2:]]

    first = await issue()
    assert first.status_code == 201, first.text
    signature = samples.png()  # 64×32
    added = await _upload(
        mediator, case_id, signature, "签名.png", "image/png", signer="申请人 张伟"
    )
    assert added.status_code == 201, added.text
    second = await issue()
    assert second.status_code == 201, second.text
    assert (second.json()["version"], second.json()["number"]) == (2, first.json()["number"])
    signed = await mediator.get(second.json()["pdf"])
    assert signed.status_code == 200
    assert images_in(signed.content) == ["64 32"]
    unsigned = await mediator.get(first.json()["pdf"])
    assert images_in(unsigned.content) == []
    # Reissued again with nothing changed: a reprint, same version.
    assert (await issue()).status_code == 200


async def test_a_grid_worker_reads_the_photos_of_their_report_and_nothing_else(
    world: dict[str, Any], stack: Stack
) -> None:
    """A grid worker opens their report's photos (the list shows them); a file of another
    step of the same case is not theirs to open: 404 as if it did not exist."""
    grid_worker = world["clients"]["grid_worker"]
    reported = await grid_worker.post("/v1/cases", json=intake_body())
    assert reported.status_code == 201, reported.text
    case_id = reported.json()["case_id"]
    photo = samples.jpeg_with_gps((320, 240))
    added = await _upload(grid_worker, case_id, photo, "现场.jpg", "image/jpeg", "report")
    assert added.status_code == 201, added.text
    status = (await grid_worker.get(f"/v1/cases/{case_id}")).json()
    assert [p["name"] for p in status["photos"]] == ["现场.jpg"]
    # A file of the 调解 step, added to the same case by its handling organisation (sent as the
    # engine would receive it: no user of that organisation signs in here).
    store: FileStore = world["store"]
    record = samples.pdf() + b"%session"
    await store.put_bytes(record, hashlib.sha256(record).hexdigest())
    session_file = AddAttachment(
        attachment_id=uuid.uuid4().hex,
        step=AttachmentStep.SESSION,
        name="调解笔录.pdf",
        media_type="application/pdf",
        size=len(record),
        sha256=hashlib.sha256(record).hexdigest(),
    )
    envelope = CommandEnvelope(
        command_id=str(uuid.uuid4()), actor="大行宫社区人民调解委员会", command=session_file
    )
    await send_command(
        stack.client,
        stack.sessionmaker,
        world["settings"],
        case_id=case_id,
        envelope=envelope,
        now=datetime.now(UTC),
    )
    scopes = CaseScopes(stack.sessionmaker, stack.client)

    async def opened(attachment_id: str) -> bytes:
        _, chunks = await attachments.download(
            case_id,
            attachment_id,
            thumbnail=False,
            purpose=None,
            principal=USERS["grid_worker"],
            scopes=scopes,
            sessionmaker=stack.sessionmaker,
            files=store,
        )
        return b"".join(chunks)

    assert await opened(added.json()["attachment_id"]) == photo
    with pytest.raises(ApiError) as refused:
        await opened(session_file.attachment_id)
    assert refused.value.status == 404
    leader = world["clients"]["county_leader"]
    listed = (await leader.get(f"/v1/cases/{case_id}/attachments")).json()
    assert sorted(a["step"] for a in listed) == ["report", "session"]  # it is there
