/*
 * Shared helpers for the gazette pages: fetch wrappers, a server-sent-events
 * parser for POST streams, safe DOM building and text highlighting.
 *
 * SAFETY: everything that comes from the service (document text, answers,
 * titles, quotes) is inserted as text nodes only. Nothing here ever assigns
 * innerHTML/outerHTML or uses insertAdjacentHTML.
 */
(function () {
  "use strict";

  /** An HTTP error with the service's `detail` message when there is one. */
  class ApiError extends Error {
    constructor(status, detail) {
      super(detail || ("HTTP " + status));
      this.name = "ApiError";
      this.status = status;
      this.detail = detail;
    }
  }

  function detailText(detail) {
    if (detail == null) return "";
    if (typeof detail === "string") return detail;
    // FastAPI validation errors: [{loc, msg, type}, ...]
    if (Array.isArray(detail)) {
      return detail.map(function (d) { return (d && d.msg) ? d.msg : String(d); }).join("；");
    }
    if (typeof detail === "object" && detail.msg) return String(detail.msg);
    try { return JSON.stringify(detail); } catch (e) { return String(detail); }
  }

  async function errorFromResponse(resp) {
    let detail = "";
    try {
      const body = await resp.json();
      detail = detailText(body && body.detail !== undefined ? body.detail : body);
    } catch (e) {
      detail = resp.statusText || "";
    }
    return new ApiError(resp.status, detail);
  }

  async function getJSON(url, options) {
    const resp = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, options || {}));
    if (!resp.ok) throw await errorFromResponse(resp);
    return resp.json();
  }

  async function postJSON(url, body, options) {
    const resp = await fetch(url, Object.assign({
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }, options || {}));
    if (!resp.ok) throw await errorFromResponse(resp);
    const text = await resp.text();
    return text ? JSON.parse(text) : null;
  }

  /**
   * Read a text/event-stream body and call onEvent(name, data) per event.
   * `data` is JSON-parsed when possible, else the raw string. Resolves when the
   * stream ends. Handles \n, \r\n and \r line endings, multi-line data, comments.
   */
  async function readSSE(response, onEvent, signal) {
    if (!response.body || !response.body.getReader) {
      // Very old engines: parse the whole body at once.
      parseSSEText(await response.text(), onEvent, true);
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder("utf-8");
    const state = { buffer: "", event: "", data: [] };
    try {
      for (;;) {
        if (signal && signal.aborted) { await reader.cancel(); break; }
        const chunk = await reader.read();
        if (chunk.done) break;
        state.buffer += decoder.decode(chunk.value, { stream: true });
        consumeLines(state, onEvent, false);
      }
      state.buffer += decoder.decode();
      consumeLines(state, onEvent, true);
    } finally {
      try { reader.releaseLock(); } catch (e) { /* already released */ }
    }
  }

  function parseSSEText(text, onEvent, final) {
    const state = { buffer: text, event: "", data: [] };
    consumeLines(state, onEvent, final);
  }

  function dispatch(state, onEvent) {
    if (state.data.length === 0 && !state.event) return;
    const raw = state.data.join("\n");
    const name = state.event || "message";
    state.event = "";
    state.data = [];
    let data = raw;
    try { data = JSON.parse(raw); } catch (e) { /* keep string */ }
    onEvent(name, data);
  }

  function consumeLines(state, onEvent, final) {
    for (;;) {
      const m = /\r\n|\r|\n/.exec(state.buffer);
      if (!m) break;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (m[0] === "\r" && m.index === state.buffer.length - 1 && !final) break;
      const line = state.buffer.slice(0, m.index);
      state.buffer = state.buffer.slice(m.index + m[0].length);
      handleLine(state, line, onEvent);
    }
    if (final) {
      if (state.buffer) { handleLine(state, state.buffer, onEvent); state.buffer = ""; }
      dispatch(state, onEvent);
    }
  }

  function handleLine(state, line, onEvent) {
    if (line === "") { dispatch(state, onEvent); return; }
    if (line.charAt(0) === ":") return; // comment / keep-alive
    const colon = line.indexOf(":");
    let field = line, value = "";
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.charAt(0) === " ") value = value.slice(1);
    }
    if (field === "event") state.event = value;
    else if (field === "data") state.data.push(value);
    // id / retry are irrelevant for a one-shot POST stream
  }

  /**
   * Build an element. attrs: {class, text, dataset:{}, on:{event: fn}, any-attr}.
   * Children: Nodes or strings (strings become text nodes). null/false skipped.
   */
  function el(tag, attrs) {
    const node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        const value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "class") node.className = value;
        else if (key === "text") node.textContent = String(value);
        else if (key === "dataset") Object.keys(value).forEach(function (k) { node.dataset[k] = String(value[k]); });
        else if (key === "on") Object.keys(value).forEach(function (k) { node.addEventListener(k, value[k]); });
        else if (value === true) node.setAttribute(key, "");
        else node.setAttribute(key, String(value));
      });
    }
    for (let i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(parent, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(parent, c); }); return; }
    if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /** Replace a node's content with plain text. */
  function setText(node, text) {
    node.textContent = text == null ? "" : String(text);
  }

  /** Merge, sort and clamp [start, end) ranges. */
  function normaliseRanges(ranges, length) {
    const clean = [];
    (ranges || []).forEach(function (r) {
      if (!r || r.length < 2) return;
      let s = Math.max(0, Math.min(length, Number(r[0]) | 0));
      let e = Math.max(0, Math.min(length, Number(r[1]) | 0));
      if (e > s) clean.push([s, e]);
    });
    clean.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    const merged = [];
    clean.forEach(function (r) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  /**
   * A DocumentFragment of `text` with [start, end) UTF-16 ranges wrapped in <mark>.
   * markClass: optional class for the <mark> elements.
   */
  function highlightUnits(text, ranges, markClass) {
    text = text == null ? "" : String(text);
    const frag = document.createDocumentFragment();
    let pos = 0;
    normaliseRanges(ranges, text.length).forEach(function (r) {
      if (r[0] > pos) frag.appendChild(document.createTextNode(text.slice(pos, r[0])));
      const mark = document.createElement("mark");
      if (markClass) mark.className = markClass;
      mark.textContent = text.slice(r[0], r[1]);
      frag.appendChild(mark);
      pos = r[1];
    });
    if (pos < text.length) frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  /**
   * Like highlightUnits, but the ranges are Unicode code point offsets, as the
   * service (Python str indices) reports them. Differs from UTF-16 offsets only
   * for characters outside the BMP (emoji, CJK extension B…), but then it matters.
   */
  function highlightCodepoints(text, ranges, markClass) {
    text = text == null ? "" : String(text);
    const unitOffset = [0]; // unitOffset[k] = UTF-16 index of code point k
    let units = 0;
    for (const ch of text) { units += ch.length; unitOffset.push(units); }
    const n = unitOffset.length - 1;
    const converted = (ranges || []).map(function (r) {
      if (!r || r.length < 2) return null;
      const s = Math.max(0, Math.min(n, Number(r[0]) | 0));
      const e = Math.max(0, Math.min(n, Number(r[1]) | 0));
      return [unitOffset[s], unitOffset[e]];
    }).filter(Boolean);
    return highlightUnits(text, converted, markClass);
  }

  const SENTENCE_END = /[。！？；!?;\n]/;

  /** Split Chinese text into sentences, keeping the end punctuation; returns [{text, start, end}]. */
  function splitSentences(text) {
    const out = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (SENTENCE_END.test(text.charAt(i))) {
        // keep closing quotes/brackets that follow the stop with the sentence
        let j = i + 1;
        while (j < text.length && /[”’」』）)\]】]/.test(text.charAt(j))) j++;
        out.push({ text: text.slice(start, j), start: start, end: j });
        start = j;
        i = j - 1;
      }
    }
    if (start < text.length) out.push({ text: text.slice(start), start: start, end: text.length });
    return out;
  }

  function squash(s) {
    // whitespace (PDF extraction leaves spaces in CJK text) and citation markers
    return String(s || "").replace(/\[\d+\]/g, "").replace(/\s+/g, "");
  }

  const TRIM_PUNCT = /^[\s，,。！？；;：:、“”‘’"'「」『』（）()【】\[\]]+|[\s，,。！？；;：:、“”‘’"'「」『』（）()【】\[\]]+$/g;

  /** Length of the longest common substring of a and b (both short: a sentence, an answer). */
  function longestCommon(a, b) {
    if (!a || !b) return 0;
    let prev = new Array(b.length + 1).fill(0);
    let best = 0;
    for (let i = 1; i <= a.length; i++) {
      const cur = new Array(b.length + 1).fill(0);
      const ca = a.charCodeAt(i - 1);
      for (let j = 1; j <= b.length; j++) {
        if (ca === b.charCodeAt(j - 1)) {
          cur[j] = prev[j - 1] + 1;
          if (cur[j] > best) best = cur[j];
        }
      }
      prev = cur;
    }
    return best;
  }

  /**
   * UTF-16 ranges of the sentences of `quote` that the answer text repeats, ignoring
   * whitespace, [n] markers and edge punctuation: a sentence counts when the answer holds
   * all of it, or a run of at least 10 characters covering 60% of it (an answer that drops
   * "第三十条" or a clause). When no sentence counts, clauses (split at ，：) of 8+ characters
   * that the answer holds are tried. Returns [] when nothing matches.
   */
  function supportingRanges(quote, answer) {
    quote = String(quote || "");
    const hay = squash(answer).slice(0, 4000);
    if (!quote || !hay) return [];
    const found = [];
    const sentences = splitSentences(quote);
    sentences.forEach(function (s) {
      const core = squash(s.text).replace(TRIM_PUNCT, "");
      if (core.length < 4) return;
      if (hay.indexOf(core) >= 0) { found.push([s.start, s.end]); return; }
      if (core.length > 400) return;
      const common = longestCommon(core, hay);
      if (common >= 10 && common >= 0.6 * core.length) found.push([s.start, s.end]);
    });
    if (found.length) return found;
    sentences.forEach(function (s) {
      const re = /[，,：:]/g;
      let last = 0, m;
      const parts = [];
      while ((m = re.exec(s.text)) !== null) { parts.push([last, m.index + 1]); last = m.index + 1; }
      parts.push([last, s.text.length]);
      parts.forEach(function (p) {
        const piece = s.text.slice(p[0], p[1]);
        const core = squash(piece).replace(TRIM_PUNCT, "");
        if (core.length >= 8 && hay.indexOf(core) >= 0) found.push([s.start + p[0], s.start + p[1]]);
      });
    });
    return found;
  }

  /** "2020-05-20" → "2020年5月20日"; anything else unchanged; null → "". */
  function formatDate(iso) {
    if (!iso) return "";
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(String(iso));
    if (!m) return String(iso);
    return m[1] + "年" + Number(m[2]) + "月" + Number(m[3]) + "日";
  }

  /** {year, number, total} → "2020年第5期（总第206期）". */
  function formatIssue(issue) {
    if (!issue) return "";
    let s = issue.year + "年第" + issue.number + "期";
    if (issue.total) s += "（总第" + issue.total + "期）";
    return s;
  }

  /**
   * A 文号 somewhere in free text, in any bracket variant:
   * 聊政办字〔2018〕76号, 聊政办字[2018]76号, 聊政办字【2018】76号, 聊政办字(2018)76号 …
   */
  const DOCNUM_RE = /([\u4e00-\u9fa5]{1,12})\s*[〔\[【(（［｛{]\s*((?:19|20)\d{2})\s*[〕\]】)）］｝}]\s*第?\s*(\d{1,4})\s*号/;

  /**
   * The 文号 in `text`, or null: {raw, normalised, candidates}. The prefix before the bracket
   * may have swallowed words ("请查聊政办字[2018]76号"), so `candidates` also holds the match
   * starting at each 聊/鲁/国/中 inside it (issuer abbreviations start so), longest first.
   */
  function findDocnum(text) {
    const m = DOCNUM_RE.exec(String(text || ""));
    if (!m) return null;
    const prefix = m[1];
    const rest = m[0].slice(m[0].indexOf(prefix) + prefix.length);
    const candidates = [m[0]];
    for (let i = 1; i < prefix.length - 1; i++) {
      if ("聊鲁国中".indexOf(prefix.charAt(i)) >= 0) candidates.push(prefix.slice(i) + rest);
    }
    const best = candidates.length > 1 ? candidates[1] : m[0];
    const bm = DOCNUM_RE.exec(best);
    return {
      raw: m[0],
      normalised: bm[1] + "〔" + bm[2] + "〕" + Number(bm[3]) + "号",
      candidates: candidates,
    };
  }

  /** Copy text to the clipboard; resolves true on success. Falls back to a hidden textarea. */
  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(text); return true; } catch (e) { /* fall back */ }
    }
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "clipboard-fallback";
    document.body.appendChild(ta);
    const active = document.activeElement;
    ta.focus();
    ta.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    if (active && active.focus) active.focus();
    return ok;
  }

  /** Announce a message through a polite live region (created on demand). */
  function announce(message) {
    let region = document.getElementById("sr-announcer");
    if (!region) {
      region = el("div", { id: "sr-announcer", class: "visually-hidden", role: "status", "aria-live": "polite" });
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function errorMessage(err) {
    if (err instanceof ApiError) {
      if (err.status === 404) return "未找到：" + (err.detail || "请求的内容不存在");
      if (err.status === 422) return "输入有误：" + (err.detail || "请检查后重试");
      if (err.status >= 500) return "服务暂时不可用，请稍后重试。";
      return err.detail || ("请求失败（" + err.status + "）");
    }
    return "网络连接失败，请检查网络后重试。";
  }

  /*
   * The corpus's name ("聊城市人民政府公报", or whatever the service indexes): GET /api/corpus,
   * once per page. Pages mark where it goes with data-corpus-name; the page title's
   * " · 政府公报" tail is replaced too. Inserted as text only.
   */
  const DEFAULT_CORPUS_NAME = "政府公报";
  let corpusNamePromise = null;

  function corpusName() {
    if (!corpusNamePromise) {
      corpusNamePromise = getJSON("/api/corpus")
        .then(function (info) { return (info && typeof info.name === "string" && info.name) || DEFAULT_CORPUS_NAME; })
        .catch(function () { return DEFAULT_CORPUS_NAME; });
    }
    return corpusNamePromise;
  }

  function applyCorpusName() {
    return corpusName().then(function (name) {
      document.querySelectorAll("[data-corpus-name]").forEach(function (node) { setText(node, name); });
      const tail = " · " + DEFAULT_CORPUS_NAME;
      if (document.title.slice(-tail.length) === tail) {
        document.title = document.title.slice(0, -tail.length) + " · " + name;
      }
      return name;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", applyCorpusName);
  } else {
    applyCorpusName();
  }

  window.Gazette = {
    corpusName: corpusName,
    ApiError: ApiError,
    getJSON: getJSON,
    postJSON: postJSON,
    readSSE: readSSE,
    parseSSEText: parseSSEText,
    el: el,
    append: append,
    clear: clear,
    setText: setText,
    highlightUnits: highlightUnits,
    highlightCodepoints: highlightCodepoints,
    splitSentences: splitSentences,
    supportingRanges: supportingRanges,
    formatDate: formatDate,
    formatIssue: formatIssue,
    DOCNUM_RE: DOCNUM_RE,
    findDocnum: findDocnum,
    copyText: copyText,
    announce: announce,
    errorMessage: errorMessage,
  };
})();
