"""Real-browser tests: Debian's chromium, headless, driven by Playwright against the app served
by uvicorn on a loopback port. Screenshots go to test-artifacts/ (phone and desktop sizes)."""

from __future__ import annotations

from typing import Any

from browser_support import BROWSER_MARKS, DESKTOP, PHONE, LiveServer, shot

pytestmark = BROWSER_MARKS


def compute(page: Any, covered_cost: str, **selects: str) -> tuple[str, str]:
    """Fill the estimator's selects (by element id) and amount, submit, return (fund, patient)."""
    for element_id, value in selects.items():
        page.select_option(f"#{element_id}", value)
    page.fill("#covered_cost", covered_cost)
    page.click("#calc")
    page.locator("#result").wait_for()
    return page.inner_text("#fund-share"), page.inner_text("#patient-share")


def test_chat_round_trip_with_citation_and_rating(page_factory: Any, live: LiveServer) -> None:
    page = page_factory(PHONE)
    page.goto(live.url + "/")
    page.fill("#message", "住院起付线是多少")
    page.keyboard.press("Enter")
    answer = page.locator(".msg-bot .answer").last
    answer.wait_for()
    assert answer.inner_text() == "二级医院起付线500元[1]。"
    detail = page.locator(".citation .cite-detail").first
    assert detail.is_hidden()
    page.locator(".msg-bot .ref").first.click()  # the [1] marker in the answer
    assert detail.is_visible()
    assert "二级医院起付线500元" in detail.inner_text()
    page.get_by_text("查看完整条款及出处").click()
    page.get_by_text("原文位置：a.txt 第12行；b.txt 第40行").wait_for()
    shot(page, "chat-phone")
    shot(page, "chat-phone-viewport", full_page=False)  # what the phone shows: composer pinned below
    page.locator(".rating .star").nth(4).click()
    page.get_by_text("谢谢您的评价（5分：很满意）").wait_for()
    feedback = live.app.state.services.db.feedback()
    assert feedback[-1]["rating"] == 5
    page.click("#large-font")
    assert "large" in (page.get_attribute("html", "class") or "")
    shot(page, "chat-phone-large-font")


def test_clarifying_question_answered_by_button(page_factory: Any, live: LiveServer) -> None:
    page = page_factory(PHONE)
    page.goto(live.url + "/")
    page.fill("#message", "住院报销多少")
    page.click("#send")
    page.locator(".quick-replies .chip").first.wait_for()
    options = page.locator(".quick-replies .chip").all_inner_texts()
    assert options == ["一级医院", "二级医院", "三级医院"]
    shot(page, "chat-clarification-phone")
    page.locator(".quick-replies .chip", has_text="二级医院").click()
    page.locator(".msg-bot .answer", has_text="二级医院住院起付线见条款").wait_for()
    assert page.locator(".msg-user .bubble").all_inner_texts()[-1] == "二级医院"
    assert live.assistant is not None
    first, second = live.assistant.calls[-2], live.assistant.calls[-1]
    # a new conversation: the server issues the session id with the first message (issue 12)
    assert first[0] == "住院报销多少" and first[2] == "web" and str(first[1]).startswith("w-")
    assert second[0] == "二级医院" and second[1] == first[1]  # answered within the session it started
    assert page.locator(".quick-replies .chip").first.is_disabled()


def test_answer_text_is_not_html(page_factory: Any, live: LiveServer) -> None:
    page = page_factory(DESKTOP)
    page.goto(live.url + "/")
    page.fill("#message", "<script>alert(1)</script>")
    page.keyboard.press("Enter")
    page.locator(".msg-bot .answer", has_text="不是HTML").wait_for()
    assert page.locator(".messages img").count() == 0
    assert page.locator(".messages script").count() == 0
    assert page.locator(".msg-user .bubble").last.inner_text() == "<script>alert(1)</script>"
    shot(page, "chat-desktop")


def test_estimate_form(page_factory: Any, live: LiveServer) -> None:
    page = page_factory(DESKTOP)
    page.goto(live.url + "/estimate")
    page.locator("#policy option").first.wait_for(state="attached")
    page.click("#calc")  # no amount yet: the form names the missing field
    assert page.locator("#form-error").inner_text() == "请填写政策范围内费用。"
    assert "invalid" in (page.get_attribute("#covered_cost", "class") or "")
    assert compute(page, "10,000", hospital_level="2") == ("6650.00 元", "3350.00 元")
    rows = page.locator("#steps tr")
    assert rows.count() == 2
    assert "二级医院起付线500元" in rows.nth(0).inner_text()
    assert "以当地医保部门核定为准" in page.inner_text("#disclaimer")
    shot(page, "estimate-desktop")
    page.emulate_media(media="print")
    assert page.locator("#estimate-form").is_hidden()
    shot(page, "estimate-print")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    shot(page, "estimate-phone")


