"""Accessibility of the three pages (web chat, estimate, operator console) in a real browser.

axe-core (the copy of axe.min.js that the PyPI package axe-playwright-python bundles, installed by
scripts/setup.sh from requirements.lock; nothing is fetched at run time) runs on every page in
each state a user can bring it to and must find nothing. Then each flow is walked by keyboard
alone: the focus never falls to <body>, never hides under a sticky bar, its ring and every field's
border stand out from the background by at least 3:1 (WCAG 1.4.11, computed here from the
browser's styles with the WCAG formula).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from browser_support import BROWSER_MARKS, DESKTOP, PHONE, LiveServer, shot

pytestmark = BROWSER_MARKS

axe_bundle = pytest.importorskip("axe_playwright_python.base", reason="axe-playwright-python (dev dependency) not installed")


# -- helpers ----------------------------------------------------------------------------------

def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it is now, one line per rule with its elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_bundle.AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in result["violations"]]


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def parse_rgb(css: str) -> tuple[float, float, float]:
    numbers = [float(x) for x in re.findall(r"[\d.]+", css)[:3]]
    assert len(numbers) == 3, css
    return numbers[0], numbers[1], numbers[2]


# What the focused element is, whether anything is painted over it (the sticky bars), its focus
# ring and what lies behind that ring (the first opaque background among its ancestors: the ring
# is drawn outside the element).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const backdrop = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const bg = getComputedStyle(n).backgroundColor;
      const alpha = bg.startsWith('rgba') ? parseFloat(bg.split(',')[3]) : 1;
      if (bg !== 'transparent' && alpha > 0.5) return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const x = Math.min(Math.max((r.left + r.right) / 2, 1), window.innerWidth - 1);  // mid-width: clear of rounded corners
  const points = [r.top + 2, (r.top + r.bottom) / 2, r.bottom - 2];
  const over = points.map((y) => document.elementFromPoint(x, y));
  const seen = over.map((hit) => !!hit && (el === hit || el.contains(hit)));
  return {
    tag: el.tagName, id: el.id, cls: String(el.className), text: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40),
    outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), outlineColor: s.outlineColor,
    backdrop: backdrop(el.parentElement),
    top: r.top, bottom: r.bottom, tall: r.height > window.innerHeight / 3,
    visible: r.height > window.innerHeight / 3 ? seen.some(Boolean) : seen.every(Boolean),
    over: over.filter((hit, i) => !seen[i]).map((hit) => hit ? `${hit.tagName}.${hit.className}` : 'nothing (off screen)'),
  };
}"""


def focus_state(page: Any) -> dict[str, Any]:
    # the page moves a control clear of the sticky bars after the browser's own scroll: one frame
    page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    state: dict[str, Any] = page.evaluate(FOCUS_STATE)
    return state


def focus_problems(state: dict[str, Any]) -> list[str]:
    """What is wrong with where the focus is: lost to <body>, hidden under a sticky bar, weak ring."""
    where = f"{state['tag']}#{state['id']}.{state['cls']} «{state['text']}»"
    if state["tag"] == "BODY":
        return ["focus fell to <body>"]
    problems = []
    if not state["visible"]:
        problems.append(f"{where} hidden at {state['top']:.0f}–{state['bottom']:.0f} px: {state['over']} over it")
    if state["outline"] == "none" or state["outlineWidth"] < 2:
        problems.append(f"{where} has no visible focus ring")
    else:
        ratio = contrast(parse_rgb(state["outlineColor"]), parse_rgb(state["backdrop"]))
        if ratio < 3:
            problems.append(f"{where} focus ring {state['outlineColor']} on {state['backdrop']}: {ratio:.2f}:1")
    return problems


def tab_until(page: Any, selector: str, *, backwards: bool = False, limit: int = 60) -> list[str]:
    """Presses Tab (or Shift+Tab) until the focused element matches `selector`; returns every
    problem seen on the way (each stop checked with focus_problems)."""
    problems: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        problems += focus_problems(focus_state(page))
        if page.evaluate("(sel) => document.activeElement.matches(sel)", selector):
            return problems
    raise AssertionError(f"{selector} not reached by keyboard within {limit} presses")


