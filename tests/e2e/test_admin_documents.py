"""The operator page /admin/documents in headless Chromium, against its own uvicorn service.

The session's live server reads the repository's corpus folder (data/gazettes): an upload there
would write into the working tree. So this module starts its own server, with the conftest's
helpers, over a temporary copy of the bundled corpus (GAZETTE_CORPUS_DIR, GAZETTE_CACHE_DIR in a
temporary folder, GAZETTE_ADMIN_TOKEN set); uploads and removals change only that copy. Its vectors
come from the repository's embedding cache when `make index` has filled it (seconds); without it the
whole bundled corpus is embedded first (about ten minutes on two cores).

An operator enters the token (a wrong one first), sees the bundled text files, uploads a two-page
PDF notice (reportlab), a legacy .doc and random bytes through the file chooser, opens the new
document (原件 link, 第1页/第2页 markers), asks about its figure on the chat page (cited with
（第2页）), removes it with the confirm dialog. A hostile file name and title are shown as text.

Run: .venv/bin/python -m pytest -q tests/e2e/test_admin_documents.py -p no:cacheprovider
Screenshots: test-output/screenshots/admin-documents-*.png
"""
from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

from tests.utils.browser import ask  # noqa: E402  (type a question in the chat, wait for its answer)

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((REPO_ROOT / "data" / "gazettes").glob("*.txt"))
UPLOAD_TIMEOUT = 600_000  # ms: parse, embed the new chunks, rebuild and reload the index on 2 shared cores

NOTICE_PDF = "充电安全通知.pdf"
NOTICE_DOCNUM = "聊政办字〔2024〕9号"
NOTICE_TITLE = "聊城市人民政府办公室关于加强城区电动自行车充电安全管理的通知"
NOTICE_DATE = "2024-04-08"
LINE_CHARS = 41  # text_pdf draws at x=72 on A4 in 11 pt: 41 CJK characters fill the line


def _wrapped(paragraph: str) -> list[str]:
    """A paragraph broken into full printed lines, as a word processor sets it."""
    return [paragraph[i:i + LINE_CHARS] for i in range(0, len(paragraph), LINE_CHARS)]


# Each page has a paragraph over three printed lines, so the reader sees where the lines end
# (the right edge) and knows the shorter lines (title, addressees, provisions) end paragraphs.
NOTICE_PAGES = [
    [
        NOTICE_DOCNUM,
        NOTICE_TITLE,
        "各县（市、区）人民政府，市政府各部门：",
        *_wrapped("近年来，我市电动自行车保有量快速增长，违规停放、飞线充电引发的火灾事故时有发生。"
                  "为防范电动自行车充电火灾事故，保障人民群众生命财产安全，经市政府同意，现就有关事项通知如下："),
        "一、各县（市、区）人民政府负责本辖区集中充电设施的规划建设。",
        "二、严禁在楼道、楼梯间和安全出口停放电动自行车或为其充电。",
        "三、市消防救援支队负责监督检查，对违规行为依法处理。",
    ],
    [
        *_wrapped("四、物业服务企业应当每日巡查小区充电区域，发现私拉电线、飞线充电、在楼道内停放电动自行车"
                  "等行为的，应当及时劝阻，劝阻无效的，向所在街道办事处和消防救援机构报告。"),
        "五、2024年底前城区建成电动自行车集中充电点1600处。",
        "六、本通知自印发之日起施行。",
        "聊城市人民政府办公室",
        "2024年4月8日",
    ],
]
QUESTION = "城区电动自行车集中充电点要建成多少处？"
FIGURE = "1600处"

LEGACY_DOC = "旧版公文.doc"
RANDOM_TXT = "乱码.txt"

# a hostile file: its name and its title are markup; the page must show both as text
HOSTILE_NAME = "<img src=x onerror=window.__pwned=1>.txt"
HOSTILE_TITLE_MARKUP = '<img src=x onerror="window.__pwned=1">'
# the parser joins a title's words without spaces (a title wrapped over lines), which defuses the
# markup above (<imgsrc=xonerror=…>); this one has no spaces and runs if inserted as HTML
HOSTILE_TITLE_MARKUP_NO_SPACE = '<img/src="x"onerror="window.__pwned=1">'


