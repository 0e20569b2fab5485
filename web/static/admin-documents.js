/*
 * Operator page (admin-documents.html): upload gazettes in the form they are published, watch
 * them being read (per file, per PDF page, OCR) and indexed, list the source files with their
 * documents, remove one. The page holds no data: it asks for the admin token and calls
 * /api/admin/* with it as a bearer token, kept in this page's memory only. Everything from the
 * service or from a file is inserted as text (Gazette.el / textContent), never as markup.
 */
(function () {
  "use strict";
  const G = window.Gazette;
  const el = G.el;

  const form = document.getElementById("token-form");
  const tokenInput = document.getElementById("token");
  const loadBtn = document.getElementById("load-btn");
  const notice = document.getElementById("notice");
  const uploadSection = document.getElementById("upload-section");
  const dropZone = document.getElementById("drop-zone");
  const fileInput = document.getElementById("file-input");
  const chosenList = document.getElementById("chosen-list");
  const uploadBtn = document.getElementById("upload-btn");
  const progressBox = document.getElementById("progress");
  const progressBar = document.getElementById("progress-bar");
  const progressText = document.getElementById("progress-text");
  const results = document.getElementById("upload-results");
  const sourcesSection = document.getElementById("sources-section");
  const sourcesSummary = document.getElementById("sources-summary");
  const sourcesBody = document.getElementById("sources-body");

  const STATUS_NAMES = { added: "已添加", replaced: "已替换", duplicate: "重复，未添加", error: "出错，未添加" };
  const FORMAT_NAMES = { pdf: "PDF", html: "网页", docx: "Word", text: "文本" };
  const DOCUMENT_URL = /^\/documents\/[A-Za-z0-9_-]+$/;  // our own pages only
  let token = "";
  let chosen = [];

  function auth() {
    return { Accept: "application/json", Authorization: "Bearer " + token };
  }

  function showNotice(text, isError) {
    G.clear(notice);
    if (text) notice.appendChild(el("p", { class: isError ? "error-box" : "hint" }, text));
  }

  function errorText(err) {
    if (err instanceof G.ApiError) {
      if (err.status === 401) return "管理令牌不正确。";
      if (err.status === 404 && !err.detail) return "管理功能未开启：服务端未设置 GAZETTE_ADMIN_TOKEN。";
      if (err.status === 413) return "上传内容过大：" + err.detail;
      if (err.status === 429) return "请求过于频繁，请稍后再试。";
    }
    return G.errorMessage(err);
  }

  function documentLine(d) {
    const text = (d.docnum || "—") + " · 《" + (d.title || "") + "》";
    // the date is kept on one line; a 大事记 has none: no dangling " · "
    const date = d.date ? el("span", { class: "nowrap" }, " · " + d.date) : null;
    const url = "/documents/" + (d.doc_id || "");
    const item = el("li", null, DOCUMENT_URL.test(url) && !d.duplicate_of
      ? el("a", { href: url, target: "_blank", rel: "noopener" }, text, date) : [text, date]);
    if (d.duplicate_of) item.appendChild(el("span", { class: "hint" }, "（副本，已收录于 " + (d.duplicate_of.source || "") + "）"));
    return item;
  }

  function renderSources(body) {
    G.clear(sourcesBody);
    const sources = (body && body.sources) || [];
    sources.forEach(function (s) {
      const form = (FORMAT_NAMES[s.format] || "未索引") + (s.pages ? "，" + s.pages + " 页" : "");
      const remove = el("button", { type: "button", class: "btn btn--ghost btn--small", "data-source": s.source }, "移除");
      remove.addEventListener("click", function () { removeSource(s.source, remove); });
      sourcesBody.appendChild(el("tr", { "data-testid": "source-row" },
        el("th", { scope: "row" }, s.source, s.error ? el("p", { class: "error-box" }, s.error) : null),
        el("td", null, form),
        el("td", null, el("ul", { class: "source-docs" }, (s.documents || []).map(documentLine))),
        el("td", null, remove)));
    });
    G.setText(sourcesSummary, "已收录源文件 " + sources.length + " 个" + (body && body.corpus_name ? "（" + body.corpus_name + "）" : ""));
    sourcesSection.hidden = false;
  }

  async function loadSources() {
    renderSources(await G.getJSON("/api/admin/documents", { headers: auth(), cache: "no-store" }));
  }

  async function removeSource(source, button) {
    if (!window.confirm("确定从语料中移除 " + source + " 吗？")) return;
    button.disabled = true;
    G.setText(button, "移除中…");  // the index is rebuilt: seconds
    try {
      const resp = await fetch("/api/admin/documents/" + encodeURIComponent(source), { method: "DELETE", headers: auth() });
      if (!resp.ok) {
        let detail = "";
        try { detail = (await resp.json()).detail; } catch (e) { detail = resp.statusText; }
        throw new G.ApiError(resp.status, detail);
      }
    } catch (err) {
      showNotice("移除失败：" + errorText(err), true);
      button.disabled = false;
      G.setText(button, "移除");
      notice.scrollIntoView({ block: "nearest" });
      return;
    }
    showNotice("已移除 " + source + "。", false);
    try {
      await loadSources();
    } catch (err) {  // removed all the same: only the list is stale
      showNotice("已移除 " + source + "，但刷新列表失败：" + errorText(err), true);
    }
    // the button may have been far down a long list: bring the outcome, shown above the form, into view
    notice.scrollIntoView({ block: "nearest" });
  }

  function renderChosen() {
    G.clear(chosenList);
    chosen.forEach(function (f) {
      chosenList.appendChild(el("li", null, f.name + "（" + Math.max(1, Math.round(f.size / 1024)) + " KB）"));
    });
    uploadBtn.disabled = !chosen.length;
  }

  function choose(files) {
    chosen = Array.prototype.slice.call(files || []);
    G.clear(results);
    renderChosen();
  }

  function stepText(p) {
    if (!p || p.stage === "idle") return "正在上传…";
    if (p.stage === "reading") {
      const which = "（第 " + (p.files_done + 1) + " / " + p.files_total + " 个文件）";
      return "正在读取 " + (p.file || "") + which + (p.page ? "：第 " + p.page + " / " + p.pages + " 页" : "");
    }
    if (p.stage === "indexing") return "正在建立索引…";
    return "完成。";
  }

  function renderResults(body) {
    G.clear(results);
    ((body && body.files) || []).forEach(function (f) {
      results.appendChild(el("li", { class: "upload-result upload-result--" + f.status, "data-testid": "upload-result", dataset: { status: f.status } },
        el("strong", null, f.filename + "：" + (STATUS_NAMES[f.status] || f.status)),
        el("p", { class: f.status === "error" ? "error-box" : "hint" }, f.detail || ""),
        f.documents && f.documents.length ? el("ul", { class: "source-docs" }, f.documents.map(documentLine)) : null));
    });
  }

  /** XMLHttpRequest, for the upload's own progress; the server's steps are polled beside it. */
  function postFiles(files) {
    return new Promise(function (resolve, reject) {
      const data = new FormData();
      files.forEach(function (f) { data.append("files", f, f.name); });
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/admin/documents");
      xhr.setRequestHeader("Authorization", "Bearer " + token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          progressBar.value = Math.round(100 * e.loaded / e.total);
          G.setText(progressText, "正在上传… " + progressBar.value + "%");
        }
      };
      xhr.onload = function () {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else reject(new G.ApiError(xhr.status, body && typeof body.detail === "string" ? body.detail : xhr.statusText));
      };
      xhr.onerror = function () { reject(new Error("网络错误")); };
      xhr.send(data);
    });
  }

  async function upload() {
    if (!chosen.length) return;
    uploadBtn.disabled = true;
    progressBox.hidden = false;
    progressBar.value = 0;
    G.setText(progressText, "正在上传…");
    let polling = true;
    const poll = async function () {
      while (polling) {
        try {
          const p = await G.getJSON("/api/admin/progress", { headers: auth(), cache: "no-store" });
          if (polling && p.stage !== "idle" && p.stage !== "done") {
            G.setText(progressText, stepText(p));
            if (p.pages) progressBar.value = Math.round(100 * p.page / p.pages);
            else progressBar.removeAttribute("value");
          }
        } catch (e) { /* the upload's own outcome reports errors */ }
        await new Promise(function (r) { setTimeout(r, 500); });
      }
    };
    poll();
    try {
      const body = await postFiles(chosen);
      polling = false;  // a poll answered after this is stale: it must not overwrite the outcome
      renderResults(body);
      const bad = ((body && body.files) || []).filter(function (f) { return f.status === "error"; }).length;
      G.setText(progressText, bad ? "完成，" + bad + " 个文件出错（其余已收录）。" : "完成。");
      progressBar.value = 100;
      chosen = [];
      renderChosen();
      await loadSources();
    } catch (err) {
      polling = false;
      G.setText(progressText, "");
      showNotice("上传失败：" + errorText(err), true);
    } finally {
      polling = false;
      uploadBtn.disabled = !chosen.length;
    }
  }

  form.addEventListener("submit", async function (e) {
    e.preventDefault();
    token = tokenInput.value.trim();
    if (!token) { showNotice("请输入管理令牌。", true); return; }
    loadBtn.disabled = true;
    showNotice("正在读取…", false);
    try {
      await loadSources();
      showNotice("", false);
      uploadSection.hidden = false;
    } catch (err) {
      showNotice(errorText(err), true);
    } finally {
      loadBtn.disabled = false;
    }
  });

  fileInput.addEventListener("change", function () { choose(fileInput.files); });
  uploadBtn.addEventListener("click", upload);
  // the whole zone is a button: a click anywhere in it opens the chooser (the label and the input
  // itself open it already; the input's own click bubbles here and is left alone)
  dropZone.addEventListener("click", function (e) {
    if (e.target === fileInput || (e.target.closest && e.target.closest("label"))) return;
    fileInput.click();
  });
  dropZone.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); fileInput.click(); }
  });
  ["dragenter", "dragover"].forEach(function (type) {
    dropZone.addEventListener(type, function (e) { e.preventDefault(); dropZone.classList.add("is-over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dropZone.addEventListener(type, function (e) { e.preventDefault(); dropZone.classList.remove("is-over"); });
  });
  dropZone.addEventListener("drop", function (e) { choose(e.dataTransfer && e.dataTransfer.files); });
})();
