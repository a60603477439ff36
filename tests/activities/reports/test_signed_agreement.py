"""手写签名 on the 人民调解协议书: the signatures captured on the tablet pad (attachments of the
agreement step) are printed at the parties' and mediators' places, each over its signer's name,
in the PDF (read back with pdfimages and pdftohtml's positions) and in the .docx; a signer the
case does not know, a withdrawn signature and one from before the agreement are left out; with
no signature the places stay blank and the document's hash is what it was before signatures."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from docx import Document
from PIL import Image, ImageDraw

from activities.reports.documents.printing import print_document
from activities.reports.documents.templates import load_templates
from activities.reports.documents.word import docx_text
from domain.case import commands as c
from domain.case.attachments import AddAttachment, AttachmentStep, WithdrawAttachment
from domain.case.decide import decide
from domain.case.documents import canonical_json, issue_bodies
from domain.case.events import DocumentIssued
from domain.case.evolve import fold
from domain.case.issued import DocumentKind
from domain.case.state import CaseState
from tests.activities.reports.documents_support import DISPUTE_AGREED, NUMBER, build
from tests.samples import T0, command

TEMPLATES = load_templates()


def _png(width: int, height: int, colour: str) -> bytes:
    """A drawn stroke on white, ``width``×``height`` pixels (the size tells the images apart)."""
    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).line([(10, height - 20), (width - 10, 20)], fill=colour, width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# signer as typed on the pad → (image, the name printed under it, the place's label)
ZHANG = _png(600, 220, "navy")
LI = _png(400, 220, "black")
WANG = _png(300, 200, "darkred")
STRANGER = _png(500, 200, "green")
EARLY = _png(200, 200, "purple")


def _apply(state: CaseState, command: c.Command, minutes: int) -> CaseState:
    envelope = c.CommandEnvelope(command_id=f"s{minutes}", actor="王芳 (wangfang)", command=command)
    return fold(decide(state, envelope, now=T0 + timedelta(minutes=minutes)), state)


def _signature(state: CaseState, signer: str, image: bytes, minutes: int, n: int) -> CaseState:
    sha256 = hashlib.sha256(image).hexdigest()
    add = AddAttachment(
        attachment_id=f"signature{n:03d}",
        step=AttachmentStep.AGREEMENT,
        name=f"签名-{signer}.png",
        media_type="image/png",
        size=len(image),
        sha256=sha256,
        signer=signer,
    )
    return _apply(state, add, minutes)


def _signed_case() -> tuple[CaseState, dict[str, bytes]]:
    """Agreed, then signed by 张伟 (applicant), 李娜 (respondent), 王芳 (mediator); a stranger's
    signature and a withdrawn one of 赵强 are kept but not printed."""
    base = build(["accept", "start_mediation", "record_session"])
    state = _signature(base, "申请人 张伟", EARLY, 30, 0)  # before the agreement: not its own
    state = _apply(state, command("record_agreement"), 31)
    signed = [
        ("申请人 张伟", ZHANG),
        ("被申请人 李娜", LI),
        ("调解员王芳", WANG),
        ("旁听人 陈某", STRANGER),
        ("调解员 赵强", EARLY),
    ]
    for n, (signer, image) in enumerate(signed, start=1):
        state = _signature(state, signer, image, 40 + n, n)
    state = _apply(state, WithdrawAttachment(attachment_id="signature005", reason="签错"), 50)
    images = {hashlib.sha256(i).hexdigest(): i for i in (ZHANG, LI, WANG, STRANGER, EARLY)}
    return state, images


def _issued(state: CaseState, *, signatures: bool = True) -> DocumentIssued:
    (body,) = issue_bodies(state, DocumentKind.AGREEMENT, None, NUMBER, signatures=signatures)
    return body


def _print(body: DocumentIssued, images: dict[str, bytes], format: str) -> bytes:
    return print_document(
        TEMPLATES,
        body.kind,
        body.fields,
        jurisdiction_code="320102",
        masked=False,
        format=format,  # type: ignore[arg-type]
        images=images,
    )


@dataclass(frozen=True)
class Box:
    top: float
    left: float
    width: float
    height: float
    text: str = ""


def _layout(pdf: bytes, tmp_path: Path) -> tuple[list[Box], list[Box]]:
    """(images, words) of the PDF's pages with their places, as pdftohtml reads them."""
    path = tmp_path / "agreement.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftohtml", "-xml", "-q", str(path), str(tmp_path / "layout")], check=True)
    root = ET.parse(tmp_path / "layout.xml").getroot()
    images, words = [], []
    offset = 0.0
    for page in root.iter("page"):
        for node in page:
            box = Box(
                top=offset + float(node.get("top", 0)),
                left=float(node.get("left", 0)),
                width=float(node.get("width", 0)),
                height=float(node.get("height", 0)),
                text="".join(node.itertext()),
            )
            (images if node.tag == "image" else words).append(box)
        offset += float(page.get("height", 0))
    return images, words


def _image_sizes(pdf: bytes, tmp_path: Path) -> list[tuple[int, int]]:
    path = tmp_path / "sizes.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return sorted((int(line.split()[3]), int(line.split()[4])) for line in listed)


