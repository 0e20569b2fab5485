"""End-to-end tests of the web pages in headless Chromium against a real uvicorn service.

Run: .venv/bin/python -m pytest -m browser tests/e2e
Screenshots: test-output/screenshots/. Fixtures and how the servers start: conftest.py.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

from tests.utils.browser import ANSWER_TIMEOUT, ask  # noqa: E402  (after the playwright check)

pytestmark = pytest.mark.browser

QUESTION_IN_CORPUS = "聊城市烈士褒扬办法什么时候开始施行？"
QUESTION_OUTSIDE = "护照丢了怎么补办？"  # nothing on passports in the gazettes
HOTLINE = "如需进一步咨询，请拨打12345市民热线"
XSS_DOCNUM = "聊政办字〔2024〕1号"
SCRIPT_TEXT = "<script>window.__xss=1</script>"
IMG_TEXT = '<img src=x onerror="window.__xss=1">'
SVG_TEXT = '<svg onload="window.__xss=1">'  # a table cell of the XSS gazette
PLAN_DOCNUM = "聊政发〔2021〕4号"  # the 十四五 plan, with its indicator table


# --------------------------------------------------------------------------- helpers


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
        " && document.body.scrollWidth <= window.innerWidth"
    )


def search_desk(page, q: str, *, type_: str = "", year_from: str = "", year_to: str = "", issuer: str = ""):
    page.get_by_label("检索词或文号").fill(q)
    filters_open = page.locator("#filters-details").evaluate("d => d.open")
    if any((type_, year_from, year_to, issuer)) and not filters_open:
        page.locator("#filters-details > summary").click()  # folded on a phone
        filters_open = True
    if filters_open:
        page.get_by_label("起始年份").fill(year_from)
        page.get_by_label("截止年份").fill(year_to)
        page.get_by_label("文件类型").select_option(type_)
        page.get_by_label("发文机关").fill(issuer)
    with page.expect_response(lambda r: "/api/search" in r.url) as resp_info:
        page.get_by_role("button", name="检索", exact=True).click()
    assert resp_info.value.ok, f"/api/search answered {resp_info.value.status}"
    expect(page.locator("#results-section")).to_be_visible()
    expect(page.locator("#results-section")).not_to_have_attribute("aria-busy", "true")


# --------------------------------------------------------------------------- citizen chat


def test_chat_streams_answer_with_source_cards(web):
    page = web.page
    web.goto("/")
    expect(page.get_by_role("button", name=QUESTION_IN_CORPUS)).to_be_visible()
    web.screenshot("chat-start")

    with page.expect_response("**/api/chat") as resp_info:
        answer = ask(page, QUESTION_IN_CORPUS)
    assert "text/event-stream" in (resp_info.value.headers.get("content-type") or "")

    assert int(answer.get_attribute("data-deltas")) >= 1, "no `delta` event reached the page"
    assert answer.get_attribute("data-answered") == "true"
    text = answer.get_by_test_id("answer-text").inner_text().strip()
    assert text, "the answer text is empty"

    cards = answer.locator(".source-card")
    assert cards.count() >= 1, "an answered question shows at least one source card"
    first = cards.first
    expect(first.locator(".source-card__title")).not_to_be_empty()
    expect(first.locator(".quote")).not_to_be_empty()
    href = first.locator("a.source-card__link").get_attribute("href")
    assert re.fullmatch(r"/documents/[^/#?]+#p\d+", href), href
    # 文号 / 日期 / 章节 labels come from the citation fields
    expect(first.locator(".meta")).to_contain_text(re.compile("文号|日期|章节"))
    assert "烈士褒扬" in answer.inner_text()
    web.screenshot("chat-answer", full_page=True)
    web.assert_no_page_errors()


def test_chat_highlights_supporting_sentence(web):
    page = web.page
    web.goto("/")
    answer = ask(page, QUESTION_IN_CORPUS)
    marks = answer.locator(".source-card .quote mark.support")
    # The engine quotes verbatim, so at least one cited sentence is also in the answer.
    assert marks.count() >= 1, "no sentence of any quote is highlighted"
    answer_text = re.sub(r"\s+|\[\d+\]", "", answer.get_by_test_id("answer-text").inner_text())
    mark_text = re.sub(r"\s+", "", marks.first.inner_text()).strip("，,。；;：:、“”\"'")
    assert mark_text and mark_text in answer_text


def test_follow_up_sends_history(web):
    page = web.page
    web.goto("/")
    first = ask(page, QUESTION_IN_CORPUS)
    first_text = first.get_by_test_id("answer-text").inner_text()
    with page.expect_request("**/api/chat") as req_info:
        ask(page, "这个办法由哪个部门负责？")
    body = json.loads(req_info.value.post_data)
    assert body["question"] == "这个办法由哪个部门负责？"
    roles = [m["role"] for m in body["history"]]
    assert roles == ["user", "assistant"]
    assert body["history"][0]["content"] == QUESTION_IN_CORPUS
    assert body["history"][1]["content"].strip() and body["history"][1]["content"][:10] in first_text
    expect(page.locator("[data-testid=answer]")).to_have_count(2)
    web.screenshot("chat-follow-up")

    # a new conversation forgets the history
    page.get_by_role("button", name="开始新对话").click()
    expect(page.locator("[data-testid=answer]")).to_have_count(0)
    expect(page.get_by_role("button", name=QUESTION_IN_CORPUS)).to_be_visible()
    with page.expect_request("**/api/chat") as req_info:
        ask(page, "城市低保标准是多少？")
    assert json.loads(req_info.value.post_data)["history"] == []


def test_question_typed_while_answering_is_kept(web):
    """Enter during an unfinished answer keeps the typed text and says why it was not sent."""
    page = web.page
    web.goto("/")
    pending = []
    page.route("**/api/chat", lambda route: pending.append(route))  # never answered: the turn stays busy
    box = page.get_by_label("输入您的问题")
    box.fill(QUESTION_IN_CORPUS)
    box.press("Enter")
    expect(page.get_by_role("button", name="回答中…")).to_be_disabled()
    box.fill("这个办法由哪个部门负责？")
    box.press("Enter")
    expect(page.locator("#status")).to_have_text("上一个问题还在回答中，请稍候再发送。")
    expect(box).to_have_value("这个办法由哪个部门负责？")
    expect(page.locator("[data-testid=answer]")).to_have_count(1)
    assert len(pending) == 1


def test_feedback_thanks(web):
    page = web.page
    web.goto("/")
    answer = ask(page, QUESTION_IN_CORPUS)
    with page.expect_response("**/api/feedback") as resp_info:
        answer.get_by_role("button", name="有帮助", exact=True).click()
    assert resp_info.value.status == 201, resp_info.value.text()
    posted = json.loads(resp_info.value.request.post_data)
    # the answer is named by its id; the service kept its question, answer and citations
    assert set(posted) == {"answer_id", "helpful"} and posted["helpful"] is True
    assert re.fullmatch(r"ans_[0-9a-f]{32}", posted["answer_id"])
    expect(answer.get_by_text("谢谢反馈")).to_be_visible()


def test_refusal_shows_hotline(web):
    page = web.page
    web.goto("/")
    answer = ask(page, QUESTION_OUTSIDE)
    assert answer.get_attribute("data-answered") == "false", (
        f"the engine answered {QUESTION_OUTSIDE!r}: {answer.inner_text()}")
    notice = answer.get_by_test_id("refusal")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(HOTLINE)
    web.screenshot("chat-refusal", full_page=True)


def test_source_card_opens_highlighted_paragraph(web):
    page = web.page
    web.goto("/")
    answer = ask(page, QUESTION_IN_CORPUS)
    card = answer.locator(".source-card").first
    href = card.locator("a.source-card__link").get_attribute("href")
    para_id = href.rsplit("#", 1)[1]
    with web.context.expect_page() as new_page_info:
        card.click()  # anywhere on the card
    doc = new_page_info.value
    doc.wait_for_load_state("domcontentloaded")
    assert doc.url.endswith(href), doc.url
    target = doc.locator(f"#{para_id}")
    expect(target).to_have_class(re.compile(r"\bis-target\b"))
    expect(target).to_have_attribute("aria-current", "true")
    expect(target).to_be_in_viewport()
    expect(doc.locator(".is-target")).to_have_count(1)
    expect(doc.locator("#doc-title")).not_to_be_empty()
    web.screenshot("document-from-card", page=doc)
    web.assert_no_page_errors()


def test_keyboard_only_chat(web):
    page = web.page
    web.goto("/")
    # Tab from the top of the page to the first example question, then Enter.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('example-btn')"):
            break
    else:
        pytest.fail("the example questions cannot be reached with Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused button has no visible focus outline"
    page.keyboard.press("Enter")
    answer = page.locator("[data-testid=answer]").first
    expect(answer).to_have_attribute("data-state", re.compile("^(done|error)$"), timeout=ANSWER_TIMEOUT)
    # after an answer the text box still has the focus for a follow-up
    expect(page.get_by_label("输入您的问题")).to_be_focused()


# --------------------------------------------------------------------------- hotline desk


def test_desk_search_with_type_and_year_filter(web):
    page = web.page
    web.goto("/agent")
    search_desk(page, "低保标准", type_="通知", year_from="2018", year_to="2018")
    results = page.locator("#results > li")
    assert results.count() >= 1, "the 2018 低保 notice should match"
    for i in range(results.count()):
        r = results.nth(i)
        assert r.get_attribute("data-type") == "通知", r.inner_text()
        assert (r.get_attribute("data-date") or "").startswith("2018"), r.inner_text()
        expect(r.locator(".result__title a")).not_to_be_empty()
    first = results.first
    expect(first.locator(".meta")).to_contain_text("文号")
    assert first.locator(".result__text mark").count() >= 1, "no highlighted match in the passage"
    assert "/agent?" in page.url and "type=" in page.url  # the search is in the address bar
    web.screenshot("desk-filtered")

    # another combination: whatever comes back is a 2023 令
    search_desk(page, "低保标准", type_="令", year_from="2023", year_to="2023")
    for i in range(page.locator("#results > li").count()):
        r = page.locator("#results > li").nth(i)
        assert r.get_attribute("data-type") == "令" and r.get_attribute("data-date").startswith("2023")
    web.assert_no_page_errors()


def test_desk_copy_reply(web):
    page = web.page
    web.goto("/agent")
    search_desk(page, "低保标准")
    first = page.locator("#results > li").first
    first.get_by_role("button", name="复制答复").click()
    expect(first.get_by_text("已复制")).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("根据《"), copied
    title = first.locator(".result__title a").inner_text()
    assert copied.startswith(f"根据《{title.strip('《》')}》"), copied
    web.screenshot("desk-copied")


def test_desk_copy_reply_fallback_without_clipboard_api(web):
    page = web.page
    # No async clipboard: the page must fall back to a textarea + execCommand("copy").
    page.add_init_script("""
        window.__copied = null;
        Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
        document.addEventListener('copy', () => {
            const ta = document.querySelector('textarea.clipboard-fallback');
            window.__copied = ta ? ta.value : String(document.getSelection());
        }, true);
    """)
    web.goto("/agent")
    search_desk(page, "低保标准")
    first = page.locator("#results > li").first
    first.get_by_role("button", name="复制答复").click()
    expect(first.get_by_text("已复制")).to_be_visible()
    copied = page.evaluate("() => window.__copied")
    assert copied and copied.startswith("根据《"), copied


def test_desk_docnum_variant_opens_document(web):
    page = web.page
    web.goto("/agent")
    page.get_by_label("检索词或文号").fill("聊政办字[2018]76号")
    with page.expect_response(lambda r: "/api/documents?docnum=" in r.url) as resp_info:
        page.get_by_label("检索词或文号").press("Enter")
    assert resp_info.value.ok
    page.wait_for_url(re.compile(r"/documents/[^/?#]+$"))
    expect(page.locator("#doc-meta")).to_contain_text("聊政办字〔2018〕76号")
    expect(page.locator("#doc-title")).not_to_be_empty()
    assert page.locator("#doc-body [id^=p]").count() >= 1
    web.screenshot("document-from-docnum", full_page=False)
    web.assert_no_page_errors()


def test_document_renders_the_plan_indicator_table(web):
    """The plan's indicator table is a <table>: caption, header cells, and each row's printed
    cells; 类别, printed once for the rows it spans, is one cell with a rowspan."""
    page = web.page
    resp = page.request.get(web.server.url("/api/documents?docnum=" + quote(PLAN_DOCNUM)))
    assert resp.ok, resp.status
    web.goto(f"/documents/{resp.json()['documents'][0]['doc_id']}")
    table = page.locator("#doc-body table", has=page.locator("caption", has_text="“十四五”时期聊城市经济社会发展主要指标"))
    expect(table).to_have_count(1)
    expect(table.locator("caption")).to_have_text("“十四五”时期聊城市经济社会发展主要指标")
    assert table.locator("thead th").all_inner_texts() == ["类别", "指标", "2020年", "2025年", "年均/[累计]", "属性"]
    row = table.locator("tbody tr", has_text="基本养老保险参保人数")
    assert row.locator("td").all_inner_texts() == ["基本养老保险参保人数(万人)", "396.3", "408", "2.3", "预期性"]
    first_of_group = table.locator("tbody tr", has_text="居民人均可支配收入增长")
    assert first_of_group.locator("td").first.inner_text() == "民生福祉"
    assert first_of_group.locator("td").first.get_attribute("rowspan") == "7"
    assert table.locator("tbody tr").count() == 24
    row_id = row.get_attribute("id")
    web.goto(f"/documents/{resp.json()['documents'][0]['doc_id']}#{row_id}")  # a citation of a row marks that row
    expect(page.locator(f"#{row_id}")).to_have_class(re.compile(r"\bis-target\b"))
    web.screenshot("document-indicator-table", full_page=False)
    web.assert_no_page_errors()


def test_document_unknown_id_shows_message(web):
    web.goto("/documents/no-such-document")
    expect(web.page.get_by_text("未找到该文件")).to_be_visible()


# --------------------------------------------------------------------------- phone


def test_phone_layout(phone):
    page = phone.page
    phone.goto("/")
    box = page.get_by_label("输入您的问题")
    expect(box).to_be_visible()
    expect(box).to_be_in_viewport()
    expect(page.get_by_role("button", name="发送")).to_be_in_viewport()
    assert no_horizontal_scroll(page)
    phone.screenshot("phone-chat-start")

    ask(page, QUESTION_IN_CORPUS)
    assert no_horizontal_scroll(page), "the answer or its source cards overflow a 375px screen"
    expect(box).to_be_in_viewport()  # the composer stays on screen (sticky)
    phone.screenshot("phone-chat-answer")

    phone.goto("/agent")
    expect(page.get_by_label("检索词或文号")).to_be_in_viewport()
    assert not page.locator("#filters-details").evaluate("d => d.open"), "filters start folded on a phone"
    phone.screenshot("phone-desk-start")
    search_desk(page, "低保标准")
    assert no_horizontal_scroll(page)
    expect(page.locator("#results > li").first).to_be_in_viewport()  # scrolled to the results
    phone.screenshot("phone-desk")

    href = page.locator("#results > li .result__title a").first.get_attribute("href")
    phone.goto(href)
    expect(page.locator(".is-target")).to_be_in_viewport()
    assert no_horizontal_scroll(page)
    phone.screenshot("phone-document")
    phone.assert_no_page_errors()


# --------------------------------------------------------------------------- XSS


def _xss_doc_id(xss_web) -> str:
    resp = xss_web.page.request.get(xss_web.server.url("/api/documents?docnum=" + quote(XSS_DOCNUM)))
    assert resp.ok, resp.status
    docs = resp.json()["documents"]
    assert docs, f"{XSS_DOCNUM} is not in the XSS index"
    return docs[0]["doc_id"]


def _assert_not_executed(page):
    assert page.evaluate("() => window.__xss") is None, "markup from the gazette text was executed"
    assert page.locator("img[src=x]").count() == 0, "an <img> from the gazette text was created"
    assert page.evaluate(
        "() => [...document.scripts].every(s => s.src && new URL(s.src).pathname.startsWith('/static/'))"
    ), "a script element not from /static/ is in the page"


def test_xss_document_view_shows_markup_as_text(xss_web):
    page = xss_web.page
    doc_id = _xss_doc_id(xss_web)
    xss_web.goto(f"/documents/{doc_id}")
    expect(page.locator("#doc-title")).not_to_be_empty()
    expect(page.get_by_text(SCRIPT_TEXT)).to_be_visible()
    expect(page.get_by_text(IMG_TEXT)).to_be_visible()
    page.wait_for_timeout(300)  # an onerror would fire by now
    _assert_not_executed(page)
    xss_web.screenshot("xss-document")


def test_xss_document_table_cells_are_text(xss_web):
    """A table row's hostile cell is a text node of its <td>; a cell merged over rows spans them."""
    page = xss_web.page
    xss_web.goto(f"/documents/{_xss_doc_id(xss_web)}")
    table = page.locator("#doc-body table")
    expect(table.locator("caption")).to_have_text("特殊字符测试对照表")
    rows = table.locator("tbody tr")
    assert rows.nth(0).locator("td").all_inner_texts() == ["尖括号", SVG_TEXT, "原样显示"]
    assert rows.nth(0).locator("td").first.get_attribute("rowspan") == "2"
    assert rows.nth(1).locator("td").all_inner_texts() == ["&lt;b&gt;", "原样显示"]
    page.wait_for_timeout(300)
    assert page.locator("#doc-body svg").count() == 0, "an <svg> from a table cell was created"
    _assert_not_executed(page)