def active_matches(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(sel) => document.activeElement.matches(sel)", selector))


def field_border_problems(page: Any) -> list[str]:
    """Every visible text field, select and textarea: border against the background around it ≥ 3:1."""
    fields = page.evaluate("""() => [...document.querySelectorAll('input:not([type=checkbox]), select, textarea')]
      .filter((el) => el.offsetParent !== null)
      .map((el) => {
        let bg = 'rgb(255, 255, 255)';
        for (let n = el.parentElement; n; n = n.parentElement) {
          const c = getComputedStyle(n).backgroundColor;
          if (c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0)')) { bg = c; break; }
        }
        const s = getComputedStyle(el);
        return {id: el.id, border: s.borderTopColor, width: parseFloat(s.borderTopWidth), fill: s.backgroundColor, around: bg};
      })""")
    assert fields, "no fields found"
    problems = []
    for f in fields:
        if f["width"] < 1:
            problems.append(f"#{f['id']} has no border")
            continue
        ratio = contrast(parse_rgb(f["border"]), parse_rgb(f["around"]))
        if ratio < 3:
            problems.append(f"#{f['id']} border {f['border']} on {f['around']}: {ratio:.2f}:1")
    return problems


# (wait_for_function gets functions, never bare expressions: the pages' CSP forbids eval)
def open_page(page_factory: Any, url: str, viewport: dict[str, int]) -> Any:
    """A page that asked for reduced motion: the app scrolls at once, so what is on screen after a
    key press is where the focus ends up, not a frame of a smooth scroll."""
    page = page_factory(viewport)
    page.emulate_media(reduced_motion="reduce")
    page.goto(url)
    return page


def ask(page: Any, text: str) -> None:
    page.fill("#message", text)
    page.locator("#message").press("Enter")


# -- axe-core on every page and state ----------------------------------------------------------

def test_chat_has_no_axe_violations_in_any_state(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/", PHONE)
    found = {"empty": axe_violations(page)}
    ask(page, "住院起付线是多少")
    page.locator(".msg-bot .answer").last.wait_for()
    found["answer"] = axe_violations(page)
    page.locator(".msg-bot .ref").first.click()
    found["citation open"] = axe_violations(page)
    page.get_by_text("查看完整条款及出处").click()
    page.get_by_text("原文位置：a.txt 第12行；b.txt 第40行").wait_for()
    found["full clause"] = axe_violations(page)
    page.locator(".rating .star").nth(3).click()
    page.locator(".rating-done").wait_for()
    found["rated"] = axe_violations(page)
    ask(page, "住院报销多少")
    page.locator(".quick-replies .chip").first.wait_for()
    found["clarifying question"] = axe_violations(page)
    page.locator(".quick-replies .chip", has_text="三级医院").click()
    page.locator(".msg-bot .answer", has_text="三级医院住院起付线").wait_for()
    found["quick reply answered"] = axe_violations(page)
    ask(page, "<script>alert(1)</script>")
    page.locator(".msg-bot .answer", has_text="不是HTML").wait_for()
    page.click("#large-font")
    found["large font"] = axe_violations(page)
    page.set_viewport_size(DESKTOP)
    found["desktop"] = axe_violations(page)
    assert found == {state: [] for state in found}


def test_estimate_has_no_axe_violations_in_any_state(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/estimate", DESKTOP)
    page.locator("#policy option").first.wait_for(state="attached")
    found = {"empty": axe_violations(page)}
    page.click("#calc")
    page.locator("#form-error").wait_for()
    found["missing amount"] = axe_violations(page)
    page.locator("details.more summary").click()
    found["more fields open"] = axe_violations(page)
    page.fill("#covered_cost", "10000")
    page.click("#calc")
    page.locator("#result").wait_for()
    found["result"] = axe_violations(page)
    page.set_viewport_size(PHONE)
    page.click("#large-font")
    found["large font on a phone"] = axe_violations(page)
    assert found == {state: [] for state in found}


def test_console_has_no_axe_violations_in_any_state(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/console", DESKTOP)
    page.locator("#f-region option", has_text="乙市").wait_for(state="attached")
    found = {"empty": axe_violations(page)}
    page.fill("#q", "元")
    page.locator(".hit").nth(1).wait_for()
    found["results"] = axe_violations(page)
    page.locator("#q").press("Enter")
    page.get_by_text("原文位置：a.txt 第12行；b.txt 第40行").wait_for()
    found["result opened"] = axe_violations(page)
    page.locator("#q").press("Control+Enter")
    page.get_by_text("已复制第 1 条及出处").wait_for()
    found["copied"] = axe_violations(page)
    page.select_option("#f-year", "2022")
    page.wait_for_function("() => document.querySelectorAll('.hit').length === 1")  # the filtered search has answered
    found["filtered"] = axe_violations(page)
    page.fill("#q", "没有这个词")
    page.get_by_text("政策库中未找到相关条款").wait_for()
    found["nothing found"] = axe_violations(page)
    page.set_viewport_size(PHONE)
    page.click("#large-font")
    found["large font on a phone"] = axe_violations(page)
    assert found == {state: [] for state in found}


# -- each flow by keyboard alone ---------------------------------------------------------------

def test_chat_by_keyboard_alone(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/", PHONE)
    problems = tab_until(page, "#message")
    page.keyboard.type("住院起付线是多少")
    page.keyboard.press("Enter")
    page.locator(".msg-bot .answer").last.wait_for()
    # back from the input into the answer: its citation opens with Enter
    problems += tab_until(page, ".cite-toggle", backwards=True)
    page.keyboard.press("Enter")
    assert page.locator(".cite-toggle").first.get_attribute("aria-expanded") == "true"
    problems += tab_until(page, ".cite-more")
    page.keyboard.press("Enter")
    page.get_by_text("原文位置：a.txt 第12行；b.txt 第40行").wait_for()
    assert active_matches(page, ".cite-full"), "after opening the full clause the focus is on it"
    problems += focus_problems(focus_state(page))
    problems += tab_until(page, ".star:nth-of-type(5)")
    page.keyboard.press("Enter")
    page.locator(".rating-done").wait_for()
    assert active_matches(page, ".rating-done"), "after rating the focus stays on the answer's rating"
    problems += focus_problems(focus_state(page))
    assert live.app.state.services.db.feedback()[-1]["rating"] == 5
    # a clarifying question answered with a quick reply, by keyboard
    problems += tab_until(page, "#message")
    page.keyboard.type("住院报销多少")
    page.keyboard.press("Enter")
    page.locator(".quick-replies .chip").first.wait_for()
    problems += tab_until(page, ".quick-replies .chip:nth-of-type(2)", backwards=True)
    page.keyboard.press("Enter")
    page.locator(".msg-bot .answer", has_text="二级医院住院起付线见条款").wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('bubble')")
    assert "二级医院住院起付线见条款" in page.evaluate("document.activeElement.textContent"), \
        "after a quick reply the focus is on the reply it brought"
    problems += focus_problems(focus_state(page))
    # large-font mode from the keyboard
    problems += tab_until(page, "#large-font", backwards=True, limit=80)
    page.keyboard.press("Enter")
    assert "large" in (page.get_attribute("html", "class") or "")
    assert problems == []


def test_chat_example_question_by_keyboard(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/", PHONE)
    problems = tab_until(page, "#examples .chip")
    page.keyboard.press("Enter")  # the examples hide once asked: the focus follows the reply
    page.locator(".msg-bot .answer").last.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('bubble') && !document.activeElement.closest('.msg-user')"
                           " && !document.activeElement.textContent.includes('正在查找')")
    problems += focus_problems(focus_state(page))
    assert problems == []


def test_focus_never_hides_under_the_sticky_bars_of_the_chat(page_factory: Any, live: LiveServer) -> None:
    """A conversation longer than the phone's screen, scrolled to the top, then every control
    tabbed through in order: the stars of each answer pass under the composer's position."""
    page = open_page(page_factory, live.url + "/", PHONE)
    for question in ["住院起付线是多少", "起付线多少钱", "二级医院起付线", "住院报销多少"]:
        ask(page, question)
        page.wait_for_function("(n) => document.querySelectorAll('.msg-bot .bubble:not(.muted)').length >= n",
                               arg=page.locator(".msg-user").count())
    assert page.evaluate("document.documentElement.scrollHeight") > PHONE["height"]
    page.evaluate("window.scrollTo(0, 0)")
    page.focus("#new-chat")
    stops = tab_until(page, "#message", limit=80)
    assert page.locator(".star").count() >= 15
    assert stops == []
    problems = tab_until(page, "#large-font", backwards=True, limit=80)  # and back up, under the top bar
    assert problems == []


def test_estimate_by_keyboard_alone(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/estimate", PHONE)
    page.locator("#policy option").first.wait_for(state="attached")
    problems = tab_until(page, "#hospital_level")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#hospital_level") == "2"
    problems += tab_until(page, "#covered_cost")
    page.keyboard.press("Enter")  # nothing typed yet: the error names the field and the focus stays on it
    assert page.inner_text("#form-error") == "请填写政策范围内费用。"
    assert active_matches(page, "#covered_cost")
    page.keyboard.type("10,000")
    page.keyboard.press("Enter")
    page.locator("#result").wait_for()
    assert active_matches(page, "#result-title"), "after computing the focus moves to the result"
    assert (page.inner_text("#fund-share"), page.inner_text("#patient-share")) == ("6650.00 元", "3350.00 元")
    problems += focus_problems(focus_state(page))
    problems += tab_until(page, "#print")
    assert problems == []


def test_console_by_keyboard_alone(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/console", DESKTOP)
    page.locator("#f-region option", has_text="乙市").wait_for(state="attached")
    assert active_matches(page, "#q")
    page.keyboard.type("元")
    page.locator(".hit").nth(1).wait_for()
    # arrows in the search box move the current result and say which it is
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#hit-1", "aria-current") == "true"
    assert page.get_attribute("#hit-0", "aria-current") is None
    page.get_by_text("第 2 条，共 2 条：乙市生育医疗费用补助办法 › 第三条").wait_for()
    page.keyboard.press("Enter")
    page.get_by_text("原文位置：c.txt 第3行").wait_for()
    assert page.locator("#hit-1 .hit-citation").get_attribute("aria-expanded") == "true"
    # Enter on a focused 复制 copies that result (the page does not take it to open another)
    problems = tab_until(page, "#hit-0 .copy")
    page.keyboard.press("Enter")
    page.get_by_text("已复制第 1 条及出处").wait_for()
    assert page.evaluate("navigator.clipboard.readText()").startswith("一级医院起付线200元")
    assert page.locator("#hit-0 .hit-full").is_hidden()
    assert page.locator("#hit-1 .hit-full").is_visible()
    # Ctrl+Enter on the second result's own button copies the second
    problems += tab_until(page, "#hit-1 .hit-citation")
    page.keyboard.press("Control+Enter")
    page.get_by_text("已复制第 2 条及出处").wait_for()
    assert page.evaluate("navigator.clipboard.readText()").startswith("住院分娩定额补助800元")
    # the filters keep their arrow keys
    problems += tab_until(page, "#f-region", backwards=True)
    page.keyboard.press("ArrowDown")
    assert page.input_value("#f-region") == "甲县"
    assert active_matches(page, "#f-region")
    page.wait_for_function("() => document.querySelectorAll('.hit').length === 1")  # the filtered search has answered
    # Esc returns to the search box with the query kept (as the hint says); in the box it clears
    page.keyboard.press("Escape")
    assert active_matches(page, "#q")
    assert page.input_value("#q") == "元"
    assert page.locator(".hit").count() == 1
    page.keyboard.press("Escape")
    assert page.input_value("#q") == ""
    page.wait_for_function("() => document.querySelectorAll('.hit').length === 0")
    hint = page.inner_text("#keys")
    assert "Esc 清空" in hint and "Esc 回到输入框" in hint
    assert problems == []


def test_console_copy_buttons_have_distinct_names(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/console", DESKTOP)
    page.fill("#q", "元")
    page.locator(".hit").nth(1).wait_for()
    snapshot = page.locator("#results").aria_snapshot()
    names = re.findall(r'button "(复制[^"]*)"', snapshot)
    assert names == ["复制第 1 条：甲县城乡居民医保实施办法 › 四、医保待遇 › (三)住院补偿",
                     "复制第 2 条：乙市生育医疗费用补助办法 › 第三条"]
    assert "option" not in snapshot and "listbox" not in snapshot


# -- large font on a phone, field borders -------------------------------------------------------

def test_large_font_estimate_fits_a_390px_phone(page_factory: Any, live: LiveServer) -> None:
    page = open_page(page_factory, live.url + "/estimate", PHONE)
    page.locator("#policy option").first.wait_for(state="attached")
    page.click("#large-font")
    page.fill("#covered_cost", "10000")
    page.click("#calc")
    page.locator("#result").wait_for()
    shot(page, "estimate-phone-large-font")
    for amount in ("#fund-share", "#patient-share"):
        box = page.evaluate("""(sel) => { const el = document.querySelector(sel); const r = el.getBoundingClientRect();
          const card = el.parentElement.getBoundingClientRect();
          return {right: r.right, cardRight: card.right, overflow: el.scrollWidth - el.clientWidth, vw: window.innerWidth}; }""",
                            amount)
        assert box["overflow"] <= 0 and box["right"] <= box["cardRight"] + 0.5 and box["cardRight"] <= box["vw"], (amount, box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("path", ["/", "/estimate", "/console"])
def test_field_borders_stand_out_3_to_1(page_factory: Any, live: LiveServer, path: str) -> None:
    page = open_page(page_factory, live.url + path, DESKTOP)
    if path == "/estimate":
        page.locator("details.more summary").click()
    assert field_border_problems(page) == []


def test_real_stack_pages_have_no_axe_violations(page_factory: Any, live_real: LiveServer) -> None:
    """The same checks on what the real assistant and calculators put on the pages."""
    page = open_page(page_factory, live_real.url + "/", PHONE)
    found = {}
    for question in ["住院起付线是多少", "居民医保一年交多少钱", "在县外住院少报多少"]:
        ask(page, question)
        page.wait_for_function("(n) => document.querySelectorAll('.msg-bot .bubble:not(.muted)').length >= n",
                               arg=page.locator(".msg-user").count())
    page.locator(".msg-bot .cite-toggle").first.click()
    found["chat"] = axe_violations(page)
    page = open_page(page_factory, live_real.url + "/estimate", DESKTOP)
    page.locator("#policy option[value='cq-resident-2013']").wait_for(state="attached")
    page.select_option("#policy", "cq-resident-2013")
    page.select_option("#tier", "1")
    page.select_option("#hospital_level", "2")
    page.fill("#covered_cost", "10000")
    page.click("#calc")
    page.locator("#result").wait_for()
    found["estimate"] = axe_violations(page)
    page = open_page(page_factory, live_real.url + "/console", DESKTOP)
    page.fill("#q", "门槛费")
    page.locator(".hit").first.wait_for()
    page.locator("#q").press("Enter")
    page.locator(".hit-full p").first.wait_for()
    found["console"] = axe_violations(page)
    assert found == {"chat": [], "estimate": [], "console": []}