def test_the_signatures_are_in_the_pdf_at_their_signers_places(tmp_path: Path) -> None:
    state, images = _signed_case()
    body = _issued(state)
    assert [(m.place, m.name) for m in body.fields.signatures] == [
        ("applicants", "张伟"),
        ("respondents", "李娜"),
        ("mediators", "王芳"),
    ]
    pdf = _print(body, images, "pdf")
    # Exactly the three signatures kept for this agreement, at full resolution.
    assert _image_sizes(pdf, tmp_path) == [(300, 200), (400, 220), (600, 220)]

    found, words = _layout(pdf, tmp_path)
    assert len(found) == 3

    def label(prefix: str) -> Box:
        return next(w for w in words if w.text.startswith(prefix))

    def under(image: Box) -> str:
        """The words printed right below an image, within its width (the signer's name)."""
        below = [
            w
            for w in words
            if image.top + image.height - 2 <= w.top <= image.top + image.height + 20
            and w.left + w.width > image.left
            and w.left < image.left + image.width
        ]
        return "".join(w.text for w in below).replace(" ", "")

    # Each image lies on its place's row, right of the label, the aspect of what was drawn.
    by_aspect = sorted(found, key=lambda b: b.width / b.height, reverse=True)
    zhang, li, wang = by_aspect  # 600/220 > 400/220 > 300/200
    for image, place, name in (
        (zhang, "甲方（签名或盖章）", "张伟"),
        (li, "乙方（签名或盖章）", "李娜"),
        (wang, "人民调解员（签名）", "王芳"),
    ):
        row = label(place)
        assert image.top <= row.top + row.height, place
        assert row.top <= image.top + image.height + 14, place
        assert image.left > row.left + row.width - 5, place
        assert under(image) == name, place
    assert zhang.top < li.top < wang.top
    text = "".join(w.text for w in words)
    assert "陈某" not in text  # a signer the case does not know: kept, not printed
    assert "赵强" in text  # as a mediator named in the agreement, but his withdrawn signature…
    assert not any(under(i) == "赵强" for i in found)  # …is not printed
    # The day of signing printed beside the signatures; no blank line left at a signed place.
    assert len(re.findall("(?<!签订)日期：2026年3月2日", text)) == 3
    assert "＿＿＿＿年" not in text


def test_the_docx_carries_the_signatures_by_name(tmp_path: Path) -> None:
    state, images = _signed_case()
    word = _print(_issued(state), images, "docx")
    document = Document(io.BytesIO(word))
    assert len(document.inline_shapes) == 3
    text = docx_text(word)
    assert re.search(r"甲方（签名或盖章）：（张伟）\s*日期：2026年3月2日", text), text
    assert re.search(r"乙方（签名或盖章）：（李娜）", text)
    assert re.search(r"人民调解员（签名）：（王芳）", text)
    embedded = {
        hashlib.sha256(part.blob).hexdigest()
        for part in document.part.package.parts
        if part.partname.startswith("/word/media/")
    }
    assert embedded == {hashlib.sha256(i).hexdigest() for i in (ZHANG, LI, WANG)}


def test_without_signatures_the_places_stay_blank(tmp_path: Path) -> None:
    state = build(DISPUTE_AGREED)
    body = _issued(state)
    assert body.fields.signatures == ()
    pdf = _print(body, {}, "pdf")
    assert _image_sizes(pdf, tmp_path) == []
    _, words = _layout(pdf, tmp_path)
    text = "".join(w.text for w in words)
    for place in ("甲方（签名或盖章）：＿", "乙方（签名或盖章）：＿", "人民调解员（签名）：＿"):
        assert place in text
    word = _print(body, {}, "docx")
    assert len(Document(io.BytesIO(word)).inline_shapes) == 0
    # An agreement without signatures hashes as it did before they were printed.
    assert '"signatures"' not in canonical_json(body.kind, body.subject, body.fields)
    assert body.content_sha256 == _issued(state, signatures=False).content_sha256


def test_an_image_missing_from_the_store_leaves_its_place_blank(tmp_path: Path) -> None:
    state, images = _signed_case()
    body = _issued(state)
    only_zhang = {hashlib.sha256(ZHANG).hexdigest(): ZHANG}
    pdf = _print(body, only_zhang, "pdf")
    assert _image_sizes(pdf, tmp_path) == [(600, 220)]


def test_signing_after_the_issue_makes_a_new_version_under_the_same_number() -> None:
    state = build(DISPUTE_AGREED)
    first = _issued(state)
    state = _apply(state, c.IssueDocument(kind=DocumentKind.AGREEMENT, number=NUMBER), 60)
    assert issue_bodies(state, DocumentKind.AGREEMENT, None, None, signatures=True) == []
    state = _signature(state, "申请人 张伟", ZHANG, 61, 1)
    (second,) = issue_bodies(state, DocumentKind.AGREEMENT, None, None, signatures=True)
    assert second.version == 2
    assert second.number == first.number
    assert second.content_sha256 != first.content_sha256
    assert [m.name for m in second.fields.signatures] == ["张伟"]
    # An issue recorded before signatures were printed replays as it ran: a reprint, unsigned.
    assert issue_bodies(state, DocumentKind.AGREEMENT, None, None, signatures=False) == []
