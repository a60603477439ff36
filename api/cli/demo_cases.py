"""The demo cases (演示案件): what ``fengqiao demo`` drives through the API, and as whom.

Five cases of the county center at different stages, then the hand-offs of 玄武区 (issue 11):
分流 from a village committee to the labour room, a 转办 awaiting 签收 at a town center, a 交办 to
人社局 awaiting its report, a case lifted after three sessions (“331”), one whose 建议上提 awaits
the village's decision, and a grid worker's report (网格员上报). Each step is sent by the person
whose organisation sends it, with that person's own key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Demo user ids (api.cli.demo_accounts).
COUNTY_MEDIATOR = "demo-mediator"
TOWN_MEDIATOR = "demo-town-mediator"
VILLAGE_MEDIATOR = "demo-village-mediator"
LABOUR_MEDIATOR = "demo-labour-mediator"
GRID_WORKER = "demo-grid-worker"

MEIYUAN_PLACE = {
    "county_code": "320102",
    "county_name": "玄武区",
    "town_code": "320102001",
    "town_name": "梅园新村街道",
}
CHANGJIANG_PLACE = {
    **MEIYUAN_PLACE,
    "village_code": "320102001001",
    "village_name": "长江路社区",
}

Step = tuple[str, str, dict[str, Any]]  # (who, action path, body)


@dataclass(frozen=True)
class DemoCase:
    registrar: str  # the demo user who registers it
    intake: dict[str, Any]
    steps: tuple[Step, ...]
    shows: str  # what it shows, printed beside it


def _party(name: str, phone: str, id_number: str | None = None) -> dict[str, Any]:
    party: dict[str, Any] = {"name": name, "phone": phone}
    if id_number:
        party["id_number"] = id_number
    return party


def _county_cases(today: date) -> list[DemoCase]:
    """The county center's own cases, each stopping at a different stage."""

    def day(offset: int = 0) -> str:
        return (today + timedelta(days=offset)).isoformat()

    plan = {
        "responsible_unit": "玄武区矛盾纠纷多元化解中心",
        "responsible_person": "王芳",
        "measures": ["实地走访核实情况", "分别约谈双方当事人", "组织联合调解"],
        "deadline": day(30),
    }
    mediation = {"mediation_type": "peoples", "mediator_ids": ["xw-m-001", "xw-m-002"]}
    session = {
        "held_on": day(),
        "mediators": ["王芳", "赵强"],
        "attendees": ["当事人双方"],
        "summary": "调解员释法明理，双方就主要争议达成初步共识。",
    }
    me = COUNTY_MEDIATOR
    return [
        DemoCase(
            me,
            {
                "title": "刘某与物业公司停车费纠纷",
                "description": "业主刘某认为物业公司上调停车费未经业主大会同意，拒绝缴纳。",
                "category": "property_management",
                "channel": "hotline",
                "applicants": [_party("刘洋", "13851234567")],
                "respondents": [{"name": "金陵物业服务有限公司", "party_type": "organisation"}],
            },
            (),
            "已登记，待受理",
        ),
        DemoCase(
            me,
            {
                "title": "陈某劳务报酬争议",
                "description": "陈某在装修工地务工两个月，包工头拖欠工资一万二千元。",
                "category": "labour",
                "channel": "walk_in",
                "applicants": [_party("陈明", "13912345678", "320102198506123454")],
                "respondents": [_party("周建", "13698765432")],
                "risk_level": "elevated",
                # Received three days ago, registered today (补录): E1 counts from the receipt.
                "received_on": day(-3),
                # 分流 suggests the labour room; the center keeps it and says why.
                "routing": {
                    "organisation": "xw-center",
                    "reason": "当事人在中心窗口申请，由中心直接调处",
                },
            },
            (
                (me, "accept", {"note": "属于受理范围", "accepted_on": day(-2)}),
                (me, "plan", plan),
            ),
            "未采纳分流建议（写明理由），一案一策",
        ),
        DemoCase(
            me,
            {
                "title": "王某家庭赡养纠纷",
                "description": "王老太年逾八旬，三个子女就赡养费分担和轮流照料产生矛盾。",
                "category": "marriage_family",
                "channel": "hotline",
                "applicants": [_party("王秀英", "13770001111")],
                "respondents": [_party("李军", "13770002222"), _party("李红", "13770003333")],
            },
            (
                (me, "accept", {}),
                (me, "plan", plan),
                (me, "start-mediation", mediation),
                (me, "sessions", session),
            ),
            "调解中（名册调解员）",
        ),
        DemoCase(
            me,
            {
                "title": "孙某与赵某相邻采光纠纷",
                "description": "赵某加盖二层影响孙某住房采光，双方多次发生口角。",
                "category": "neighbourhood",
                "channel": "walk_in",
                "applicants": [_party("孙丽", "13605550001")],
                "respondents": [_party("赵刚", "13605550002")],
                "risk_level": "major",
                "flags": {"civil_to_criminal_risk": True},
                "received_on": day(-7),
            },
            (
                (me, "accept", {"accepted_on": day(-6)}),
                (me, "plan", plan),
                (
                    me,
                    "package-leader",
                    {
                        "leader_name": "陈建国",
                        "leader_title": "街道党工委副书记",
                        "reason": "有民转刑风险",
                    },
                ),
                (me, "start-mediation", {**mediation, "started_on": day(-5)}),
                (me, "sessions", session),
                (me, "sessions", {**session, "summary": "双方同意以经济补偿方式解决。"}),
                (
                    me,
                    "agreement",
                    {
                        # Signed two days ago, recorded today: B7 counts from the signing.
                        "terms": "赵某一次性补偿孙某八千元，孙某不再主张拆除。",
                        "signed_on": day(-2),
                        "items": [{"description": "赵某支付补偿款八千元", "due_on": day(15)}],
                    },
                ),
                (me, "judicial-confirmation", {"court": "玄武区人民法院", "applied_on": day()}),
            ),
            "领导包案，调解协议，司法确认中",
        ),
        DemoCase(
            me,
            {
                "title": "某小区装修噪音扰民纠纷",
                "description": "楼上住户夜间装修，楼下老人无法休息。",
                "category": "neighbourhood",
                "channel": "online",
                "applicants": [_party("吴芳", "13512340000")],
                "respondents": [_party("郑浩", "13512340001")],
            },
            (
                (me, "accept", {}),
                (me, "start-mediation", mediation),
                (
                    me,
                    "agreement",
                    {
                        "terms": "郑某承诺晚八点后不施工。",
                        "form": "oral",
                        "signed_on": day(),
                        "items": [{"description": "晚八点后停止施工", "due_on": day()}],
                    },
                ),
                (
                    me,
                    "follow-ups",
                    {
                        "visited_on": day(),
                        "performance": [{"item_no": 1, "status": "performed"}],
                        "satisfaction": "satisfied",
                    },
                ),
                (me, "close", {"remark": "回访满意，予以销号"}),
            ),
            "回访满意，已销号",
        ),
    ]


