/*
 * Feedback review (admin-feedback.html). The page itself holds no data: it asks for the admin
 * token and reads GET /api/admin/feedback with it as a bearer token. The token stays in this
 * page's memory only. Everything from the service is inserted as text (Gazette.el / textContent);
 * a link is made only for the service's own document URLs.
 */
(function () {
  "use strict";
  const G = window.Gazette;
  const el = G.el;

  const form = document.getElementById("token-form");
  const tokenInput = document.getElementById("token");
  const loadBtn = document.getElementById("load-btn");
  const notice = document.getElementById("notice");
  const section = document.getElementById("feedback-section");
  const summary = document.getElementById("feedback-summary");
  const list = document.getElementById("feedback-list");
  const moreBtn = document.getElementById("more-btn");

  const PAGE_SIZE = 50;
  const DOCUMENT_URL = /^\/documents\/[^\s/]+(#p\d+)?$/;  // our own pages only: never javascript: or another site
  let token = "";
  let nextBefore = null;
  let shown = 0;

  function showNotice(text, isError) {
    G.clear(notice);
    if (text) notice.appendChild(el("p", { class: isError ? "error-box" : "hint" }, text));
  }

  function errorText(err) {
    if (err instanceof G.ApiError) {
      if (err.status === 401) return "管理令牌不正确。";
      if (err.status === 404) return "管理功能未开启：服务端未设置 GAZETTE_ADMIN_TOKEN。";
      if (err.status === 429) return "请求过于频繁，请稍后再试。";
    }
    return "读取反馈失败：" + G.errorMessage(err);
  }

  async function fetchPage(before) {
    const usp = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (before) usp.set("before", String(before));
    return G.getJSON("/api/admin/feedback?" + usp.toString(), {
      headers: { Accept: "application/json", Authorization: "Bearer " + token },
      cache: "no-store",
    });
  }

  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function renderCitation(c) {
    const label = "[" + text(c && c.n) + "] 《" + text(c && c.title) + "》" + (c && c.docnum ? "（" + text(c.docnum) + "）" : "");
    const url = c && typeof c.url === "string" && DOCUMENT_URL.test(c.url) ? c.url : null;
    return el("li", { class: "feedback-citation" },
      url ? el("a", { href: url, target: "_blank", rel: "noopener" }, label) : el("span", null, label),
      c && c.quote ? el("p", { class: "quote" }, text(c.quote)) : null);
  }

  function renderEntry(f) {
    const helpful = f.helpful === true;
    const citations = Array.isArray(f.citations) ? f.citations : [];
    return el("li", { class: "panel feedback-entry", "data-testid": "feedback-entry", dataset: { helpful: String(helpful) } },
      el("p", { class: "feedback-entry__head" },
        el("span", { class: helpful ? "verdict verdict--up" : "verdict verdict--down" }, helpful ? "有帮助" : "没有帮助"),
        " ", el("span", { class: "meta-text" }, "#" + text(f.id) + " · " + text(f.created_at))),
      el("dl", { class: "feedback-entry__body" },
        el("dt", null, "问题"), el("dd", { "data-testid": "feedback-question" }, text(f.question)),
        el("dt", null, "回答"), el("dd", { class: "answer-text" }, text(f.answer)),
        f.comment ? el("dt", null, "意见") : null,
        f.comment ? el("dd", { "data-testid": "feedback-comment" }, text(f.comment)) : null),
      citations.length ? el("details", null, el("summary", null, "引用 " + citations.length + " 处"),
        el("ol", { class: "feedback-citations" }, citations.map(renderCitation))) : null);
  }

  async function load(before) {
    loadBtn.disabled = moreBtn.disabled = true;
    showNotice("正在读取…", false);
    try {
      const page = await fetchPage(before);
      const rows = Array.isArray(page.feedback) ? page.feedback : [];
      if (!before) { G.clear(list); shown = 0; }
      rows.forEach(function (f) { list.appendChild(renderEntry(f)); });
      shown += rows.length;
      nextBefore = page.next_before || null;
      moreBtn.hidden = !nextBefore;
      section.hidden = false;
      G.setText(summary, shown ? "共显示 " + shown + " 条反馈（最新在前）" : "还没有反馈");
      showNotice("", false);
      if (!before) summary.focus();
    } catch (err) {
      showNotice(errorText(err), true);
      if (err instanceof G.ApiError && (err.status === 401 || err.status === 404)) {
        section.hidden = true;
        G.clear(list);
      }
    } finally {
      loadBtn.disabled = moreBtn.disabled = false;
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    token = tokenInput.value.trim();
    if (!token) { showNotice("请输入管理令牌。", true); tokenInput.focus(); return; }
    load(null);
  });
  moreBtn.addEventListener("click", function () { if (nextBefore) load(nextBefore); });
})();
