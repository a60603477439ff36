"""当事人: applicants and respondents (信访人 and 被反映对象 in a petition), as handed over."""

from __future__ import annotations

from reportlab.platypus import Flowable

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from domain.values import CaseKind


def parties(layout: Layout, dossier: Dossier) -> list[Flowable]:
    applicants, respondents = dossier.parties.applicants, dossier.parties.respondents
    if dossier.case.kind is CaseKind.PETITION:
        roles = (("信访人", applicants), ("被反映对象", respondents))
    else:
        roles = (("申请人", applicants), ("被申请人", respondents))
    rows = [
        [role, p.name, p.party_type_label, p.id_number, p.phone, p.address]
        for role, members in roles
        for p in members
    ]
    return [
        *layout.heading("当事人"),
        layout.table(
            ["身份", "姓名/名称", "类型", "身份证号码", "联系电话", "地址"],
            rows,
            [16, 26, 20, 38, 28, 46],
        ),
    ]
