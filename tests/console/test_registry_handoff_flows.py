"""The organisation screens in Chromium against the real stack: an administrator adds an
organisation and a roster mediator; intake shows the routing suggestion and records an override;
a transfer is taken by the receiving organisation's mediator (an incoming item on their worklist)
and the sender can no longer act. Keyboard-only use of the new forms; nothing leaves the server.

The cases live in 江宁区 (tests.handoff_county), whose labour disputes the shipped routing rules
send to the county labour room.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from activities.identity import passwords
from tests import handoff_county as county
from tests.console.conftest import PASSWORD, Console, Pages, Shot
from tests.console.helpers import act, fill, unlabelled_inputs

pytestmark = pytest.mark.e2e

VILLAGE = county.STAFF["village"]  # 张桂兰, 上坊社区人民调解委员会
TOWN = county.STAFF["town"]  # 周涛, 东山街道综治中心


@pytest.fixture
async def jiangning(console: Console) -> None:
    """江宁区's units, roster and staff in the console's database, with console passwords."""
    await county.seed_county(console.sessionmaker)
    async with console.sessionmaker.begin() as session:
        for person in county.STAFF.values():
            await passwords.set_password(person.user_id, PASSWORD, session=session)


async def choose_by_keyboard(
    page: Page, value: str, *, limit: int = 60, key: str = "ArrowDown"
) -> None:
    """Move the focused <select> with the arrow keys until ``value`` is chosen."""
    for _ in range(limit):
        if await page.evaluate("() => document.activeElement.value") == value:
            return
        await page.keyboard.press(key)
    raise AssertionError(f"option {value} not reached by keyboard")


async def register_labour_dispute(page: Page, title: str) -> None:
    """Fill the intake form for a wage dispute in 上坊社区 (the place and category 分流 uses)."""
    await page.get_by_role("link", name="登记").click()
    await fill(
        page,
        {
            "标题": title,
            "纠纷简要情况": "某装修公司拖欠工人工资三个月，工人多次讨要未果。",
            "申请人1/姓名或名称": "刘大勇",
            "申请人1/身份证号码": "320115198805061232",
            "申请人1/联系电话": "13951234567",
            "被申请人1/姓名或名称": "南京某装修工程有限公司",
        },
        {"纠纷类别": "劳动争议"},
    )
    # 张桂兰's area is 上坊社区: the place pickers offer it and nothing else, preset.
    await expect(page.get_by_label("村（社区）", exact=True)).to_have_value(county.SHANGFANG)


async def test_an_administrator_adds_an_organisation_and_a_roster_mediator(
    pages: Pages, shot: Shot, jiangning: None
) -> None:
    page = await pages.open(1280, 800)
    await pages.sign_in(page, "sysadmin")
    await page.get_by_role("link", name="单位名录").click()
    await expect(page.get_by_role("heading", name="单位名录")).to_be_visible()
    # One place's level at a time: the county, then its towns, each a link.
    await page.locator("#child-places").get_by_role("link", name="江宁区").click()
    await expect(page.locator("#place-trail")).to_contain_text("江宁区")
    await expect(page.locator("#child-places")).to_contain_text("东山街道")
    await expect(page.locator("#organisations")).to_contain_text("江宁区劳动争议调解室")
    await expect(page.locator("#organisations")).not_to_contain_text("东山街道综治中心")
    assert await unlabelled_inputs(page) == []

    org_id = f"jn-family-{uuid.uuid4().hex[:6]}"
    form = page.locator("form[action='/admin/organisations']")
    # Keyboard only: type the id and name, choose type, place and parent with the arrow keys.
    await form.get_by_label("单位编号").focus()
    await page.keyboard.type(org_id)
    await page.keyboard.press("Tab")
    await page.keyboard.type("江宁区婚姻家庭纠纷调解室")
    await page.keyboard.press("Tab")
    await choose_by_keyboard(page, "sector_room")
    await page.keyboard.press("Tab")
    await choose_by_keyboard(page, county.COUNTY)
    await page.keyboard.press("Tab")
    await choose_by_keyboard(page, "jn-county-center")
    await form.get_by_label("婚姻家庭", exact=True).check()
    await form.get_by_role("button", name="新增单位").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    await expect(page.locator(".flash")).to_have_text("已新增单位")
    await expect(
        page.get_by_role("heading", name=re.compile("江宁区婚姻家庭纠纷调解室"))
    ).to_be_visible()

    # The roster: a mediator refused for a missing name, then added.
    roster = page.locator(f"form[action='/admin/organisations/{org_id}/mediators']")
    await roster.get_by_label("调解员编号").fill(f"{org_id}-m1")
    await roster.get_by_role("button", name="登记调解员").click()
    await expect(page.locator("#f-m-name-error")).to_have_text("此项必填")
    await shot(page, "01-mediator-refused")
    roster = page.locator(f"form[action='/admin/organisations/{org_id}/mediators']")
    await roster.get_by_label("姓名", exact=True).fill("杨秀英")
    await roster.get_by_label("专职或兼职").select_option(label="专职")
    await roster.get_by_label("婚姻家庭", exact=True).check()
    await roster.get_by_role("button", name="登记调解员").click()
    await expect(page.locator(".flash")).to_have_text("已登记调解员")
    await expect(page.locator("#roster")).to_contain_text("杨秀英")
    await expect(page.locator("#roster")).to_contain_text("专职")
    await shot(page, "02-organisation-with-roster")

    # Stopped: it leaves the pickers (the list shows it as 已停用).
    await page.get_by_role("button", name="停用本单位").click()
    await expect(page.locator(".flash")).to_have_text("已停用单位")
    await page.get_by_role("link", name="← 单位名录").click()
    row = page.locator("#organisations tr", has_text="江宁区婚姻家庭纠纷调解室")
    await expect(row).to_contain_text("已停用")
    await shot(page, "03-registry-list")
    # On a phone: found by name within the county (a GET form), a link per place.
    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "sysadmin")
    await phone.goto(f"{pages.console.url}/admin/organisations?place={county.COUNTY}")
    await phone.get_by_label("按名称查找单位（江宁区范围内）").fill("劳动争议")
    await phone.get_by_role("button", name="查找").click()
    await expect(phone.locator("#h-orgs")).to_contain_text("名称含“劳动争议”的单位（1）")
    await expect(phone.locator("#organisations")).to_contain_text("江宁区劳动争议调解室")
    await shot(phone, "04-registry-search-390")


async def test_a_transfer_to_another_county_is_chosen_by_walking_places_in_the_console(
    pages: Pages, shot: Shot, jiangning: None, console: Console
) -> None:
    async with console.sessionmaker.begin() as session:
        await county.ensure_sample_targets(session)  # 测试县: 玄武区劳动争议调解室
    sender = await pages.open(1280, 800)
    await pages.sign_in(sender, VILLAGE.user_id)
    await register_labour_dispute(sender, "上坊社区欠薪纠纷（跨县转办）")
    await sender.get_by_label("承办单位", exact=True).select_option("jn-sf-committee")
    await sender.get_by_label("改选理由（不采纳建议时必填）").fill("先行就地调解")
    await sender.get_by_role("button", name="登记", exact=True).click()
    await expect(sender).to_have_url(re.compile(r"/cases/JF-"))
    case_url = sender.url.split("?")[0]

    # The picker lists the units over the case's place; nothing of another county.
    form = sender.locator("#action-transfer")
    await form.locator("summary").click()
    picker = form.get_by_label("接收单位")
    await expect(picker.locator("option[value='jn-ds-center']")).to_have_count(1)
    await expect(picker.locator("option[value='xw-labour-room']")).to_have_count(0)
    # Found by name, anywhere in the registry (a GET form: no script needed).
    await form.get_by_label("按名称查找单位").fill("劳动争议")
    await form.get_by_role("button", name="查找").click()
    form = sender.locator("#action-transfer")
    await expect(form.locator(".walk-note")).to_contain_text("名称含“劳动争议”的单位（2 个）")
    await expect(picker.locator("option[value='xw-labour-room']")).to_have_count(1)
    await shot(sender, "07-transfer-found-by-name")

    # Who may receive is the API's to say: a stopped organisation posted anyway is refused
    # beside the picker, which keeps it chosen.
    token = await sender.locator("input[name=csrf_token]").first.input_value()
    refused = await sender.request.post(
        f"{case_url}/act/transfer",
        form={"csrf_token": token, "to_organisation": "jn-closed-room", "reason": "转给已停用单位"},
        headers={"Origin": pages.console.url},
    )
    assert refused.status == 422
    answer = await refused.text()
    assert "江宁区原物业纠纷调解室（jn-closed-room）已停用" in answer
    assert '<option value="jn-closed-room" selected>' in answer

    # Walked by place on a phone without JavaScript: the top, then 测试县; chosen, sent.
    phone = await pages.open(390, 844, javascript=False)
    await pages.sign_in(phone, VILLAGE.user_id)
    await phone.goto(case_url)
    form = phone.locator("#action-transfer")
    await form.locator("summary").click()
    await form.get_by_role("link", name="全部区划").click()
    form = phone.locator("#action-transfer")
    await expect(form).to_have_attribute("open", "")
    await form.locator(".walk-places").get_by_role("link", name="测试县").click()
    form = phone.locator("#action-transfer")
    await expect(form.locator(".crumbs")).to_contain_text("测试县")
    await expect(form.locator(".walk-places")).to_contain_text("测试镇")
    await shot(phone, "08-transfer-walked-to-another-county-390")
    await form.get_by_label("接收单位").select_option("xw-labour-room")
    await form.get_by_label("转办理由").fill("用工单位注册地在玄武区，移交属地劳动争议调解室")
    await form.get_by_role("button", name="转办").click()
    await expect(phone.locator(".flash")).to_have_text("已转办")
    await expect(phone.locator("#pending-transfer")).to_contain_text("玄武区劳动争议调解室")
    await shot(phone, "09-transfer-to-another-county-awaits-390")
    await sender.goto(case_url)
    await expect(sender.locator("#pending-transfer")).to_contain_text("玄武区劳动争议调解室")
    await shot(sender, "10-transfer-to-another-county-awaits")


async def test_an_administrator_links_a_user_to_their_roster_entry(
    console: Console, pages: Pages, shot: Shot, jiangning: None
) -> None:
    """关联调解员名册 from 用户管理: the choice is the roster of the user's own organisation; a
    roster entry of another organisation posted anyway is refused beside the field; the link is
    on the administration trail."""
    from activities.identity import admin_trail, principals

    labour = county.STAFF["labour"]  # 黄志刚, 江宁区劳动争议调解室
    page = await pages.open()
    await pages.sign_in(page, "secadmin")
    await page.goto(f"{console.url}/admin/users")
    picker = page.get_by_label("关联名册").and_(page.locator(f"#mediator-{labour.user_id}"))
    options = await picker.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    assert options == ["", "jn-m-01", "jn-m-02"]  # the labour room's roster only
    assert await unlabelled_inputs(page) == []
    await picker.select_option("jn-m-01")
    await page.locator(f"#roster-{labour.user_id}").get_by_role("button", name="保存").click()
    await page.wait_for_load_state()
    await expect(page.get_by_role("status")).to_contain_text("已保存调解员名册关联")
    await expect(page.locator(f"#mediator-{labour.user_id}")).to_have_value("jn-m-01")
    await shot(page, "09-user-linked-to-roster")
    phone = await pages.open(390, 844)
    await pages.sign_in(phone, "secadmin")
    await phone.goto(f"{console.url}/admin/users")
    await phone.locator(f"#roster-{labour.user_id}").scroll_into_view_if_needed()
    await shot(phone, "09b-user-linked-to-roster-390")

    # Another organisation's entry, posted anyway: refused beside the picker, nothing changes.
    token = await page.locator("input[name=csrf_token]").first.input_value()
    refused = await page.request.post(
        f"{console.url}/admin/users/{labour.user_id}/mediator",
        form={"csrf_token": token, "mediator_id": "jn-m-03"},
        headers={"Origin": console.url},
    )
    assert refused.status == 422
    assert "所在单位的在册调解员中没有此编号" in await refused.text()
    async with console.sessionmaker() as session:
        row = await principals.get_user(labour.user_id, session=session)
        trail = await admin_trail.query(
            actor_id="secadmin",
            target=labour.user_id,
            since=None,
            until=None,
            limit=10,
            session=session,
        )
    assert row is not None
    assert row.mediator_id == "jn-m-01"
    assert [(e.action, e.details) for e in trail] == [
        ("mediator_linked", {"mediator_id": "jn-m-01"})
    ]


async def test_intake_shows_the_routing_suggestion_and_records_an_override(
    pages: Pages, shot: Shot, jiangning: None
) -> None:
    page = await pages.open()
    await pages.sign_in(page, VILLAGE.user_id)
    await expect(page).to_have_url(re.compile(r"/worklist$"))
    await register_labour_dispute(page, "刘某与某装修公司欠薪纠纷")
    # Without the script's help: the button asks the server for the suggestion.
    await page.get_by_role("button", name="查看分流建议").click()
    await expect(page.locator("#routing-suggestion")).to_contain_text("江宁区劳动争议调解室")
    await expect(page.get_by_label("承办单位", exact=True)).to_have_value("jn-labour-room")
    assert await unlabelled_inputs(page) == []
    await shot(page, "01-suggestion")

    # The script follows the form: another category, another suggestion (no labour rule).
    await page.get_by_label("纠纷类别", exact=True).select_option(label="邻里纠纷")
    await expect(page.locator("#routing-suggestion")).not_to_contain_text("劳动争议调解室")
    await page.get_by_label("纠纷类别", exact=True).select_option(label="劳动争议")
    await expect(page.locator("#routing-suggestion")).to_contain_text("江宁区劳动争议调解室")
    # The refreshed panel draws 承办单位 once, with every organisation to choose from: the
    # registering committee among them (an empty copy drawn first once hid them).
    chooser = page.locator("select[name='routing.organisation']")
    await expect(chooser).to_have_count(1)
    await expect(chooser).to_have_value("jn-labour-room")
    await expect(chooser.locator("option[value='jn-sf-committee']")).to_have_count(1)

    # Kept at the village committee: the reason is asked for, beside its field.
    await page.get_by_label("承办单位", exact=True).select_option("jn-sf-committee")
    await page.get_by_role("button", name="登记", exact=True).click()
    await page.wait_for_load_state()
    await shot(page, "02-override-needs-reason")
    await expect(page.locator("#f-routing-reason-error")).to_contain_text("请说明理由")
    await shot(page, "02-override-needs-reason")
    await page.get_by_label("改选理由（不采纳建议时必填）").fill("双方均为本社区居民，先行就地调解")
    await page.get_by_role("button", name="登记", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/cases/JF-\d{4}-\d{6}\?done=registered$"))
    await expect(page.locator("#holder")).to_have_text("上坊社区人民调解委员会")
    handoffs = page.locator("#handoffs")
    await expect(handoffs).to_contain_text("建议：江宁区劳动争议调解室")
    await expect(handoffs).to_contain_text("改选理由：双方均为本社区居民，先行就地调解")
    await shot(page, "03-registered-with-override")

    # Mediation starts with mediators ticked from the holder's roster (keyboard: Space ticks).
    await act(page, "accept", {"受理意见": "符合受理条件"})
    form = page.locator("#action-start-mediation")
    await form.locator("summary").click()
    await form.get_by_label("调解类型").select_option(label="人民调解")
    await form.get_by_label(re.compile("^张桂兰")).focus()
    await page.keyboard.press("Space")
    await shot(page, "03b-roster-mediators")
    # Nothing awaits 签收 here: the holder is offered neither 签收 nor 退回.
    await expect(page.locator("#action-take, #action-return")).to_have_count(0)
    await form.get_by_role("button", name="调解").click()
    await page.wait_for_load_state()
    await expect(page.locator("#case-stage")).to_have_text("调解中")
    await expect(page.locator("#h-mediation + h3 + p")).to_contain_text("调解员：张桂兰")

    # The same people's other cases: a second intake for the same applicant lists the first.
    case_id = page.url.split("/cases/")[1].split("?")[0]
    await register_labour_dispute(page, "刘某再次反映欠薪")
    await page.get_by_role("button", name="查看分流建议").click()
    await expect(page.locator("#same-parties")).to_contain_text(case_id)
    await shot(page, "04-same-parties")


async def test_a_transfer_is_taken_by_the_receiving_mediator_and_the_sender_can_no_longer_act(
    pages: Pages, shot: Shot, jiangning: None
) -> None:
    sender = await pages.open()
    await pages.sign_in(sender, VILLAGE.user_id)
    await register_labour_dispute(sender, "上坊社区欠薪纠纷（转办）")
    await sender.get_by_label("承办单位", exact=True).select_option("jn-sf-committee")
    await sender.get_by_label("改选理由（不采纳建议时必填）").fill("先行就地调解")
    await sender.get_by_role("button", name="登记", exact=True).click()
    await expect(sender).to_have_url(re.compile(r"/cases/JF-"))
    case_url = sender.url.split("?")[0]
    case_id = case_url.rsplit("/", 1)[1]

    # 转办 with the keyboard only: open the form, choose the town center, give a reason, send.
    await sender.locator("#action-transfer summary").focus()
    await sender.keyboard.press("Enter")
    await sender.keyboard.press("Tab")
    await choose_by_keyboard(sender, "jn-ds-center")
    await sender.keyboard.press("Tab")
    await sender.keyboard.type("涉及辖区内多家企业，需街道协调")
    await sender.keyboard.press("Tab")
    await sender.keyboard.press("Enter")
    await sender.wait_for_load_state()
    pending = sender.locator("#pending-transfer")
    await expect(pending).to_contain_text("东山街道综治中心")
    await expect(pending).to_contain_text("签收期限")
    await shot(sender, "01-transfer-awaiting")
    # While it awaits 签收 the sender is offered neither a second 转办 (the case refuses it) nor
    # 受理 (the receiver's, once taken); a second transfer posted anyway is refused in Chinese.
    await expect(sender.locator("#action-transfer, #action-accept, #action-lift")).to_have_count(0)
    token = await sender.locator("input[name=csrf_token]").first.input_value()
    again = await sender.request.post(
        f"{case_url}/act/transfer",
        form={"csrf_token": token, "to_organisation": "jn-labour-room", "reason": "再次转办"},
        headers={"Origin": pages.console.url},
    )
    assert again.status == 409
    assert "待其签收或退回" in await again.text()
    await shot(sender, "01b-sender-awaits-taking")
    phone = await pages.open(390, 844)
    await pages.sign_in(phone, VILLAGE.user_id)
    await phone.goto(case_url)
    await shot(phone, "01c-sender-awaits-taking-390")

    receiver = await pages.open()
    await pages.sign_in(receiver, TOWN.user_id)
    await expect(receiver).to_have_url(re.compile(r"/worklist$"))
    incoming = receiver.locator("#group-incoming_transfer .count")
    await expect(incoming).not_to_have_text("0")
    await receiver.locator("#group-incoming_transfer").click()
    row = receiver.locator("tr", has_text=case_id)
    await expect(row).to_contain_text("待签收")
    await shot(receiver, "02-worklist-incoming")
    await row.get_by_role("link", name=case_id).click()
    assert await unlabelled_inputs(receiver) == []
    # 签收 by keyboard.
    await receiver.locator("#action-take summary").focus()
    await receiver.keyboard.press("Enter")
    await receiver.keyboard.press("Tab")
    await receiver.keyboard.type("已签收，由街道调解")
    await receiver.keyboard.press("Tab")
    await receiver.keyboard.press("Enter")
    await receiver.wait_for_load_state()
    await expect(receiver.locator(".flash")).to_have_text("已签收")
    await expect(receiver.locator("#holder")).to_have_text("东山街道综治中心")
    await expect(receiver.locator("#handoff-log")).to_contain_text("签收")
    await expect(receiver.locator("#action-transfer")).to_have_count(1)
    await shot(receiver, "03-taken")

    # The sender still reads the case but is offered nothing, and a replayed form is refused.
    await sender.goto(case_url)
    await expect(sender.locator("#holder")).to_have_text("东山街道综治中心")
    await expect(sender.locator("#no-actions")).to_contain_text("东山街道综治中心")
    await expect(sender.locator("details.action")).to_have_count(0)
    token = await sender.locator("input[name=csrf_token]").first.input_value()
    answer = await sender.request.post(
        f"{case_url}/act/accept",
        form={"csrf_token": token, "note": "越权受理"},
        headers={"Origin": pages.console.url},
    )
    assert answer.status == 403
    assert "无权办理" in await answer.text()
    await shot(sender, "04-sender-reads-only")

    # The county leader: counts per organisation, each a link to its cases.
    leader = await pages.open()
    await pages.sign_in(leader, county.STAFF["leader"].user_id)
    await expect(leader).to_have_url(re.compile(r"/leader$"))
    row = leader.locator("#org-board tr", has_text="东山街道综治中心")
    await expect(row).to_be_visible()
    await shot(leader, "05-leader-board")
    await row.get_by_role("link", name="东山街道综治中心已登记").click()
    await expect(leader).to_have_url(re.compile(r"/cases\?.*holder=jn-ds-center"))
    await expect(leader.get_by_role("link", name=case_id)).to_be_visible()
    await shot(leader, "06-leader-drill-down")


async def test_the_sender_recalls_a_transfer_awaiting_taking(
    pages: Pages, shot: Shot, jiangning: None
) -> None:
    """撤回转办: the labour room sends a case to the town center and takes it back before it is
    taken; the town's 待签收 item is gone. The routing log names who registered the case."""
    registrar = await pages.open()
    await pages.sign_in(registrar, VILLAGE.user_id)
    await register_labour_dispute(registrar, "上坊社区欠薪纠纷（撤回转办）")
    await registrar.get_by_role("button", name="登记", exact=True).click()
    await expect(registrar).to_have_url(re.compile(r"/cases/JF-"))
    case_url = registrar.url.split("?")[0]
    case_id = case_url.rsplit("/", 1)[1]

    sender = await pages.open()
    await pages.sign_in(sender, county.STAFF["labour"].user_id)
    await sender.goto(case_url)
    log = sender.locator("#handoff-log")
    await expect(log).to_contain_text("登记：上坊社区人民调解委员会，分流至 江宁区劳动争议调解室")
    await expect(sender.locator("#action-recall")).to_have_count(0)  # nothing awaits 签收 yet
    form = sender.locator("#action-transfer")
    await form.locator("summary").click()
    await form.get_by_label("接收单位", exact=True).select_option("jn-ds-center")
    await form.get_by_label("转办理由", exact=True).fill("涉及辖区内多家企业，需街道协调")
    await form.locator("button[type=submit]").click()
    await sender.wait_for_load_state()
    await expect(sender.locator("#pending-transfer")).to_contain_text("东山街道综治中心")
    recall = sender.locator("#action-recall")
    await expect(recall).to_have_count(1)
    await recall.locator("summary").click()
    assert await unlabelled_inputs(sender) == []
    await shot(sender, "07-recall-offered")
    phone = await pages.open(390, 844)
    await pages.sign_in(phone, county.STAFF["labour"].user_id)
    await phone.goto(case_url)
    await phone.locator("#action-recall summary").click()
    await shot(phone, "07b-recall-offered-390")

    # An empty reason is refused beside the field; then the transfer is recalled.
    await recall.get_by_label("撤回理由", exact=True).fill("   ")
    await recall.locator("button[type=submit]").click()
    await sender.wait_for_load_state()
    await expect(recall).to_contain_text("此项必填")
    if await recall.get_attribute("open") is None:  # the refused form is shown open
        await recall.locator("summary").click()
    await recall.get_by_label("撤回理由", exact=True).fill("转错单位，撤回重新研判")
    await recall.locator("button[type=submit]").click()
    await sender.wait_for_load_state()
    await expect(sender.locator(".flash")).to_have_text("已撤回转办")
    await expect(sender.locator("#pending-transfer")).to_have_count(0)
    await expect(sender.locator("#holder")).to_have_text("江宁区劳动争议调解室")
    await expect(log).to_contain_text("撤回转办")
    await expect(log).to_contain_text("转错单位，撤回重新研判")
    await expect(sender.locator("#action-recall")).to_have_count(0)
    await expect(sender.locator("#action-transfer")).to_have_count(1)
    await shot(sender, "08-recalled")

    # The town center has nothing awaiting it any more.
    receiver = await pages.open()
    await pages.sign_in(receiver, TOWN.user_id)
    await receiver.goto(f"{pages.console.url}/worklist")
    await expect(receiver.locator("tr", has_text=case_id)).to_have_count(0)


