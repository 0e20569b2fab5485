/*
 * Document view (document.html at /documents/{doc_id}): metadata, validity box and
 * every paragraph as an element with id "p{index}". A #pN hash scrolls to that
 * paragraph and marks it (class is-target, aria-current). A table (caption, header
 * and row paragraphs) is a <table>: its caption and rows carry the paragraph ids.
 * Document text only ever goes in as text nodes (G.el), never as markup.
 */
(function () {
  "use strict";
  const G = window.Gazette;
  const el = G.el;

  const statusNode = document.getElementById("doc-status");
  const article = document.getElementById("doc");
  const titleNode = document.getElementById("doc-title");
  const metaList = document.getElementById("doc-meta");
  const validityBox = document.getElementById("validity");
  const validityList = document.getElementById("validity-list");
  const validityStatement = document.getElementById("validity-statement");
  const body = document.getElementById("doc-body");
  const backLink = document.getElementById("back-link");

  function docIdFromPath() {
    const m = /\/documents\/([^/?#]+)\/?$/.exec(window.location.pathname);
    if (!m) return null;
    try { return decodeURIComponent(m[1]); } catch (e) { return m[1]; }
  }

  /** The back link names the page it goes to (the operator page opens documents too). */
  function backLabel(path) {
    if (path.indexOf("/agent") === 0) return "← 返回检索结果";
    if (path.indexOf("/admin/documents") === 0) return "← 返回文件管理";
    if (path.indexOf("/admin/feedback") === 0) return "← 返回反馈审阅";
    if (path === "/") return "← 公报问答首页";
    return "← 返回";
  }

  function setupBackLink() {
    let ref = null;
    try { ref = document.referrer ? new URL(document.referrer) : null; } catch (e) { ref = null; }
    if (ref && ref.origin === window.location.origin && ref.pathname !== window.location.pathname) {
      backLink.href = ref.pathname + ref.search;
      G.setText(backLink, backLabel(ref.pathname));
    } else {
      backLink.href = "/agent";
      G.setText(backLink, "← 检索其他文件");
    }
    backLink.hidden = false;
  }

  function addPair(list, label, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return;
    list.appendChild(el("dt", null, label));
    list.appendChild(el("dd", null, Array.isArray(value) ? value.join("、") : value));
  }

  /** The gazette an issuer's documents are printed in: 聊城市人民政府办公室 → "聊城市人民政府公报 ". */
  function gazetteOf(issuer) {
    return issuer ? issuer.replace(/(办公室|办公厅)$/, "") + "公报 " : "";
  }

  function renderMeta(doc) {
    G.clear(metaList);
    addPair(metaList, "文号", doc.docnum);
    addPair(metaList, "发文机关", doc.issuer);
    addPair(metaList, "成文日期", G.formatDate(doc.date));
    addPair(metaList, "文件类型", doc.type);
    addPair(metaList, "刊载期次", doc.issue ? gazetteOf(doc.issuer) + G.formatIssue(doc.issue) : null);
    if (doc.source_url) {
      const form = (FORMAT_NAMES[doc.source_format] || "文件") + (doc.source_pages ? "，共" + doc.source_pages + "页" : "");
      metaList.appendChild(el("dt", null, "原件"));
      metaList.appendChild(el("dd", null, el("a", { href: doc.source_url, class: "source-link", rel: "noopener" },
        doc.source_file || "下载"), "（" + form + "）"));
    }
  }

  const FORMAT_NAMES = { pdf: "PDF", html: "网页", docx: "Word 文件", text: "文本" };

  function renderValidity(v) {
    G.clear(validityList);
    if (!v || !(v.effective || v.expires || v.statement || (v.repeals && v.repeals.length))) {
      validityBox.hidden = true;
      return;
    }
    addPair(validityList, "施行", G.formatDate(v.effective));
    addPair(validityList, "有效期至", G.formatDate(v.expires));
    addPair(validityList, "废止", v.repeals || []);
    if (v.statement) {
      G.setText(validityStatement, v.statement);
      validityStatement.hidden = false;
    } else {
      validityStatement.hidden = true;
    }
    validityBox.hidden = false;
  }

  /** A PDF's page marker before the first paragraph of each page: "第3页", opening the PDF there. */
  function pageMarker(page, sourceUrl, format) {
    const label = "第" + page + "页";
    const link = format === "pdf" && sourceUrl
      ? el("a", { href: sourceUrl + "#page=" + page, target: "_blank", rel: "noopener" }, label) : label;
    return el("div", { class: "page-marker", id: "page" + page, "aria-label": "原件" + label }, link);
  }

  function paraAttrs(p, kind) {
    const depth = Math.max(0, Math.min(6, (p.heading_path || []).length));
    return {
      id: "p" + p.index,
      class: "para para--" + kind + " depth-" + depth,
      dataset: { index: p.index, paragraphId: p.paragraph_id || "" },
    };
  }

  function cellsOf(p) {
    return p.table && Array.isArray(p.table.cells) ? p.table.cells.map(function (c) { return String(c); }) : [];
  }

  /** Whether row p's cell k is blank in print because a cell above spans it (its value inherited). */
  function inheritsAt(p, k) {
    const inherited = (p.table && p.table.inherited) || [];
    return !cellsOf(p)[k] && !!inherited[k];
  }

  /** The paragraphs of the table that starts at paragraphs[i], or null: an optional caption, a header, its rows. */
  function tableAt(paragraphs, i) {
    let k = i;
    const caption = paragraphs[k] && paragraphs[k].kind === "table_caption" ? paragraphs[k++] : null;
    const header = paragraphs[k];
    if (!header || header.kind !== "table_header" || !header.table) return null;
    const rows = [];
    k++;
    while (k < paragraphs.length && paragraphs[k].kind === "table_row" && paragraphs[k].table) rows.push(paragraphs[k++]);
    return { caption: caption, header: header, rows: rows, next: k };
  }

  /** A table as printed: a cell merged over rows is one cell spanning them (rowspan). */
  function renderTable(t) {
    const table = el("table", { class: "doc-table" });
    if (t.caption) table.appendChild(el("caption", paraAttrs(t.caption, "table_caption"), t.caption.text));
    table.appendChild(el("thead", null, el("tr", paraAttrs(t.header, "table_header"),
      cellsOf(t.header).map(function (c) { return el("th", { scope: "col" }, c); }))));
    const tbody = el("tbody");
    t.rows.forEach(function (p, i) {
      const tr = el("tr", paraAttrs(p, "table_row"));
      cellsOf(p).forEach(function (c, k) {
        if (inheritsAt(p, k)) return; // covered by the cell above, which spans this row
        let span = 1;
        if (c) while (i + span < t.rows.length && inheritsAt(t.rows[i + span], k)) span++;
        tr.appendChild(el("td", span > 1 ? { rowspan: span } : null, c));
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    return el("div", { class: "doc-table-wrap" }, table);
  }

  function renderParagraphs(paragraphs, doc) {
    G.clear(body);
    const frag = document.createDocumentFragment();
    let lastLevel = 1; // the document title is the h1; heading levels never skip one
    let lastPage = null;
    paragraphs = paragraphs || [];
    for (let i = 0; i < paragraphs.length; i++) {
      const p = paragraphs[i];
      if (Number.isInteger(p.page) && p.page !== lastPage && p.kind !== "title") {
        frag.appendChild(pageMarker(p.page, doc && doc.source_url, doc && doc.source_format));
        lastPage = p.page;
      }
      const table = tableAt(paragraphs, i);
      if (table) {
        frag.appendChild(renderTable(table));
        i = table.next - 1;
        continue;
      }
      const depth = Math.max(0, Math.min(6, (p.heading_path || []).length));
      const kind = /^[a-z_]+$/.test(p.kind || "") ? p.kind : "text";
      if (kind === "title") { // shown as the page's h1 already: a citation of it (#p0) marks the h1
        titleIndex = String(p.index);
        continue;
      }
      let tag = "p";
      if (kind === "heading") {
        const level = Math.min(Math.max(2, Math.min(6, depth + 1)), lastLevel + 1);
        lastLevel = level;
        tag = "h" + level;
      }
      frag.appendChild(el(tag, paraAttrs(p, kind), p.text));
    }
    body.appendChild(frag);
  }

  let currentTarget = null;
  let titleIndex = null; // the index of the title paragraph, which the h1 shows

  /** Scroll to and mark the paragraph named by location.hash (#pN). */
  function focusHash() {
    if (currentTarget) {
      currentTarget.classList.remove("is-target");
      currentTarget.removeAttribute("aria-current");
      currentTarget = null;
    }
    const m = /^#p(\d+)$/.exec(window.location.hash);
    if (!m) return;
    const target = document.getElementById("p" + m[1]) || (m[1] === titleIndex ? titleNode : null);
    if (!target) return;
    currentTarget = target;
    target.classList.add("is-target");
    target.setAttribute("aria-current", "true");
    target.setAttribute("tabindex", "-1");
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  async function load() {
    setupBackLink();
    const docId = docIdFromPath();
    if (!docId) {
      G.setText(statusNode, "地址中没有文件编号。");
      return;
    }
    try {
      const doc = await G.getJSON("/api/documents/" + encodeURIComponent(docId));
      document.title = (doc.title || docId) + " · 政府公报";
      G.corpusName().then(function (name) { document.title = (doc.title || docId) + " · " + name; });
      G.setText(titleNode, doc.title || "（无标题）");
      renderMeta(doc);
      renderValidity(doc.validity);
      renderParagraphs(doc.paragraphs, doc);
      article.hidden = false;
      article.dataset.docId = doc.doc_id || docId;
      G.setText(statusNode, "");
      statusNode.hidden = true;
      focusHash();
    } catch (err) {
      statusNode.className = "error-box";
      G.setText(statusNode, err && err.status === 404
        ? "未找到该文件（" + docId + "）。它可能不在当前收录的公报中。"
        : "文件加载失败：" + G.errorMessage(err));
    }
  }

  window.addEventListener("hashchange", focusHash);
  load();
})();
