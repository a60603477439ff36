"""手写签名 on the 人民调解协议书: which signature images captured on the tablet pad go to which
place to sign.

A signature is a PNG or JPEG attachment of the agreement step with its signer named (``申请人
张伟``). It is printed at the place of the person it names: an applicant's at 甲方, a
respondent's at 乙方, a mediator's at 人民调解员, matched by the name the case recorded (the
longest name found in the signer's words wins, so 张伟 does not take 张伟明's). A signer the
case does not know by name is not printed (the file stays with the case). Only signatures added
after the agreement was recorded (and before a later agreement) belong to it; a withdrawn one is
left out; the latest of one person replaces their earlier one.

What a drawn signature is worth in law is said in docs/documents.md: it is an image of a
signature, kept with its hash on the case's chain; it does not replace signing or sealing the
paper agreement (人民调解法第二十九条) nor the committee's stamp.
"""

from __future__ import annotations

from datetime import datetime

from domain.case.attachments import Attachment, AttachmentStep
from domain.case.issued import SignatureMark, SignaturePlace
from domain.case.state import Agreement, CaseState
from domain.values import china_date

SIGNATURE_TYPES = frozenset({"image/png", "image/jpeg"})


def _people(state: CaseState) -> list[tuple[str, SignaturePlace]]:
    mediators = state.mediation.mediators if state.mediation is not None else ()
    people: list[tuple[str, SignaturePlace]] = [(p.name, "applicants") for p in state.applicants]
    people += [(p.name, "respondents") for p in state.respondents]
    people += [(name, "mediators") for name in mediators]
    return people


def _whose(signer: str, people: list[tuple[str, SignaturePlace]]) -> tuple[str, SignaturePlace]:
    found = [(name, place) for name, place in people if name and name in signer]
    return max(found, key=lambda p: len(p[0])) if found else ("", "applicants")


def _belongs(attachment: Attachment, start: datetime, end: datetime | None) -> bool:
    at = datetime.fromisoformat(attachment.added_at)
    return (
        attachment.step is AttachmentStep.AGREEMENT
        and attachment.signer is not None
        and not attachment.withdrawn
        and attachment.media_type in SIGNATURE_TYPES
        and at >= start
        and (end is None or at < end)
    )


def signature_marks(state: CaseState, agreement: Agreement) -> tuple[SignatureMark, ...]:
    """The signatures to print on ``agreement``'s 协议书, place by place in the order the case
    lists the people (empty when none was captured: the places stay blank for the pen)."""
    later = [a.recorded.at for a in state.agreements if a.recorded.at > agreement.recorded.at]
    end = min(later) if later else None
    people = _people(state)
    latest: dict[tuple[str, SignaturePlace], SignatureMark] = {}
    for attachment in state.attachments:
        if not _belongs(attachment, agreement.recorded.at, end):
            continue
        assert attachment.signer is not None
        name, place = _whose(attachment.signer, people)
        if not name:
            continue
        on = china_date(datetime.fromisoformat(attachment.added_at))
        latest[(name, place)] = SignatureMark(
            place=place,
            name=name,
            sha256=attachment.sha256,
            signed_on=f"{on.year}年{on.month}月{on.day}日",
        )
    order = {person: n for n, person in enumerate(people)}
    return tuple(latest[k] for k in sorted(latest, key=lambda k: order[k]))
