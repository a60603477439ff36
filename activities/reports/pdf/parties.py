"""当事人: applicants and respondents (信访人 and 被反映人 in a petition), 第三人 and 代理人, as
handed over (masked as the reader may see them)."""

from __future__ import annotations

from reportlab.platypus import Flowable

from activities.reports.dossier_model import Dossier
from activities.reports.pdf.layout import Layout
from activities.reports.sections.case import Party
from domain.values import CaseKind


def _details(p: Party) -> str:
    """性别、民族、出生日期 of a person; 统一社会信用代码、法定代表人 of an organisation; 人数
    and 代表人 of a group."""
    parts = [
        p.gender_label,
        p.ethnicity,
        f"出生日期{p.birth_date}" if p.birth_date else None,
        f"统一社会信用代码{p.credit_code}" if p.credit_code else None,
        f"法定代表人{p.legal_representative}" if p.legal_representative else None,
        f"人数{p.headcount}" if p.headcount else None,
        *(
            "代表人" + "，".join(x for x in (r.name, r.id_number, r.phone) if x)
            for r in p.representatives
        ),
    ]
    return "；".join(part for part in parts if part)


def parties(layout: Layout, dossier: Dossier) -> list[Flowable]:
    listed = dossier.parties
    petition = dossier.case.kind is CaseKind.PETITION
    roles = (
        ("信访人" if petition else "申请人", listed.applicants),
        ("被反映人" if petition else "被申请人", listed.respondents),
        ("第三人", listed.third_parties),
    )
    rows = [
        [role, p.name, p.party_type_label, p.id_number, p.phone, p.address, _details(p)]
        for role, members in roles
        for p in members
    ]
    rows += [
        [
            "代理人",
            a.name,
            f"{a.relation_label}（{a.authority_label}）",
            a.id_number,
            a.phone,
            a.employer,
            "代理" + "、".join(a.represents) + (f"；权限：{a.powers}" if a.powers else ""),
        ]
        for a in listed.agents
    ]
    return [
        *layout.heading("当事人"),
        layout.table(
            ["身份", "姓名/名称", "类型", "身份证号码", "联系电话", "地址", "其他信息"],
            rows,
            [14, 22, 18, 34, 24, 32, 30],
        ),
    ]