def _standalone(title_markup: str, docnum: str, topic: str, day: str) -> str:
    """A UTF-8 standalone government document whose title line holds markup."""
    return "\n\n".join([
        f"聊城市人民政府办公室关于{title_markup}{topic}的通知",
        docnum,
        "各县（市、区）人民政府，市政府各部门：",
        f"　　为检验政务网页显示{topic}的安全性，经市政府同意，现就有关事项通知如下：",
        "　　一、网页应当把文件标题和文件名中的标记文字原样显示为文字，不得执行。",
        f"　　二、{topic}工作于2024年6月30日前完成，结果报市政府办公室。",
        "聊城市人民政府办公室",
        f"2024年5月{day}日",
    ]) + "\n"


# --------------------------------------------------------------------------- server, page


def _e2e(request):
    """tests/e2e/conftest.py as pytest loaded it: its server and page helpers."""
    path = Path(__file__).with_name("conftest.py").resolve()
    for plugin in request.config.pluginmanager.get_plugins():
        f = getattr(plugin, "__file__", None)
        if f and Path(f).resolve() == path:
            return plugin
    pytest.fail(f"{path} is not loaded as a conftest", pytrace=False)


@pytest.fixture(scope="module")
def corpus_server(request, tmp_path_factory, _playwright):
    """The service over a temporary copy of the bundled corpus, with the admin token set."""
    c = _e2e(request)
    c._require_real_service()
    root = tmp_path_factory.mktemp("admin-documents")
    cache_dir, corpus_dir = root / "cache", root / "corpus"
    cache_dir.mkdir()
    corpus_dir.mkdir()
    for f in BUNDLED:
        shutil.copyfile(f, corpus_dir / f.name)
    shared = REPO_ROOT / ".cache" / "embeddings.sqlite3"  # vectors of the bundled corpus, when `make index` ran
    if shared.is_file():
        shutil.copyfile(shared, cache_dir / "embeddings.sqlite3")
    env = {"GAZETTE_CACHE_DIR": str(cache_dir), "GAZETTE_CORPUS_DIR": str(corpus_dir),
           "GAZETTE_ADMIN_TOKEN": c.ADMIN_TOKEN}
    if c.APP_FACTORY == c.DEFAULT_APP:
        c._run_gazette(["index"], {**os.environ, **env}, "index-admin-documents.log")
    server = c._start_server(env, "admin-documents-server")
    server.corpus_dir = corpus_dir
    yield server
    c._stop(server.process)


@pytest.fixture
def admin_web(request, chromium_browser, corpus_server):
    """A desktop-sized page (1280x900) on this module's server."""
    c = _e2e(request)
    w = c._open(chromium_browser, corpus_server, c.DESKTOP)
    yield w
    w.context.close()


def enter_token(page, token: str) -> None:
    page.get_by_label("管理令牌").fill(token)
    page.get_by_role("button", name="进入").click()


def source_row(page, source: str):
    return page.locator("[data-testid=source-row]").filter(
        has=page.locator("th[scope=row]", has_text=re.compile("^" + re.escape(source))))


def intercept_file_choosers(page) -> None:
    """Playwright turns file chooser interception on asynchronously when a listener is added (as
    expect_file_chooser does): a chooser opened at once, by a key press, could go to the native
    dialog and be missed. A listener for the whole test and one round trip make it reliable."""
    page.on("filechooser", lambda chooser: None)
    page.evaluate("() => 0")


def upload(page) -> dict:
    """Click the upload button; wait for the results and the refreshed source list; the response body."""
    with page.expect_response(lambda r: r.url.endswith("/api/admin/documents") and r.request.method == "POST",
                              timeout=UPLOAD_TIMEOUT) as resp_info:
        with page.expect_response(lambda r: r.url.endswith("/api/admin/documents") and r.request.method == "GET",
                                  timeout=UPLOAD_TIMEOUT):
            page.get_by_role("button", name="上传并建立索引").click()
    resp = resp_info.value
    assert resp.ok, f"the upload answered {resp.status}: {resp.text()}"
    return resp.json()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def text_lines(locator) -> int:
    """How many lines the element's text is set on."""
    return locator.evaluate("""el => {
        const r = document.createRange();
        r.selectNodeContents(el);
        return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size;
    }""")


