"""证据材料 in the console: a mediator uploads the signed agreement's scan to the agreement step
and captures a signature on the tablet pad; on a phone the camera input is offered; an auditor
exports the bound file (卷宗导出包) and the check shipped in it passes offline."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests.api.helpers import act
from tests.console.conftest import Console, Pages, Shot
from tests.files import pdf
from tests.principals import bearer
from tests.samples import intake_body

pytestmark = pytest.mark.e2e


async def _agreed_case(console: Console) -> str:
    headers = bearer(console.keys["mediator"])
    async with httpx.AsyncClient(base_url=console.url, timeout=60, headers=headers) as api:
        created = await api.post(
            "/v1/cases",
            json=intake_body(title=f"相邻通行纠纷 {uuid.uuid4().hex[:4]}"),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        case_id: str = created.json()["case_id"]
        for action in ("accept", "start_mediation", "record_session", "record_agreement"):
            response = await act(api, case_id, action)
            assert response.status_code == 200, response.text
        issued = await api.post(  # the 协议书 printed (the console's 文书 section does the same)
            f"/v1/cases/{case_id}/documents",
            json={"kind": "agreement"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert issued.status_code == 201, issued.text
    return case_id


async def test_a_signed_scan_and_a_signature_are_kept_and_the_bundle_checks_out(
    console: Console, pages: Pages, shot: Shot, tmp_path: Path
) -> None:
    case_id = await _agreed_case(console)
    page = await pages.open(1280, 900)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{console.url}/cases/{case_id}")
    files = page.locator("#files")
    await expect(files.get_by_text("暂无材料。")).to_be_visible()

    # The signed paper agreement, scanned: attached to the agreement step.
    scan = pdf() + uuid.uuid4().bytes
    await files.get_by_label("所属环节").select_option(label="调解协议")
    await files.get_by_label("文件（照片、扫描件、PDF、Word、Excel）").set_input_files(
        {"name": "协议书签字页.pdf", "mimeType": "application/pdf", "buffer": scan}
    )
    await files.get_by_role("button", name="上传", exact=True).click()
    await expect(page).to_have_url(re.compile(rf"/cases/{case_id}\?done=attached"))
    listed = page.locator("#file-list")
    await expect(listed.get_by_role("link", name="协议书签字页.pdf")).to_be_visible()
    await expect(listed.get_by_text("调解协议", exact=True)).to_be_visible()

    # A signature drawn on the pad (a tablet's pen: here the mouse), kept with the signer.
    await page.locator("#signature summary").click()
    await page.get_by_label('签名人（身份与姓名，如"申请人 张三"）').fill("申请人 张伟")
    pad = page.locator("#signature-pad")
    box = await pad.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + 30, box["y"] + 60)
    await page.mouse.down()
    for step in range(1, 12):
        await page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 60 + (step % 3) * 20)
    await page.mouse.up()
    await page.get_by_role("button", name="保存签名").click()
    await expect(page).to_have_url(re.compile(r"done=signed"))
    await expect(listed.get_by_text("签名人：申请人 张伟")).to_be_visible()
    await shot(page, "01-files-1280")

    # On a phone: the camera input is there, the list reads in one column.
    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "wangfang")
    await phone.goto(f"{console.url}/cases/{case_id}#files")
    camera = phone.get_by_label("现场拍照（手机相机）")
    await expect(camera).to_have_attribute("capture", "environment")
    await expect(camera).to_have_attribute("accept", "image/*")
    await shot(phone, "02-files-390")

    # The auditor exports the bound file; the script inside it checks it with Python alone.
    auditor = await pages.open(1280, 900)
    await pages.sign_in(auditor, "wuming")
    await auditor.goto(f"{console.url}/audit/cases/{case_id}")
    await auditor.get_by_label("查阅用途（必填，记入访问留痕）").fill("归档前核查卷宗")
    async with auditor.expect_download() as downloading:
        await auditor.get_by_role("button", name="导出卷宗包（含证据材料）").click()
    bundle = tmp_path / "bundle.zip"
    await (await downloading.value).save_as(bundle)
    with zipfile.ZipFile(bundle) as archive:
        (tmp_path / "verify.py").write_bytes(archive.read("verify.py"))
        names = archive.namelist()
    assert "dossier.pdf" in names
    assert sum(n.startswith("documents/") for n in names) == 1  # the issued 协议书
    assert sum(n.startswith("attachments/") for n in names) == 2  # the scan and the signature
    checked = subprocess.run(
        [sys.executable, "-I", str(tmp_path / "verify.py"), str(bundle)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert "核验通过：4 个文件完整" in checked.stdout