def test_xss_search_shows_markup_as_text(xss_web):
    page = xss_web.page
    xss_web.goto("/agent")
    search_desk(page, "特殊字符显示测试 原样显示")
    results = page.locator("#results")
    expect(results).to_contain_text("<script>")
    expect(results.get_by_text(re.compile(re.escape("<script>")))).to_be_visible()
    page.wait_for_timeout(300)
    _assert_not_executed(page)
    xss_web.screenshot("xss-search")


def test_xss_chat_shows_markup_as_text(xss_web):
    page = xss_web.page
    xss_web.goto("/")
    ask(page, "政务网页应当怎样显示公报原文中的脚本标记文字？")
    page.wait_for_timeout(300)
    _assert_not_executed(page)
    xss_web.screenshot("xss-chat", full_page=True)


# --------------------------------------------------------------------------- helpers in common.js


def test_common_helpers(web):
    """The pure helpers of static/common.js, run in the page: SSE parsing, highlighting, 文号."""
    web.goto("/")
    page = web.page
    page.wait_for_function("() => window.Gazette")

    # SSE over a byte stream cut mid-line and inside a UTF-8 character, CRLF endings, comments
    events = page.evaluate("""async () => {
        const text = ': keep-alive\\r\\nevent: citations\\r\\ndata: [{"n":1,"title":"办法"}]\\r\\n\\r\\n'
          + 'event: delta\\ndata: {"text":"根据《办法》"}\\n\\n'
          + 'event: delta\\ndata: {"text":"第二行\\\\n继续"}\\n\\n'
          + 'event: done\\ndata: {"answered":true,\\ndata: "answer":"全文"}\\n\\n';
        const bytes = new TextEncoder().encode(text);
        const cuts = [3, 17, 40, 41, 42, 60, 61, 95, 130, bytes.length];
        const stream = new ReadableStream({start(c) {
            let prev = 0;
            for (const cut of cuts) { c.enqueue(bytes.slice(prev, cut)); prev = cut; }
            c.close();
        }});
        const seen = [];
        await Gazette.readSSE(new Response(stream), (name, data) => seen.push([name, data]));
        return seen;
    }""")
    assert events == [
        ["citations", [{"n": 1, "title": "办法"}]],
        ["delta", {"text": "根据《办法》"}],
        ["delta", {"text": "第二行\n继续"}],
        ["done", {"answered": True, "answer": "全文"}],
    ]

    # highlights are code point offsets (Python str indices), also past astral characters
    marks = page.evaluate("""() => {
        const div = document.createElement('div');
        div.appendChild(Gazette.highlightCodepoints('𠀋低保标准<b>x</b>', [[1, 3], [3, 5], [9, 99]]));
        return [div.querySelectorAll('mark').length, [...div.querySelectorAll('mark')].map(m => m.textContent),
                div.textContent, div.querySelector('b') === null];
    }""")
    assert marks == [2, ["低保标准", "</b>"], "𠀋低保标准<b>x</b>", True]

    # the supporting sentence of a quote is the one the answer repeats
    ranges = page.evaluate("""() => {
        const quote = '第一条 为了传承烈士精神，制定本办法。第三十条 本办法自 2023 年 10 月 1 日起施行。';
        const r = Gazette.supportingRanges(quote, '根据《办法》：本办法自2023年10月1日起施行[1]。');
        return r.map(([s, e]) => quote.slice(s, e));
    }""")
    assert ranges == ["第三十条 本办法自 2023 年 10 月 1 日起施行。"] or ranges == ["本办法自 2023 年 10 月 1 日起施行。"], ranges
    assert page.evaluate("() => Gazette.supportingRanges('无关的句子。', '完全不同的回答').length") == 0

    # 文号 in any bracket variant, inside a sentence too
    found = page.evaluate("""() => ['聊政办字[2018]76号', '聊政办字【2018】76号', '聊政办字(2018)76号',
        '聊政办字（2018）第76号', '聊政办字 〔2018〕 76 号', '请查一下聊政办字[2018]76号是什么', '低保标准']
        .map(t => { const d = Gazette.findDocnum(t); return d && [d.normalised, d.candidates]; })""")
    for item in found[:5]:
        assert item[0] == "聊政办字〔2018〕76号", item
    assert found[5][0] == "聊政办字〔2018〕76号" and "聊政办字[2018]76号" in found[5][1], found[5]
    assert found[6] is None