# --------------------------------------------------------------------------- the operator's round


def test_upload_open_ask_and_remove(admin_web, admin_token, tmp_path):
    web, page = admin_web, admin_web.page
    from tests.utils.pdf_fixtures import text_pdf

    # 1. the token: a wrong one is refused, the right one lists the bundled text files
    web.goto("/admin/documents")
    expect(page.locator("#upload-section")).to_be_hidden()
    enter_token(page, "wrong-token")
    expect(page.get_by_text("管理令牌不正确。")).to_be_visible()
    expect(page.locator("#upload-section")).to_be_hidden()
    assert page.locator("[data-testid=source-row]").count() == 0
    enter_token(page, admin_token)
    expect(page.locator("#upload-section")).to_be_visible()
    expect(page.get_by_text("管理令牌不正确。")).to_have_count(0)
    for f in BUNDLED:
        row = source_row(page, f.name)
        expect(row).to_have_count(1)
        expect(row.locator("td").first).to_have_text("文本")
        assert row.locator(".source-docs li").count() >= 1, f"{f.name} lists no documents"
    expect(page.locator("#sources-summary")).to_contain_text(f"已收录源文件 {len(BUNDLED)} 个")
    rows_before = page.locator("[data-testid=source-row]").count()
    # a 大事记 has no 文号 and no date: its line has no dangling separator
    lines = page.locator("#sources-body .source-docs li").all_inner_texts()
    assert lines and not [t for t in lines if t.rstrip().endswith("·")], lines

    # 2. three files through the file chooser: a two-page PDF, a legacy .doc, random bytes
    pdf = text_pdf(tmp_path / NOTICE_PDF, NOTICE_PAGES)
    doc = tmp_path / LEGACY_DOC
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    noise = tmp_path / RANDOM_TXT
    noise.write_bytes(random.Random(20240408).randbytes(4096))
    expect(page.get_by_role("button", name="上传并建立索引")).to_be_disabled()
    intercept_file_choosers(page)
    with page.expect_file_chooser() as chooser_info:
        page.locator("#drop-zone").get_by_text("选择文件").click()
    chooser = chooser_info.value
    assert chooser.is_multiple()
    chooser.set_files([pdf, doc, noise])
    expect(page.locator("#chosen-list li")).to_have_count(3)
    expect(page.locator("#chosen-list")).to_contain_text(NOTICE_PDF)

    polled = []
    page.on("request", lambda r: polled.append(r.headers.get("authorization"))
            if r.url.endswith("/api/admin/progress") else None)
    body = upload(page)
    assert [(f["filename"], f["status"]) for f in body["files"]] == [
        (NOTICE_PDF, "added"), (LEGACY_DOC, "error"), (RANDOM_TXT, "error")], body["files"]
    assert polled and all(a == f"Bearer {admin_token}" for a in polled), "GET /api/admin/progress was not polled"

    results = page.get_by_test_id("upload-result")
    expect(results).to_have_count(3)
    added, legacy, garbage = results.nth(0), results.nth(1), results.nth(2)
    expect(added).to_have_attribute("data-status", "added")
    expect(added.locator("strong")).to_have_text(f"{NOTICE_PDF}：已添加")
    doc_link = added.locator(".source-docs a")
    expect(doc_link).to_have_count(1)
    expect(doc_link).to_have_text(f"{NOTICE_DOCNUM} · 《{NOTICE_TITLE}》 · {NOTICE_DATE}")
    doc_id = body["files"][0]["documents"][0]["doc_id"]
    assert doc_link.get_attribute("href") == f"/documents/{doc_id}"
    expect(legacy).to_have_attribute("data-status", "error")
    expect(legacy.locator("strong")).to_have_text(re.compile(re.escape(LEGACY_DOC) + "：出错"))
    expect(legacy.locator(".error-box")).to_contain_text(".docx")
    expect(legacy.locator(".error-box")).to_contain_text("PDF")
    expect(garbage).to_have_attribute("data-status", "error")
    expect(garbage.locator("strong")).to_have_text(re.compile(re.escape(RANDOM_TXT) + "：出错"))
    expect(garbage.locator(".error-box")).not_to_be_empty()
    expect(page.locator("#progress-text")).to_have_text("完成，2 个文件出错（其余已收录）。")
    expect(page.locator("#chosen-list li")).to_have_count(0)

    pdf_row = source_row(page, NOTICE_PDF)
    expect(pdf_row).to_have_count(1)
    expect(pdf_row.locator("td").first).to_have_text("PDF，2 页")
    assert text_lines(pdf_row.locator("td").first) == 1, "the format is broken over lines"
    assert text_lines(pdf_row.get_by_role("button", name="移除")) == 1, "the button's label is broken over lines"
    expect(pdf_row.locator(".source-docs")).to_contain_text(NOTICE_TITLE)
    expect(page.locator("[data-testid=source-row]")).to_have_count(rows_before + 1)
    assert no_horizontal_scroll(page)
    page.locator("#progress").evaluate("el => el.scrollIntoView({block: 'start'})")  # status and all results
    web.screenshot("admin-documents-upload")
    web.screenshot("admin-documents-upload-full", full_page=True)

    # 3. the new document's page, opened from its link: the original and its page markers
    with web.context.expect_page() as doc_page_info:
        doc_link.click()
    doc_page = doc_page_info.value
    doc_page.wait_for_load_state("domcontentloaded")
    assert doc_page.url == web.server.url(f"/documents/{doc_id}")
    expect(doc_page.locator("#doc-title")).to_have_text(NOTICE_TITLE)
    back = doc_page.locator("#back-link")
    expect(back).to_have_text("← 返回文件管理")  # it goes back where it came from, and says so
    expect(back).to_have_attribute("href", "/admin/documents")
    meta = doc_page.locator("#doc-meta")
    expect(meta).to_contain_text(NOTICE_DOCNUM)
    expect(meta.locator("dt", has_text="原件")).to_have_count(1)
    original = meta.locator("a.source-link")
    expect(original).to_have_attribute("href", f"/api/documents/{doc_id}/source")
    expect(meta).to_contain_text("（PDF，共2页）")
    markers = doc_page.locator("#doc-body .page-marker")
    expect(markers).to_have_count(2)
    expect(markers.nth(0)).to_have_text("第1页")
    expect(markers.nth(1)).to_have_text("第2页")
    page2 = doc_page.get_by_role("link", name="第2页", exact=True)
    assert page2.get_attribute("href").endswith("/source#page=2"), page2.get_attribute("href")
    assert doc_page.get_by_role("link", name="第1页", exact=True).get_attribute("href").endswith("/source#page=1")
    # the figure's paragraph comes after the 第2页 marker
    assert doc_page.evaluate("""() => {
        const marker = document.getElementById('page2');
        const para = [...document.querySelectorAll('#doc-body .para')].find(p => p.textContent.includes('1600处'));
        return !!(marker && para && (marker.compareDocumentPosition(para) & Node.DOCUMENT_POSITION_FOLLOWING));
    }""")
    served = doc_page.request.get(web.server.url(f"/api/documents/{doc_id}/source"))
    assert served.ok and served.headers["content-type"] == "application/pdf"
    assert served.body() == pdf.read_bytes()
    assert no_horizontal_scroll(doc_page)
    web.screenshot("admin-documents-document-pages", page=doc_page, full_page=True)
    # the marker opens the original in Chromium's PDF viewer (served inline, under CSP sandbox)
    with web.context.expect_page() as pdf_info:
        page2.click()
    pdf_tab = pdf_info.value
    pdf_tab.wait_for_load_state("load")
    assert pdf_tab.url == web.server.url(f"/api/documents/{doc_id}/source#page=2")
    assert pdf_tab.evaluate("() => document.contentType") == "application/pdf"
    pdf_tab.wait_for_timeout(1500)  # the viewer lays out the pages
    web.screenshot("admin-documents-pdf-page2", page=pdf_tab)
    pdf_tab.close()
    doc_page.close()

    # 4. the figure asked on the chat page: the answer cites the PDF with its page
    chat = web.context.new_page()
    chat.goto(web.server.url("/"), wait_until="domcontentloaded")
    answer = ask(chat, QUESTION)
    assert answer.get_attribute("data-answered") == "true", answer.inner_text()
    text = answer.get_by_test_id("answer-text").inner_text()
    assert NOTICE_TITLE in text and "（第2页）" in text and FIGURE in text, text
    card = answer.locator(".source-card").filter(has_text=NOTICE_TITLE).first
    expect(card).to_be_visible()
    assert card.locator("a.source-card__link").get_attribute("href").startswith(f"/documents/{doc_id}#p")
    web.screenshot("admin-documents-chat-answer", page=chat, full_page=True)
    chat.close()

    # 5. removal, confirmed in the dialog: the row goes, the document is no longer served
    dialogs = []

    def on_dialog(dialog):
        dialogs.append((dialog.type, dialog.message))
        dialog.accept()

    page.on("dialog", on_dialog)
    with page.expect_response(lambda r: r.request.method == "DELETE", timeout=UPLOAD_TIMEOUT) as deleted:
        pdf_row.get_by_role("button", name="移除").click()
    assert deleted.value.ok, deleted.value.text()
    assert dialogs == [("confirm", f"确定从语料中移除 {NOTICE_PDF} 吗？")], dialogs
    expect(page.locator("#notice")).to_have_text(f"已移除 {NOTICE_PDF}。")
    expect(page.locator("#notice")).to_be_in_viewport()  # the button was at the bottom of a long list
    expect(source_row(page, NOTICE_PDF)).to_have_count(0)
    expect(page.locator("[data-testid=source-row]")).to_have_count(rows_before)
    expect(page.locator("#sources-body")).not_to_contain_text(NOTICE_TITLE)
    for f in BUNDLED:
        expect(source_row(page, f.name)).to_have_count(1)
    assert page.request.get(web.server.url(f"/api/documents/{doc_id}")).status == 404
    assert not (web.server.corpus_dir / NOTICE_PDF).exists()
    web.screenshot("admin-documents-removed")
    web.assert_no_page_errors()


