/*
 * Hotline desk (agent.html): passage search over GET /api/search with filters,
 * 文号 lookup through GET /api/documents?docnum=, and a "复制答复" button per result.
 */
(function () {
  "use strict";
  const G = window.Gazette;
  const el = G.el;

  const form = document.getElementById("search-form");
  const qInput = document.getElementById("q");
  const searchBtn = document.getElementById("search-btn");
  const fields = {
    year_from: document.getElementById("year_from"),
    year_to: document.getElementById("year_to"),
    type: document.getElementById("type"),
    issuer: document.getElementById("issuer"),
    k: document.getElementById("k"),
  };
  const resetBtn = document.getElementById("reset-filters");
  const filtersDetails = document.getElementById("filters-details");
  const narrow = window.matchMedia("(max-width: 720px)");
  const notice = document.getElementById("notice");
  const section = document.getElementById("results-section");
  const summary = document.getElementById("results-summary");
  const list = document.getElementById("results");

  let seq = 0; // ignore answers to superseded searches

  function showNotice(text, isError) {
    G.clear(notice);
    if (!text) return;
    notice.appendChild(el("p", { class: isError ? "error-box" : "hint" }, text));
  }

  function readParams() {
    const p = { q: qInput.value.trim() };
    Object.keys(fields).forEach(function (name) {
      const v = String(fields[name].value || "").trim();
      if (v) p[name] = v;
    });
    return p;
  }

  function writeParams(p) {
    qInput.value = p.q || "";
    Object.keys(fields).forEach(function (name) {
      if (p[name] !== undefined && p[name] !== null) fields[name].value = p[name];
    });
  }

  function toQuery(p) {
    const usp = new URLSearchParams();
    ["q", "k", "year_from", "year_to", "type", "issuer"].forEach(function (name) {
      if (p[name]) usp.set(name, p[name]);
    });
    return usp.toString();
  }

  function stripBookQuotes(title) {
    const t = String(title || "").trim();
    return /^《.*》$/.test(t) ? t.slice(1, -1) : t;
  }

  /** The ready-made reply an agent reads out or pastes: 根据《title》（文号），passage */
  function replyText(r) {
    const cite = "根据《" + stripBookQuotes(r.title) + "》" + (r.docnum ? "（" + r.docnum + "）" : "") +
      (Number.isInteger(r.page) ? "第" + r.page + "页" : "");
    return cite + "，" + String(r.text || "").trim();
  }

  function metaItem(label, value) {
    if (!value) return null;
    return el("div", null, el("dt", null, label + "："), el("dd", null, value));
  }

  function renderResult(r) {
    const copyStatus = el("span", { class: "copied", role: "status", "aria-live": "polite" });
    const copyBtn = el("button", { type: "button", class: "btn btn--small btn--ghost copy-btn" }, "复制答复");
    copyBtn.addEventListener("click", async function () {
      const ok = await G.copyText(replyText(r));
      G.setText(copyStatus, ok ? "已复制" : "复制失败，请手动选择文字复制");
      window.clearTimeout(copyBtn._timer);
      copyBtn._timer = window.setTimeout(function () { G.setText(copyStatus, ""); }, 4000);
    });
    const titleId = "result-" + r.rank + "-title";
    return el("li", {
      class: "result panel", "aria-labelledby": titleId,
      dataset: { docId: r.doc_id || "", type: r.type || "", date: r.date || "", chunkId: r.chunk_id || "" },
    },
      el("h3", { class: "result__title", id: titleId },
        el("span", { class: "result__rank" }, r.rank + "."),
        el("a", { href: r.url || ("/documents/" + encodeURIComponent(r.doc_id)) }, r.title || "（无标题）"),
        " ",
        r.type ? el("span", { class: "badge result__type" }, r.type) : null),
      el("dl", { class: "meta" },
        metaItem("文号", r.docnum),
        metaItem("日期", G.formatDate(r.date)),
        metaItem("发文机关", r.issuer),
        metaItem("页码", Number.isInteger(r.page) ? "原件第" + r.page + "页" : null)),
      r.section ? el("p", { class: "result__section" }, "章节：" + r.section) : null,
      el("p", { class: "result__text" }, G.highlightCodepoints(r.text, r.highlights)),
      el("div", { class: "result__actions" }, copyBtn, copyStatus));
  }

  function renderResults(data, params) {
    G.clear(list);
    const results = (data && data.results) || [];
    section.hidden = false;
    let text = results.length
      ? "“" + params.q + "” 的检索结果：" + results.length + " 条"
      : "没有找到与 “" + params.q + "” 匹配的内容，可尝试更换关键词或放宽筛选条件。";
    const total = data && data.timing_ms && (data.timing_ms.total || data.timing_ms.total_ms);
    if (results.length && typeof total === "number") text += "（用时 " + Math.round(total) + " 毫秒）";
    G.setText(summary, text);
    results.forEach(function (r) { list.appendChild(renderResult(r)); });
    G.announce(text);
    if (narrow.matches) section.scrollIntoView({ block: "start" }); // on a phone the form fills the screen
  }

  /** Ask /api/documents?docnum=. Resolves to the list of matching documents ([] when none). */
  async function lookupDocnum(docnum) {
    try {
      const data = await G.getJSON("/api/documents?docnum=" + encodeURIComponent(docnum));
      return (data && data.documents) || [];
    } catch (err) {
      return [];
    }
  }

  function renderDocnumMatches(docnum, docs) {
    const box = el("div", { class: "docnum-matches panel" },
      el("p", null, "文号 " + docnum + " 对应的文件："),
      el("ul", null, docs.map(function (d) {
        return el("li", null, el("a", { href: "/documents/" + encodeURIComponent(d.doc_id) }, d.title || d.doc_id),
          d.date ? "（" + G.formatDate(d.date) + "）" : "");
      })));
    G.clear(notice);
    notice.appendChild(box);
  }

  async function search(params, opts) {
    opts = opts || {};
    const my = ++seq;
    if (!params.q) {
      showNotice("请输入检索词或文号。", true);
      qInput.focus();
      return;
    }
    const yf = Number(params.year_from), yt = Number(params.year_to);
    if (params.year_from && params.year_to && yf > yt) {
      showNotice("起始年份不能晚于截止年份。", true);
      fields.year_from.focus();
      return;
    }
    history.replaceState(null, "", "/agent?" + toQuery(params));
    searchBtn.disabled = true;
    section.setAttribute("aria-busy", "true");
    showNotice("正在检索…");
    try {
      const docnum = G.findDocnum(params.q);
      let docnumNote = "";
      if (docnum) {
        let docs = [];
        for (const candidate of docnum.candidates) {
          docs = await lookupDocnum(candidate);
          if (my !== seq) return;
          if (docs.length) break;
        }
        if (docs.length === 1 && !opts.noRedirect) {
          showNotice("已找到文号 " + docnum.normalised + "，正在打开文件…");
          window.location.assign("/documents/" + encodeURIComponent(docs[0].doc_id));
          return;
        }
        if (docs.length >= 1) {
          renderDocnumMatches(docnum.normalised, docs);
          section.hidden = true;
          return;
        }
        docnumNote = "未找到文号为 " + docnum.normalised + " 的文件，以下为全文检索结果。";
      }
      const data = await G.getJSON("/api/search?" + toQuery(params));
      if (my !== seq) return;
      showNotice(docnumNote);
      renderResults(data, params);
    } catch (err) {
      if (my !== seq) return;
      section.hidden = true;
      showNotice("检索失败：" + G.errorMessage(err), true);
    } finally {
      if (my === seq) {
        searchBtn.disabled = false;
        section.removeAttribute("aria-busy");
      }
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    search(readParams());
  });

  resetBtn.addEventListener("click", function () {
    fields.year_from.value = "";
    fields.year_to.value = "";
    fields.type.value = "";
    fields.issuer.value = "";
    G.announce("已清除筛选条件");
    qInput.focus();
  });

  // Restore a search from the address bar (reload, back button, shared link) without
  // jumping into a document again.
  const initial = {};
  new URLSearchParams(window.location.search).forEach(function (v, k) { initial[k] = v; });
  writeParams(initial);
  // On a phone the filters start folded, unless the address already sets one.
  const hasFilter = ["year_from", "year_to", "type", "issuer"].some(function (k) { return initial[k]; });
  if (narrow.matches && !hasFilter) filtersDetails.open = false;
  if (initial.q) search(readParams(), { noRedirect: true });
})();