def test_console_search_keyboard_and_copy(page_factory: Any, live: LiveServer) -> None:
    page = page_factory(DESKTOP)
    page.goto(live.url + "/console")
    page.locator("#f-region option", has_text="乙市").wait_for(state="attached")
    page.locator("#q").press_sequentially("起付线", delay=30)
    # Search-as-you-type: results for a prefix ("起付") may show first; wait for the full query's.
    page.locator(".hit mark", has_text="起付线").first.wait_for()
    assert page.locator(".hit").count() == 1
    assert page.locator(".hit mark").first.inner_text() == "起付线"
    page.locator("#q").press("Enter")  # expand the active result
    page.get_by_text("原文位置：a.txt 第12行；b.txt 第40行").wait_for()
    page.locator("#q").press("Control+Enter")  # copy clause with citation
    page.get_by_text("已复制第 1 条及出处").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == ("一级医院起付线200元，二级医院起付线500元，三级医院起付线1000元。\n"
                      "——出处：甲县城乡居民医保实施办法 › 四、医保待遇 › (三)住院补偿（甲县，2023年）")
    shot(page, "console-desktop")
    page.fill("#q", "补助")
    page.locator(".hit-citation", has_text="乙市生育医疗费用补助办法").wait_for()
    page.select_option("#f-region", "甲县")
    page.get_by_text("政策库中未找到相关条款").wait_for()
    page.select_option("#f-region", "乙市")
    page.locator(".hit").first.wait_for()
    page.locator(".hit .copy").first.click()
    page.get_by_text("已复制第 1 条及出处").wait_for()
    assert page.evaluate("navigator.clipboard.readText()").startswith("住院分娩定额补助800元")
    page.set_viewport_size(PHONE)
    shot(page, "console-phone")


def test_console_shows_remembered_facts_with_one_tap_correction(page_factory: Any, live: LiveServer) -> None:
    page = page_factory(DESKTOP)
    page.goto(live.url + "/console")
    page.locator("#f-region option", has_text="乙市").wait_for(state="attached")
    page.fill("#case-input", "来电者是甲县城乡居民")
    page.click("#case-send")
    page.locator("#case-facts .chip", has_text="甲县").wait_for()
    assert page.locator("#case-facts .chip").all_inner_texts() == ["甲县", "城乡居民"]
    assert "已记住：甲县 · 城乡居民" in page.inner_text("#case-answer")
    # The remembered region narrows the clause search.
    assert page.eval_on_selector("#f-region", "s => s.value") == "甲县"
    page.locator("#case-facts .chip", has_text="甲县").click()  # one tap: a correction ready to finish
    assert page.input_value("#case-input") == "不对，甲县改为"
    assert page.evaluate("document.activeElement.id") == "case-input"
    page.locator("#case-input").press_sequentially("乙市")
    page.locator("#case-input").press("Enter")
    page.locator("#case-facts .chip", has_text="乙市").wait_for()
    assert "已更正" in page.inner_text("#case-answer")
    assert page.eval_on_selector("#f-region", "s => s.value") == "乙市"  # the filter follows the correction
    shot(page, "console-remembered-desktop")
    page.click("#case-new")  # next caller: the case and the filters it set are cleared
    assert page.locator("#case-facts .chip").count() == 0
    assert page.eval_on_selector("#f-region", "s => s.value") == ""


def test_real_stack_chat_and_estimate(page_factory: Any, live_real: LiveServer) -> None:
    page = page_factory(PHONE)
    page.goto(live_real.url + "/")
    page.fill("#message", "住院起付线是多少")
    page.keyboard.press("Enter")
    page.locator(".msg-bot .answer").last.wait_for()
    assert page.locator(".msg-bot .citation").count() >= 1
    page.locator(".msg-bot .ref").first.click()
    assert page.locator(".citation .cite-detail").first.is_visible()
    shot(page, "real-chat-phone")
    # 重庆 2013 一档, 二级医院: 起付线 300 元, 比例 60% → (10000 − 300) × 60% = 5820; patient 4180.
    page = page_factory(DESKTOP)
    page.goto(live_real.url + "/estimate")
    page.locator("#policy option[value='cq-resident-2013']").wait_for(state="attached")
    fund, patient = compute(page, "10000", policy="cq-resident-2013", service="inpatient", hospital_level="2", tier="1")
    assert (fund, patient) == ("5820.00 元", "4180.00 元")
    assert "一、二、三级医院住院起付线分别为100元/次、300元/次、800元/次" in page.inner_text("#steps")
    shot(page, "real-estimate-desktop")