def test_cancelled_removal_keeps_the_file(admin_web, admin_token):
    page = admin_web.page
    admin_web.goto("/admin/documents")
    enter_token(page, admin_token)
    first = BUNDLED[0].name
    row = source_row(page, first)
    expect(row).to_have_count(1)
    deletes = []
    page.on("request", lambda r: deletes.append(r.url) if r.method == "DELETE" else None)
    page.once("dialog", lambda d: d.dismiss())
    row.get_by_role("button", name="移除").click()
    page.wait_for_timeout(300)
    assert deletes == []
    expect(row).to_have_count(1)
    expect(row.get_by_role("button", name="移除")).to_be_enabled()
    admin_web.assert_no_page_errors()


def test_drop_zone_click_keyboard_and_drop_choose_files(admin_web, admin_token):
    page = admin_web.page
    admin_web.goto("/admin/documents")
    enter_token(page, admin_token)
    zone = page.locator("#drop-zone")
    intercept_file_choosers(page)
    with page.expect_file_chooser() as chooser_info:
        zone.click(position={"x": 20, "y": 20})  # anywhere in the dashed zone, not only on 选择文件
    chooser_info.value.set_files(files=[{"name": "一.txt", "mimeType": "text/plain", "buffer": "一".encode()}])
    expect(page.locator("#chosen-list li")).to_have_text(["一.txt（1 KB）"])
    zone.focus()
    with page.expect_file_chooser() as chooser_info:
        page.keyboard.press("Enter")
    chooser_info.value.set_files([])
    data = page.evaluate_handle("""() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['甲'], '甲.pdf', { type: 'application/pdf' }));
        dt.items.add(new File(['乙'], '乙.docx'));
        return dt;
    }""")
    zone.dispatch_event("dragenter", {"dataTransfer": data})
    expect(zone).to_have_class(re.compile(r"\bis-over\b"))
    zone.dispatch_event("drop", {"dataTransfer": data})
    expect(zone).not_to_have_class(re.compile(r"\bis-over\b"))
    expect(page.locator("#chosen-list li")).to_have_text(["甲.pdf（1 KB）", "乙.docx（1 KB）"])
    expect(page.get_by_role("button", name="上传并建立索引")).to_be_enabled()
    admin_web.assert_no_page_errors()


