"""The papers of a case in one flow, in Chromium (issue 19's acceptance): a mediator records the
agreement, prints (issues) the 人民调解协议书, uploads the scan of the signed paper to the
agreement step, has the applicant sign on the tablet pad (the reissued 协议书 carries the
signature), records the joint application and issues the 司法确认申请书; an auditor downloads the
bound file, and the check shipped in it passes with the system's Python alone; one file altered
in the unpacked bundle, the check fails naming it."""

from __future__ import annotations

import re
import subprocess
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.console.conftest import Console, Pages, Shot
from tests.console.helpers import act, today
from tests.files import pdf
from tests.principals import bearer
from tests.samples import ACTION_PATHS, action_bodies, intake_body

pytestmark = pytest.mark.e2e

SYSTEM_PYTHON = "/usr/bin/python3"  # no Fengqiao, no virtualenv: what an auditor's machine has


async def _case_in_mediation(console: Console) -> str:
    """A dispute accepted, in mediation, one session held (set up through the API)."""
    headers = bearer(console.keys["mediator"])
    async with httpx.AsyncClient(base_url=console.url, timeout=60, headers=headers) as api:
        created = await api.post(
            "/v1/cases",
            json=intake_body(title=f"相邻通行纠纷 {uuid.uuid4().hex[:4]}"),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        case_id: str = created.json()["case_id"]
        for action in ("accept", "start_mediation", "record_session"):
            response = await api.post(
                f"/v1/cases/{case_id}/{ACTION_PATHS[action]}",
                json=action_bodies(today())[action],
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code == 200, response.text
    return case_id


async def _issue(page: Page, title: str) -> None:
    papers = page.locator("#papers")
    await papers.get_by_label("文书种类").select_option(label=title)
    await papers.get_by_role("button", name="出具文书").click()
    await expect(page.get_by_role("status")).to_have_text("已出具文书")


async def _download(page: Page, title: str, version: int, tmp_path: Path) -> Path:
    paper = page.locator("#papers-list li", has_text=title).first
    await expect(paper).to_contain_text(f"第 {version} 版")
    async with page.expect_download() as downloading:
        await paper.get_by_role("link", name="下载PDF").click()
    target = tmp_path / f"{uuid.uuid4().hex}.pdf"
    await (await downloading.value).save_as(target)
    return target


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode().translate(str.maketrans("", "", " \n\u3000"))


def _pdf_images(path: Path) -> int:
    listed = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    )
    # An image drawn with transparency comes with its mask (type "smask"): one signature.
    return sum(line.split()[2] == "image" for line in listed.stdout.splitlines()[2:])


async def _sign(page: Page, signer: str) -> None:
    """Draw a signature on the pad (a tablet's pen; here the mouse) and keep it."""
    await page.locator("#signature summary").click()
    await page.get_by_label('签名人（身份与姓名，如"申请人 张三"）').fill(signer)
    pad = page.locator("#signature-pad")
    box = await pad.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + 30, box["y"] + 60)
    await page.mouse.down()
    for step in range(1, 14):
        await page.mouse.move(box["x"] + 30 + step * 22, box["y"] + 50 + (step % 4) * 18)
    await page.mouse.up()
    await page.get_by_role("button", name="保存签名").click()
    await expect(page).to_have_url(re.compile(r"done=signed"))