# --------------------------------------------------------------------------- CSP, feedback review

CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_pages_run_under_the_strict_csp(web, admin_token):
    """Every page works with script-src/style-src 'self': no inline code or style is blocked."""
    page = web.page
    page.add_init_script(CSP_WATCH)
    response = web.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    answer = ask(page, QUESTION_IN_CORPUS)
    expect(answer.locator(".source-card").first).to_be_visible()
    web.screenshot("chat-answer-cjk")  # Chinese text needs fonts-noto-cjk (make browser)
    assert page.evaluate("() => window.__csp") == []
    href = answer.locator("a.source-card__link").first.get_attribute("href")

    web.goto("/agent")
    search_desk(page, "低保标准")
    assert page.evaluate("() => window.__csp") == []

    web.goto(href)
    expect(page.locator("h1")).not_to_be_empty()
    assert page.evaluate("() => window.__csp") == []

    web.goto("/admin/feedback")
    page.get_by_label("管理令牌").fill(admin_token)
    page.get_by_role("button", name="查看反馈").click()
    expect(page.locator("#feedback-summary")).not_to_be_empty()
    assert page.evaluate("() => window.__csp") == []
    web.assert_no_page_errors()


def test_feedback_review_shows_hostile_text_as_text(web, admin_token):
    page = web.page
    api = page.request
    answer = api.post(web.server.url("/api/ask"), data={"question": QUESTION_IN_CORPUS}).json()
    r = api.post(web.server.url("/api/feedback"), data={"answer_id": answer["id"], "helpful": False,
                                                         "comment": SCRIPT_TEXT + IMG_TEXT})
    assert r.status == 201, r.text()
    # the old way (question and citations sent back) lets a client send anything: still only text
    r = api.post(web.server.url("/api/feedback"), data={
        "question": IMG_TEXT, "answer": SCRIPT_TEXT, "helpful": True,
        "citations": [{"n": 1, "title": IMG_TEXT, "url": "javascript:window.__xss=1", "quote": SCRIPT_TEXT}]})
    assert r.status == 201, r.text()

    web.goto("/admin/feedback")
    assert page.locator("[data-testid=feedback-entry]").count() == 0  # no data without the token
    page.get_by_label("管理令牌").fill("wrong-token")
    page.get_by_role("button", name="查看反馈").click()
    expect(page.get_by_text("管理令牌不正确。")).to_be_visible()

    page.get_by_label("管理令牌").fill(admin_token)
    page.get_by_role("button", name="查看反馈").click()
    entries = page.locator("[data-testid=feedback-entry]")
    expect(entries.first).to_be_visible()
    expect(entries.first.get_by_test_id("feedback-question")).to_have_text(IMG_TEXT)
    expect(entries.nth(1).get_by_test_id("feedback-comment")).to_have_text(SCRIPT_TEXT + IMG_TEXT)
    expect(entries.nth(1).get_by_test_id("feedback-question")).to_have_text(QUESTION_IN_CORPUS)
    entries.first.locator("summary").click()
    expect(entries.first.locator(".feedback-citation")).to_contain_text(IMG_TEXT)
    assert entries.first.locator(".feedback-citation a").count() == 0  # javascript: is never a link
    expect(page.locator("#more-btn")).to_be_hidden()  # fewer than a page of feedback
    assert page.locator("script:not([src])").count() == 0 and page.locator("img").count() == 0
    assert page.evaluate("() => window.__xss") is None, "markup from feedback was executed"
    web.screenshot("feedback-review", full_page=True)
    web.assert_no_page_errors()


