"""A mediator signs in, registers a dispute and takes it through plan, mediation, agreement, court
confirmation, follow-up and close — in Chromium, against the real stack."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.console.conftest import Pages, Shot
from tests.console.helpers import act, day, expect_stage, fill, unlabelled_inputs

pytestmark = pytest.mark.e2e


async def test_a_mediator_takes_a_dispute_from_intake_to_close(pages: Pages, shot: Shot) -> None:
    page = await pages.open()
    await pages.sign_in(page, "wangfang")
    # Mediation staff start at their worklist (我的待办).
    await expect(page).to_have_url(re.compile(r"/worklist$"))
    await expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    await shot(page, "00-worklist")
    await page.get_by_role("link", name="案件", exact=True).click()
    await expect(page.get_by_role("heading", name="案件列表")).to_be_visible()
    await shot(page, "01-case-list")

    await page.get_by_role("link", name="登记", exact=True).click()
    assert await unlabelled_inputs(page) == []
    # Sent without a title and with a bad phone: the Chinese message stands beside each field.
    await fill(
        page,
        {
            "纠纷简要情况": "两户之间通道被堆放建材，出入受阻，双方多次争吵。",
            "申请人1/姓名或名称": "张伟",
            "申请人1/身份证号码": "110101199003071233",
            "申请人1/联系电话": "1381234",
            "被申请人1/姓名或名称": "李娜",
        },
        {"纠纷类别": "邻里纠纷", "乡镇（街道）": "梅园新村街道"},
    )
    await page.get_by_role("button", name="登记").click()
    await expect(page.locator("#f-title-error")).to_have_text("此项必填")
    await expect(page.locator("#f-applicants-0-phone-error")).to_contain_text("电话号码格式不正确")
    await shot(page, "02-intake-refused")

    await fill(page, {"标题": "张某与李某相邻通行纠纷", "申请人1/联系电话": "13812345678"}, {})
    await page.get_by_role("button", name="登记").click()
    await expect(page).to_have_url(re.compile(r"/cases/JF-\d{4}-\d{6}\?done=registered$"))
    await expect_stage(page, "已登记")
    # Parties are masked until "显示" with a reason.
    await expect(page.get_by_role("cell", name="138****5678")).to_be_visible()
    assert await unlabelled_inputs(page) == []
    await shot(page, "03-registered")
    case_url = page.url.split("?")[0]

    # 受理 with the keyboard only: focus the action, open it, tab to its button, press Enter.
    summary = page.locator("#action-accept summary")
    await summary.focus()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    await page.keyboard.type("符合受理条件")
    await page.keyboard.press("Tab")  # the date (left empty: today)
    await page.keyboard.press("Tab")  # the button
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    await expect_stage(page, "已受理")

    # 责任人 from the center's staff (by user id), 王芳 herself offered first; no name typed.
    plan_form = page.locator("#action-plan")
    await plan_form.locator("summary").click()
    await expect(plan_form.get_by_label("责任人", exact=True)).to_have_value("wangfang")
    offered = (
        await plan_form.get_by_label("责任人", exact=True).locator("option").all_text_contents()
    )
    assert {"王芳", "陈静", "其他（手填）"} <= set(offered), offered
    assert "赵磊" not in offered  # another center's mediator
    await fill(
        plan_form,
        {"化解措施（每行一项）": "实地查看通道\n分别约谈双方\n组织面对面调解", "化解时限": day(30)},
        {},
    )
    await plan_form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    await expect(page.get_by_role("heading", name="一案一策")).to_be_visible()
    await expect(page.locator("section[aria-labelledby=h-plan]")).to_contain_text("王芳")
    # 包案领导 from the leaders over the case's place (the county's, not another town's).
    leader_form = page.locator("#action-package-leader")
    await leader_form.locator("summary").click()
    leaders = (
        await leader_form.get_by_label("包案领导", exact=True).locator("option").all_text_contents()
    )
    assert "周军" in leaders, leaders
    assert "孙丽" not in leaders  # another town's leader
    assert await unlabelled_inputs(page) == []
    await fill(leader_form, {"职务": "区委政法委副书记"}, {"包案领导": "周军"})
    await leader_form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    await expect(page.locator("section[aria-labelledby=h-leader]")).to_contain_text("周军")
    await shot(page, "03a-plan-and-leader-chosen")
    # 责任单位 was left as offered: the case's own unit, chosen from the registry by its id and
    # recorded by its registry name.
    plan = page.locator("section[aria-labelledby=h-plan]")
    await expect(plan).to_contain_text("玄武区矛盾纠纷调解中心")
    # 开始调解 at a 人民调解 centre: 调解类型 is preset; sent without mediators, the message
    # stands beside the mediators' field at once (not above the form, not on a second try).
    start = page.locator("#action-start-mediation")
    await start.locator("summary").click()
    await expect(start.get_by_label("调解类型")).to_have_value("peoples")
    await start.get_by_label("调解类型").select_option(label="行政调解")
    await start.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    start = page.locator("#action-start-mediation")
    await expect(start.locator("#f-start-mediation-mediators-error")).to_have_text("此项必填")
    await expect(start.locator(".error-text")).to_have_count(0)
    await expect(start.get_by_label("调解类型")).to_have_value("administrative")
    await shot(page, "03b-start-mediation-refused")
    await fill(start, {"调解员（每行一人）": "王芳\n刘洋"}, {"调解类型": "人民调解"})
    await start.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    await expect_stage(page, "调解中")
    await act(
        page,
        "sessions",
        {
            "调解会日期": day(),
            "调解员（每行一人）": "王芳",
            "调解笔录摘要": "双方同意三日内清理建材，保持通道畅通。",
        },
    )
    await expect(page.get_by_text("第 1 次调解会")).to_be_visible()

    # An agreement signed in the future is refused by the domain: the message stands beside it.
    await act(
        page,
        "agreement",
        {
            "协议内容": "李某于十日内清理通道建材，双方互不干扰通行。",
            "签订日期": day(3),
            "履行事项 1": "李某清理通道建材",
            "履行事项 1 的履行期限": day(10),
        },
    )
    refusal = page.locator("#action-agreement .field-error, #action-agreement .error-text").first
    await expect(refusal).to_be_visible()
    # The refusal names the field in Chinese, no field id inside it.
    await expect(refusal).to_contain_text("签订日期不能晚于今天")
    assert "signed_on" not in await refusal.inner_text()
    await shot(page, "04-agreement-refused")
    form = page.locator("#action-agreement")
    await form.get_by_label("签订日期", exact=True).fill(day())
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    await expect_stage(page, "已达成调解协议")

    await act(
        page,
        "judicial-confirmation",
        {"其他人民法院名称（手填）": "玄武区人民法院", "共同申请日期": day()},
        selects={"人民法院": "其他（手填）"},
    )
    await expect_stage(page, "司法确认中")
    # The court decides what it has accepted: 记录法院受理 is offered, 记录法院裁定 not yet.
    await expect(page.locator("#action-court-acceptance")).to_have_count(1)
    await expect(page.locator("#action-court-decision")).to_have_count(0)
    await act(page, "court-acceptance", {"法院受理日期": day()})
    await expect(page.locator("#action-court-decision")).to_have_count(1)
    await act(
        page,
        "court-decision",
        {"裁定日期": day(), "裁定书文号": "（2026）苏0102民特1号"},
        selects={"法院裁定": "确认有效"},
    )
    await expect_stage(page, "履行回访中")
    # The ruling's number keeps its own brackets, with none added around it.
    court = page.locator("#h-court ~ p").first
    await expect(court).to_contain_text("裁定书文号 （2026）苏0102民特1号")
    assert "（（" not in await page.locator("main").inner_text()
    await shot(page, "05-following-up")
    await act(
        page,
        "follow-ups",
        {"回访日期": day(), "回访情况": "通道已清理，双方满意。"},
        selects={"当事人满意度": "满意", "履行情况：李某清理通道建材": "已履行"},
    )
    await act(page, "close", {"销号说明": "协议已履行完毕"})
    await expect_stage(page, "已销号")
    await expect(page.get_by_text("当前阶段没有可办理的操作。")).to_be_visible()
    await shot(page, "06-closed")

    # "显示" with a reason shows the clear phone, and the read is in the access trail.
    await page.get_by_text("显示完整个人信息").click()
    await page.get_by_label("查看原因（记入访问留痕）").fill("回访核对联系方式")
    await page.get_by_role("button", name="显示").click()
    await expect(page.get_by_role("cell", name="13812345678")).to_be_visible()
    await shot(page, "07-revealed")
    assert page.url.startswith(case_url)

    wide = await pages.open(1920, 1080)
    await pages.sign_in(wide, "wangfang")
    await wide.goto(case_url)
    await shot(wide, "08-closed-1920")


async def test_a_mediator_of_another_center_cannot_reach_the_case(pages: Pages, shot: Shot) -> None:
    owner = await pages.open()
    await pages.sign_in(owner, "wangfang")
    await owner.get_by_role("link", name="登记", exact=True).click()
    await fill(
        owner,
        {
            "标题": "物业费争议",
            "纠纷简要情况": "业主认为物业服务不到位，拒交物业费。",
            "申请人1/姓名或名称": "周敏",
        },
        {"纠纷类别": "物业纠纷"},
    )
    await owner.get_by_role("button", name="登记").click()
    await expect(owner).to_have_url(re.compile(r"/cases/JF-"))
    case_url = owner.url.split("?")[0]

    other = await pages.open()
    await pages.sign_in(other, "zhaolei")
    response = await other.goto(case_url)
    assert response is not None
    assert response.status == 404
    await expect(other.get_by_role("heading", name="页面或案件不存在")).to_be_visible()
    await shot(other, "01-other-center-404")
    # Nor can it act on the case by posting to its URL: neither with its own form token nor with
    # the owner's (a token belongs to one session); the case stays as it was.
    listed = await other.goto(f"{pages.console.url}/cases")
    assert listed is not None
    assert listed.status == 200
    await expect(other.get_by_role("link", name=case_url.rsplit("/", 1)[1])).to_have_count(0)
    own_token = await other.locator("input[name=csrf_token]").first.input_value()
    await owner.goto(case_url)
    owner_token = await owner.locator("input[name=csrf_token]").first.input_value()
    assert own_token != owner_token
    origin = {"Origin": pages.console.url}
    with_own = await other.request.post(
        f"{case_url}/act/accept", form={"csrf_token": own_token, "note": "越权受理"}, headers=origin
    )
    assert with_own.status == 404
    with_owners = await other.request.post(
        f"{case_url}/act/accept",
        form={"csrf_token": owner_token, "note": "冒用他人表单受理"},
        headers=origin,
    )
    assert with_owners.status == 403
    assert "表单已失效或来源不明" in await with_owners.text()
    # The owner's own session with its token still works, and the case was not accepted.
    await owner.reload()
    await expect_stage(owner, "已登记")
    await expect(owner.locator("#action-accept")).to_have_count(1)