def _verify(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SYSTEM_PYTHON, "-I", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


async def test_agreement_scan_confirmation_bundle_and_the_offline_check(
    console: Console, pages: Pages, shot: Shot, tmp_path: Path
) -> None:
    case_id = await _case_in_mediation(console)
    page = await pages.open(1280, 900)
    await pages.sign_in(page, "wangfang")
    await page.goto(f"{console.url}/cases/{case_id}")

    # 1. The agreement recorded on the case page.
    day = today().isoformat()
    await act(
        page,
        "agreement",
        {
            "协议内容": "李某于十日内清理通道建材，双方互不干扰通行。",
            "签订日期": day,
            "履行事项 1": "李某清理通道建材",
            "履行事项 1 的履行期限": day,
        },
    )
    await expect(page.locator("#case-stage")).to_have_text("已达成调解协议")

    # 2. The 协议书 printed: issued with its 文号, downloaded as PDF, places to sign blank.
    await _issue(page, "人民调解协议书")
    agreement = await _download(page, "人民调解协议书", 1, tmp_path)
    number = (
        await page.locator("#papers-list li", has_text="人民调解协议书")
        .locator(".doc-number")
        .inner_text()
    )
    printed = _pdf_text(agreement)
    assert number in printed
    assert "李某于十日内清理通道建材" in printed
    assert _pdf_images(agreement) == 0
    await shot(page, "01-agreement-issued")

    # 3. The signed paper, scanned, kept with the agreement step.
    files = page.locator("#files")
    await files.get_by_label("所属环节").select_option(label="调解协议")
    await files.get_by_label("文件（照片、扫描件、PDF、Word、Excel）").set_input_files(
        {"name": "协议书签字页.pdf", "mimeType": "application/pdf", "buffer": pdf() + b"%scan"}
    )
    await files.get_by_role("button", name="上传", exact=True).click()
    await expect(page).to_have_url(re.compile(rf"/cases/{case_id}\?done=attached"))
    listed = page.locator("#file-list")
    await expect(listed.get_by_role("link", name="协议书签字页.pdf")).to_be_visible()
    await expect(listed.get_by_text("调解协议", exact=True)).to_be_visible()

    # The applicant also signs on the tablet: the 协议书 issued again carries the signature
    # at 甲方's place (version 2 under the same 文号).
    await _sign(page, "申请人 张伟")
    await expect(listed.get_by_text("签名人：申请人 张伟")).to_be_visible()
    await _issue(page, "人民调解协议书")
    signed = await _download(page, "人民调解协议书", 2, tmp_path)
    assert _pdf_images(signed) == 1
    assert number in _pdf_text(signed)
    await shot(page, "02-scan-and-signature")

    # 4. The joint application for judicial confirmation, and its 申请书.
    await act(
        page,
        "judicial-confirmation",
        {"其他人民法院名称（手填）": "玄武区人民法院", "共同申请日期": day},
        selects={"人民法院": "其他（手填）"},
    )
    await expect(page.locator("#case-stage")).to_have_text("司法确认中")
    await _issue(page, "司法确认申请书")
    application = await _download(page, "司法确认申请书", 1, tmp_path)
    assert "玄武区人民法院" in _pdf_text(application)
    await shot(page, "03-confirmation-application")

    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "wangfang")
    await phone.goto(f"{console.url}/cases/{case_id}#papers")
    for title in ("人民调解协议书", "司法确认申请书"):
        await expect(phone.locator("#papers-list")).to_contain_text(title)
    await shot(phone, "04-papers-390")
    await phone.goto(f"{console.url}/cases/{case_id}#files")
    await shot(phone, "05-files-390")

    # 5. The auditor downloads the bound file.
    auditor = await pages.open(1280, 900)
    await pages.sign_in(auditor, "wuming")
    await auditor.goto(f"{console.url}/audit/cases/{case_id}")
    await auditor.get_by_label("查阅用途（必填，记入访问留痕）").fill("司法确认前核查卷宗")
    async with auditor.expect_download() as downloading:
        await auditor.get_by_role("button", name="导出卷宗包（含证据材料）").click()
    bundle = tmp_path / "bundle.zip"
    await (await downloading.value).save_as(bundle)
    await shot(auditor, "06-auditor")
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        (tmp_path / "verify.py").write_bytes(archive.read("verify.py"))
        unpacked = tmp_path / "unpacked"
        archive.extractall(unpacked)
    papers = sorted(n for n in names if n.startswith("documents/"))
    assert [re.sub(r"^documents/（\d{4}）\S+?第\d+号-", "", n) for n in papers] == [
        "人民调解协议书-第1版.pdf",
        "人民调解协议书-第2版.pdf",
        "司法确认申请书-第1版.pdf",
    ]
    assert sum(n.startswith("attachments/") for n in names) == 2  # the scan, the signature

    # 6. The offline check, with the system's Python and nothing else: the zip, then the
    # unpacked folder (verify.py run inside it checks its own folder).
    checked = _verify(str(tmp_path / "verify.py"), str(bundle), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "核验通过：6 个文件完整" in checked.stdout
    inside = _verify("verify.py", cwd=unpacked)
    assert inside.returncode == 0, inside.stdout + inside.stderr

    # 7. One file altered in the unpacked bundle: the check fails and names it (and only it).
    scan = next(n for n in names if n.startswith("attachments/") and n.endswith(".pdf"))
    target = unpacked / scan
    target.write_bytes(target.read_bytes().replace(b"%scan", b"%SCAN"))
    tampered = _verify("verify.py", cwd=unpacked)
    assert tampered.returncode == 1, tampered.stdout
    assert f"文件被改动 {scan}" in tampered.stdout
    assert tampered.stdout.count("文件被改动") == 1
    assert "核验未通过：1 处问题" in tampered.stdout