def _village_sessions(day: Any, summaries: tuple[str, ...]) -> tuple[Step, ...]:
    return tuple(
        (
            VILLAGE_MEDIATOR,
            "sessions",
            {
                "held_on": day(-8 + 3 * n),
                "mediators": ["张桂兰"],
                "attendees": ["当事人双方"],
                "summary": summary,
            },
        )
        for n, summary in enumerate(summaries)
    )


def _handoff_cases(today: date) -> list[DemoCase]:
    """Issue 11's hand-offs in the demo county, each as it stands for someone to act on."""

    def day(offset: int = 0) -> str:
        return (today + timedelta(days=offset)).isoformat()

    failed_rounds = (
        "双方各执一词，未达成一致。",
        "调解员实地查看现场，双方仍有分歧。",
        "邀请社区法律顾问释法，仍未达成协议。",
    )
    village_mediation = {
        "mediation_type": "peoples",
        "mediator_ids": ["xw-m-007"],  # 张桂兰, 长江路社区人民调解委员会
        "started_on": day(-9),
    }
    return [
        DemoCase(
            VILLAGE_MEDIATOR,
            {
                "title": "长江路社区某餐饮店拖欠厨师工资纠纷",
                "description": "厨师钱某在社区一餐饮店工作半年，店主拖欠三个月工资九千元。",
                "category": "labour",
                "channel": "walk_in",
                "jurisdiction": CHANGJIANG_PLACE,
                "applicants": [_party("钱伟", "13951110001")],
                "respondents": [_party("孔德", "13951110002")],
            },
            (
                (LABOUR_MEDIATOR, "accept", {"note": "劳动争议，本调解室受理"}),
                (
                    LABOUR_MEDIATOR,
                    "start-mediation",
                    {"mediation_type": "peoples", "mediator_ids": ["xw-m-011", "xw-m-012"]},
                ),
            ),
            "分流：社区登记，按规则由劳动争议调解室办理（采纳建议）",
        ),
        DemoCase(
            COUNTY_MEDIATOR,
            {
                "title": "长江路社区楼道堆物引发邻里纠纷",
                "description": "住户在楼道长期堆放杂物，邻居多次协商未果，双方发生争吵。",
                "category": "neighbourhood",
                "channel": "hotline",
                "jurisdiction": CHANGJIANG_PLACE,
                "applicants": [_party("冯丽", "13951120001")],
                "respondents": [_party("褚强", "13951120002")],
            },
            (
                (COUNTY_MEDIATOR, "accept", {}),
                (
                    COUNTY_MEDIATOR,
                    "transfer",
                    {
                        "to_organisation": "xw-myxc-center",
                        "reason": "属地纠纷，转梅园新村街道综治中心就近调处",
                    },
                ),
            ),
            "转办：待梅园新村街道综治中心签收",
        ),
        DemoCase(
            LABOUR_MEDIATOR,
            {
                "title": "某装修公司拖欠十二名工人工资",
                "description": "十二名装修工人反映公司拖欠两个月工资共十五万元，情绪激动。",
                "category": "labour",
                "channel": "walk_in",
                "jurisdiction": CHANGJIANG_PLACE,
                "risk_level": "elevated",
                "flags": {"collective": True},
                "applicants": [_party("蒋军", "13951130001")],
                "respondents": [{"name": "玄武某装饰工程有限公司", "party_type": "organisation"}],
            },
            (
                (LABOUR_MEDIATOR, "accept", {}),
                (
                    LABOUR_MEDIATOR,
                    "assign",
                    {
                        "department": "xw-hrss",
                        "deadline": day(10),
                        "instructions": "请核查该公司欠薪情况，依法责令限期支付，并于期限内反馈",
                    },
                ),
            ),
            f"交办：玄武区人社局待反馈（{day(10)} 前）",
        ),
        DemoCase(
            VILLAGE_MEDIATOR,
            {
                "title": "长江路社区两户相邻通行纠纷",
                "description": "卫某在屋后砌墙，堵住了沈某家多年通行的小路。",
                "category": "neighbourhood",
                "channel": "walk_in",
                "jurisdiction": CHANGJIANG_PLACE,
                "received_on": day(-11),
                "applicants": [_party("沈红", "13951140001")],
                "respondents": [_party("卫东", "13951140002")],
            },
            (
                (VILLAGE_MEDIATOR, "accept", {"accepted_on": day(-10)}),
                (VILLAGE_MEDIATOR, "start-mediation", village_mediation),
                *_village_sessions(day, failed_rounds),
                (VILLAGE_MEDIATOR, "lift", {"reason": "社区三次调解未果，按“331”工作法上提街道"}),
            ),
            "上提一级：社区三次调解未果（建议上提），现由街道综治中心办理",
        ),
        DemoCase(
            VILLAGE_MEDIATOR,
            {
                "title": "长江路社区宠物犬伤人赔偿纠纷",
                "description": "韩某饲养的犬只咬伤杨某，双方就医药费和误工费赔偿争执不下。",
                "category": "neighbourhood",
                "channel": "walk_in",
                "jurisdiction": CHANGJIANG_PLACE,
                "received_on": day(-11),
                "applicants": [_party("杨帆", "13951150001")],
                "respondents": [_party("韩梅", "13951150002")],
            },
            (
                (VILLAGE_MEDIATOR, "accept", {"accepted_on": day(-10)}),
                (VILLAGE_MEDIATOR, "start-mediation", village_mediation),
                *_village_sessions(day, failed_rounds),
            ),
            "建议上提：社区三次调解未果，待社区调委会决定",
        ),
        DemoCase(
            GRID_WORKER,
            {
                "title": "长江路社区第一网格楼上漏水引发邻里矛盾",
                "description": "网格员走访发现，楼上住户卫生间漏水殃及楼下，双方多次争吵。",
                "category": "neighbourhood",
                "channel": "grid_report",
                "jurisdiction": CHANGJIANG_PLACE,
                "applicants": [_party("朱静", "13951160001")],
                "respondents": [_party("秦刚", "13951160002")],
            },
            (),
            "网格员上报：由长江路社区人民调解委员会办理，待受理",
        ),
    ]


def demo_cases(today: date) -> list[DemoCase]:
    return [*_county_cases(today), *_handoff_cases(today)]