async def test_intake_places_are_chosen_from_the_registry_by_name(
    pages: Pages, shot: Shot, jiangning: None
) -> None:
    """陈建平 (the county center) places a case by names: the town narrows the villages."""
    page = await pages.open()
    await pages.sign_in(page, county.STAFF["county"].user_id)
    await page.get_by_role("link", name="登记").click()
    county_select = page.get_by_label("县（区）", exact=True)
    town = page.get_by_label("乡镇（街道）", exact=True)
    village = page.get_by_label("村（社区）", exact=True)
    await expect(county_select).to_have_value(county.COUNTY)
    await expect(county_select.locator("option:checked")).to_have_text("江宁区")
    assert await unlabelled_inputs(page) == []
    # Keyboard only: 秣陵街道 has no village in the registry, 东山街道 has 上坊社区.
    await town.focus()
    await choose_by_keyboard(page, county.MOLING)
    await expect(village.locator("option")).to_have_text(["不选（属乡镇街道本级）"])
    await shot(page, "01-town-narrows-villages")
    await choose_by_keyboard(page, county.DONGSHAN, key="ArrowUp")
    await expect(village.locator("option")).to_have_text(
        ["不选（属乡镇街道本级）", "东山街道 / 上坊社区"]
    )
    await page.keyboard.press("Tab")
    await choose_by_keyboard(page, county.SHANGFANG)
    await fill(
        page,
        {
            "标题": "上坊社区楼道堆物引发邻里纠纷",
            "纠纷简要情况": "楼道长期堆放杂物，邻居多次协商未果。",
            "申请人1/姓名或名称": "孔令辉",
            "申请人1/联系电话": "13951170001",
        },
        {"纠纷类别": "邻里纠纷"},
    )
    await expect(page.locator("#routing-suggestion")).to_contain_text("分流建议")
    await shot(page, "02-place-chosen")
    await page.get_by_role("button", name="登记", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/cases/JF-\d{4}-\d{6}\?done=registered$"))
    await expect(page.locator("dt:text-is('属地') + dd")).to_have_text("江宁区 东山街道 上坊社区")
    await shot(page, "03-registered-with-place-names")


async def test_intake_places_work_without_javascript(
    pages: Pages, shot: Shot, jiangning: None
) -> None:
    """No script: every village is offered named with its town, and choosing one places the
    case there (its town with it) even with the town left unchosen."""
    page = await pages.open(javascript=False)
    await pages.sign_in(page, county.STAFF["county"].user_id)
    await page.get_by_role("link", name="登记").click()
    town = page.get_by_label("乡镇（街道）", exact=True)
    await expect(town).to_have_value("")
    await page.get_by_label("村（社区）", exact=True).select_option(label="东山街道 / 上坊社区")
    await fill(
        page,
        {
            "标题": "上坊社区噪音扰民纠纷",
            "纠纷简要情况": "楼上夜间装修噪音扰民。",
            "申请人1/姓名或名称": "钱多多",
            "申请人1/联系电话": "13951170002",
        },
        {"纠纷类别": "邻里纠纷"},
    )
    await page.get_by_role("button", name="查看分流建议").click()
    await expect(page.get_by_label("村（社区）", exact=True)).to_have_value(county.SHANGFANG)
    await expect(town).to_have_value(county.DONGSHAN)  # shown as it will be recorded
    await expect(page.locator("#routing-suggestion")).to_contain_text("分流建议")
    await shot(page, "01-no-script-preview")
    await page.get_by_role("button", name="登记", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/cases/JF-\d{4}-\d{6}\?done=registered$"))
    await expect(page.locator("dt:text-is('属地') + dd")).to_have_text("江宁区 东山街道 上坊社区")
    await shot(page, "02-registered")


async def test_a_grid_worker_reports_from_the_console_and_follows_the_report(
    pages: Pages, shot: Shot, jiangning: None
) -> None:
    """王小明 (上坊社区第一网格) reports by keyboard only; the grid, its village and the channel
    are the service's, the report then stands in their list with its status."""
    grid = county.STAFF["grid"]
    page = await pages.open()
    await pages.sign_in(page, grid.user_id)
    await expect(page).to_have_url(re.compile(r"/reports$"))
    place = page.locator("#grid-place")
    await expect(place).to_contain_text("上坊社区第一网格")
    await expect(place).to_contain_text("江宁区 / 东山街道 / 上坊社区")
    await expect(place).to_contain_text("网格上报")
    form = page.locator("#report-form")
    for asked_elsewhere in ("来源渠道", "县（区）", "村（社区）", "承办单位", "案件类型"):
        await expect(form.get_by_label(asked_elsewhere, exact=True)).to_have_count(0)
    assert await unlabelled_inputs(page) == []
    await shot(page, "01-report-form")

    # Keyboard only: title, category (arrow keys), description, first applicant; a bad phone
    # is refused beside its field in the API's words.
    title = "上坊社区第一网格楼道漏水邻里纠纷"
    await form.get_by_label("标题", exact=True).focus()
    await page.keyboard.type(title)
    await page.keyboard.press("Tab")
    await choose_by_keyboard(page, "neighbourhood")
    await page.keyboard.press("Tab")
    await page.keyboard.type("网格员走访发现，楼上卫生间漏水殃及楼下，双方多次争吵。")
    await page.keyboard.press("Tab")
    await page.keyboard.type("蒋文")  # 申请人1 姓名
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")  # 身份证号码 left empty
    await page.keyboard.type("139511")
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    phone = page.locator("#f-applicants-0-phone-error")
    await expect(phone).to_contain_text("电话号码格式不正确")
    await expect(page.get_by_label("标题", exact=True)).to_have_value(title)
    await shot(page, "02-refused-beside-the-field")
    # The script put the focus on the field in error: retype the phone and send.
    await expect(page.locator("#f-applicants-0-phone")).to_be_focused()
    await page.keyboard.press("ControlOrMeta+A")
    await page.keyboard.type("13951180001")
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()

    await expect(page).to_have_url(re.compile(r"/reports\?reported=JF-\d{4}-\d{6}$"))
    case_id = page.url.rsplit("=", 1)[1]
    await expect(page.locator(".flash")).to_have_text(
        f"已上报（{case_id}），按分流规则交有关单位办理"
    )
    row = page.locator("#reports tr", has_text=case_id)
    await expect(row).to_contain_text(title)
    await expect(row).to_be_in_viewport()  # the list comes first: seen without scrolling
    await expect(row).to_contain_text("邻里纠纷")
    await expect(row).to_contain_text("已登记")
    await expect(row).to_contain_text("上坊社区人民调解委员会")
    await expect(page.locator("#reports")).not_to_contain_text("蒋文")  # status, never parties
    await shot(page, "03-report-listed")


async def _tab_until(page: Page, test: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element passes ``test`` (a JS expression over ``e``)."""
    for _ in range(limit):
        if await page.evaluate(f"() => {{ const e = document.activeElement; return {test}; }}"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"focus never reached: {test}")


async def test_the_intake_form_by_keyboard_only(pages: Pages, shot: Shot, jiangning: None) -> None:
    """A staff member registers a dispute without the mouse: Tab between the fields, type, the
    arrow keys in the selects, Enter on the 登记 button; the case is registered as typed."""
    page = await pages.open()
    await pages.sign_in(page, county.STAFF["village"].user_id)
    await page.goto(f"{pages.console.url}/cases/new")
    assert await unlabelled_inputs(page) == []
    await page.get_by_label("标题", exact=True).focus()
    title = f"上坊社区邻里通道纠纷{uuid.uuid4().hex[:4]}"
    await page.keyboard.type(title)
    await page.keyboard.press("Tab")
    await choose_by_keyboard(page, "neighbourhood")
    await _tab_until(page, "e.name === 'description'")
    await page.keyboard.type("两户之间通道被堆放建材，出入受阻，双方多次争吵。")
    await _tab_until(page, "e.name === 'applicants.0.name'")
    await page.keyboard.type("蒋文")
    await page.keyboard.press("Tab")
    await page.keyboard.type("320115198805061232")
    await page.keyboard.press("Tab")
    await page.keyboard.type("13951180002")
    await _tab_until(page, "e.name === 'respondents.0.name'")
    await page.keyboard.type("韩梅")
    await _tab_until(page, "e.tagName === 'BUTTON' && e.textContent.trim() === '登记'")
    await shot(page, "01-intake-by-keyboard")
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    await expect(page.get_by_role("heading", name=title)).to_be_visible()
    await expect(page.locator("#case-stage")).to_have_text("已登记")
    await expect(page.locator("body")).to_contain_text("上坊社区人民调解委员会")  # routed: stays
    await shot(page, "02-registered-by-keyboard")