# --------------------------------------------------------------------------- hostile text


def test_hostile_file_name_and_title_are_shown_as_text(admin_web, admin_token):
    web, page = admin_web, admin_web.page
    web.goto("/admin/documents")
    enter_token(page, admin_token)
    expect(page.locator("#upload-section")).to_be_visible()

    second_name = "<svg onload=window.__pwned=1>标题.txt"
    page.set_input_files("#file-input", files=[
        {"name": HOSTILE_NAME, "mimeType": "text/plain",
         "buffer": _standalone(HOSTILE_TITLE_MARKUP, "聊政办字〔2024〕17号", "网页标题显示测试", "20").encode("utf-8")},
        {"name": second_name, "mimeType": "text/plain",
         "buffer": _standalone(HOSTILE_TITLE_MARKUP_NO_SPACE, "聊政办字〔2024〕18号", "文件名显示检查", "21").encode("utf-8")},
    ])
    expect(page.locator("#chosen-list li")).to_have_count(2)
    expect(page.locator("#chosen-list li").first).to_contain_text(HOSTILE_NAME)
    body = upload(page)
    files = body["files"]
    assert [f["status"] for f in files] == ["added", "added"], files
    titles = [f["documents"][0]["title"] for f in files]
    assert "onerror" in titles[0] and HOSTILE_TITLE_MARKUP_NO_SPACE in titles[1], titles
    docnums = [f["documents"][0]["docnum"] for f in files]
    assert docnums == ["聊政办字〔2024〕17号", "聊政办字〔2024〕18号"], docnums
    assert [f["documents"][0]["date"] for f in files] == ["2024-05-20", "2024-05-21"]
    assert [f["documents"][0]["issuer"] for f in files] == ["聊城市人民政府办公室"] * 2

    results = page.get_by_test_id("upload-result")
    expect(results).to_have_count(2)
    for k, name in enumerate([HOSTILE_NAME, second_name]):
        expect(results.nth(k).locator("strong")).to_have_text(f"{name}：已添加")
        expect(results.nth(k).locator(".source-docs a")).to_have_text(f"{docnums[k]} · 《{titles[k]}》 · {files[k]['documents'][0]['date']}")
    for f, title in zip(files, titles):
        row = source_row(page, f["source"])
        expect(row).to_have_count(1)
        expect(row.locator(".source-docs")).to_contain_text(title)
        expect(row.locator("td").first).to_have_text("文本")
    page.wait_for_timeout(500)  # an onerror / onload would have fired by now
    page.locator("#progress").evaluate("el => el.scrollIntoView({block: 'start'})")
    web.screenshot("admin-documents-hostile")
    assert page.evaluate("() => window.__pwned") is None, "markup from a file name or title was executed"
    assert page.locator("main img, main svg").count() == 0, "an element from a file name or title was created"
    assert page.evaluate(
        "() => [...document.scripts].every(s => s.src && new URL(s.src).pathname.startsWith('/static/'))")

    # the document page shows the title as text too
    doc_id = files[1]["documents"][0]["doc_id"]
    web.goto(f"/documents/{doc_id}")
    expect(page.locator("#doc-title")).to_have_text(titles[1])
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("main img, main svg").count() == 0
    web.assert_no_page_errors()
