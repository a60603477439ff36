"""Chinese event summaries (事件摘要): pure, one sentence per event, no personal data."""

from __future__ import annotations

from domain.case import commands as c
from domain.case.decide import decide
from domain.case.events import CaseRegistered, DocumentIssued, PolicySnapshotted
from domain.case.evolve import fold
from domain.case.issued import DocumentKind, DocumentNumber
from domain.case.labels import calendar_label
from domain.case.summaries import event_summaries, summarize
from domain.values import RiskLevel
from tests.domain.handoff_cases import current_policy
from tests.samples import T0, command, register


def test_each_event_gets_a_chinese_sentence_without_the_parties_identity() -> None:
    registered = decide(
        None, c.CommandEnvelope(command_id="r", actor="登记员", command=register()), now=T0
    )
    state = fold(registered)
    accepted = decide(
        state, c.CommandEnvelope(command_id="a", actor="王芳", command=command("accept")), now=T0
    )
    events = [*registered, *accepted]
    summaries = event_summaries(events)

    assert sorted(summaries) == [event.seq for event in events]
    assert summaries[accepted[0].seq] == "案件受理"
    first = summaries[registered[0].seq]
    assert first.startswith("登记矛盾纠纷（邻里纠纷，来源：来访），申请人1人")
    body = registered[0].body
    assert isinstance(body, CaseRegistered)
    assert all(party.name not in first for party in body.applicants)
    final = fold(events)
    assert final is not None
    assert summarize(final, events) == [summaries[event.seq] for event in events]


def test_no_events_no_summaries() -> None:
    assert event_summaries([]) == {}


def test_the_policy_snapshot_names_its_escalation_chain_in_chinese() -> None:
    registered = decide(
        None, c.CommandEnvelope(command_id="r", actor="登记员", command=register()), now=T0
    )
    last = registered[-1]

    def snapshot_summary(risk: RiskLevel) -> str:
        snapshot = last.model_copy(
            update={
                "seq": last.seq + 1,
                "body": PolicySnapshotted(policy=current_policy(risk=risk)),
            }
        )
        return event_summaries([*registered, snapshot])[snapshot.seq]

    ordinary, major = snapshot_summary(RiskLevel.LOW), snapshot_summary(RiskLevel.MAJOR)

    assert "通用督办链（4级）" in ordinary
    assert "重大、特别重大风险督办链（4级）" in major
    assert "default" not in ordinary
    assert "major-risk" not in major


def test_the_policy_snapshot_names_its_holiday_data_in_chinese() -> None:
    registered = decide(
        None, c.CommandEnvelope(command_id="r", actor="登记员", command=register()), now=T0
    )
    last = registered[-1]
    policy = current_policy(risk=RiskLevel.LOW)
    calendar = policy.calendar.model_copy(update={"version": "chinesecalendar-1.11.0"})
    snapshot = last.model_copy(
        update={
            "seq": last.seq + 1,
            "body": PolicySnapshotted(policy=policy.model_copy(update={"calendar": calendar})),
        }
    )
    summary = event_summaries([*registered, snapshot])[snapshot.seq]

    assert summary.endswith("节假日数据版本 1.11.0（国务院办公厅节假日安排）")
    assert "chinesecalendar" not in summary


def test_holiday_data_laid_over_from_local_files_is_named_by_year() -> None:
    assert calendar_label("chinesecalendar-1.11.0+2027+2028") == (
        "节假日数据版本 1.11.0（国务院办公厅节假日安排；2027年、2028年安排据本地数据文件）"
    )
    assert calendar_label("test-2026") == "节假日数据版本 test-2026"


def test_a_group_counts_its_people_and_a_petition_names_its_sides() -> None:
    """12 workers entered as one party with 人数 12 read 申请人12人, not 申请人1人; a petition says
    信访人 and 被反映人; 第三人 are counted too."""
    workers = {
        "name": "李建国等12名工人",
        "headcount": 12,
        "representatives": [{"name": "李建国"}, {"name": "王德明"}],
    }
    dispute = register(
        applicants=[workers],
        respondents=[{"name": "某劳务公司", "party_type": "organisation"}],
        third_parties=[{"name": "某总包公司", "party_type": "organisation"}],
    )
    registered = decide(
        None, c.CommandEnvelope(command_id="r", actor="登记员", command=dispute), now=T0
    )
    text = event_summaries(registered)[registered[0].seq]
    assert "申请人12人、被申请人1人、第三人1人；" in text
    petition = register(
        "XF-2026-000001",
        kind="petition",
        applicants=[{"name": "孙丽"}],
        respondents=[{"name": "钱某"}],
    )
    registered = decide(
        None, c.CommandEnvelope(command_id="p", actor="登记员", command=petition), now=T0
    )
    assert "信访人1人、被反映人1人" in event_summaries(registered)[registered[0].seq]


def test_an_issued_document_keeps_its_number_s_own_brackets() -> None:
    """出具文书 on the timeline: the 文号 （2026）玄调字第1号 beside the title, never in brackets of
    its own (no "（（2026）…")."""
    registered = decide(
        None, c.CommandEnvelope(command_id="r", actor="登记员", command=register()), now=T0
    )
    last = registered[-1]
    number = DocumentNumber(
        org_id="xw-center", org_name="玄武区", year=2026, seq=1, prefix="玄调字"
    )
    issued = last.model_copy(
        update={
            "seq": last.seq + 1,
            "body": DocumentIssued.model_construct(
                kind=DocumentKind.AGREEMENT, number=number, version=2, content_sha256="ab" * 32
            ),
        }
    )

    text = event_summaries([*registered, issued])[issued.seq]

    assert text == "出具人民调解协议书，（2026）玄调字第1号（第2版，内容摘要 abababababab）"
    assert "（（" not in text