def _sse(events) -> str:
    return "".join(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in events)


def test_chat_badge_and_replace_event(web):
    """The page names the mode that answered, and swaps in the extractive answer on `replace`
    (the stream is scripted with page.route: no language model is needed)."""
    page = web.page
    citation = {"n": 1, "doc_id": "d1", "docnum": "聊政发〔2020〕3号", "title": "低保办法", "date": "2020-03-05",
                "section": "", "quote": "城市低保标准提高到每人每月3000元。", "paragraph_id": "d1-p0001",
                "url": "/documents/d1#p1", "score": 1.0}
    extractive = "根据《低保办法》（聊政发〔2020〕3号）：城市低保标准提高到每人每月3000元。[1]"
    replaced = _sse([
        ("citations", [citation]),
        ("delta", {"text": "城市低保标准为每月3500元[1]。"}),
        ("replace", {"answer": extractive, "answered": True, "notes": [], "citations": [citation],
                     "answer_mode": "extractive", "fallback": "figure_not_in_source: 3500元"}),
        ("done", {"id": "ans_1", "answer": extractive, "answered": True, "notes": [], "mode": "hybrid",
                  "answer_mode": "extractive", "fallback": "figure_not_in_source: 3500元", "check": None, "timing_ms": {}}),
    ])
    generated = "城市低保标准为每人每月3000元[1]。"
    passed = _sse([
        ("citations", [citation]),
        ("delta", {"text": generated}),
        ("done", {"id": "ans_2", "answer": generated, "answered": True, "notes": [], "mode": "hybrid",
                  "answer_mode": "generated", "fallback": None, "check": None, "timing_ms": {}}),
    ])
    bodies = [replaced, passed]
    page.route("**/api/chat", lambda route: route.fulfill(status=200, content_type="text/event-stream", body=bodies.pop(0)))
    web.goto("/")
    first = ask(page, "城市低保标准是多少？")
    expect(first.get_by_test_id("answer-mode")).to_have_text("生成未通过核对，显示摘录")
    expect(first.get_by_test_id("replaced-note")).to_be_visible()
    assert first.get_attribute("data-replaced") == "true"
    text = first.get_by_test_id("answer-text").inner_text()
    assert "3500" not in text and "3000元" in text
    second = ask(page, "再说一遍")
    expect(second.get_by_test_id("answer-mode")).to_have_text("生成（已核对）")
    web.screenshot("chat-generated-badges", full_page=True)
    web.assert_no_page_errors()
