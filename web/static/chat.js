/*
 * Citizen chat (index.html): streams answers from POST /api/chat (server-sent
 * events), keeps the conversation as history for follow-ups, shows the cited
 * gazette paragraphs as cards and collects helpful / not helpful feedback.
 *
 * A badge says which mode answered: 摘录 (quoted sentences), 生成（已核对）(a
 * language model wrote it and every sentence was checked against its quotes),
 * or 生成未通过核对，显示摘录: the model's text failed a check, and the
 * `replace` event swapped in the extractive answer (shown with a note).
 */
(function () {
  "use strict";
  const G = window.Gazette;
  const el = G.el;

  const MAX_HISTORY_MESSAGES = 8; // the last 4 question/answer pairs go back to the service
  const HOTLINE_TEXT = "如需进一步咨询，请拨打12345市民热线";

  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const sendBtn = document.getElementById("send");
  const conversation = document.getElementById("conversation");
  const intro = document.getElementById("intro");
  const pageTitle = document.getElementById("page-title"); // stays for screen readers during a conversation
  const newChatBtn = document.getElementById("new-chat");
  const status = document.getElementById("status");

  const history = []; // [{role, content}] of finished turns
  let turnCount = 0;
  let busy = false;
  let controller = null;

  function setStatus(text) { G.setText(status, text); }

  function setBusy(value) {
    busy = value;
    sendBtn.disabled = value;
    G.setText(sendBtn, value ? "回答中…" : "发送");
    if (value) conversation.setAttribute("aria-busy", "true");
    else conversation.removeAttribute("aria-busy");
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 160) + "px";
  }

  /** The answer text with [n] markers turned into links to the matching source cards. */
  function renderAnswerText(node, text, citationsByN, turnId) {
    G.clear(node);
    const re = /\[(\d+)\]/g;
    let last = 0, m;
    while ((m = re.exec(text)) !== null) {
      const n = Number(m[1]);
      if (!citationsByN[n]) continue;
      if (m.index > last) node.appendChild(document.createTextNode(text.slice(last, m.index)));
      node.appendChild(el("a", {
        class: "cite-ref", href: "#" + turnId + "-src-" + n,
        "aria-label": "来源" + n, title: citationsByN[n].title || "",
      }, "[" + n + "]"));
      last = m.index + m[0].length;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
  }

  function metaItem(label, value) {
    if (!value) return null;
    return el("div", null, el("dt", null, label + "："), el("dd", null, value));
  }

  /** One source card. The whole card is a link (stretched ::after) to the cited paragraph. */
  function renderCard(c, answerText, turnId) {
    const quote = String(c.quote || "");
    const ranges = answerText ? G.supportingRanges(quote, answerText) : [];
    const card = el("li", { class: "source-card", id: turnId + "-src-" + c.n, dataset: { docId: c.doc_id || "" } },
      el("h4", { class: "source-card__title" },
        el("a", { class: "source-card__link", href: c.url || ("/documents/" + encodeURIComponent(c.doc_id)), target: "_blank", rel: "noopener" },
          el("span", { class: "source-card__n" }, "[" + c.n + "]"),
          c.title || "（无标题）",
          el("span", { class: "visually-hidden" }, "（在新窗口打开原文）"))),
      el("dl", { class: "meta" },
        metaItem("文号", c.docnum),
        metaItem("日期", G.formatDate(c.date)),
        metaItem("页码", Number.isInteger(c.page) ? "原件第" + c.page + "页" : null),
        metaItem("章节", c.section)),
      c.table ? tableQuote(c.table) :
      el("blockquote", { class: "quote", dataset: { highlighted: String(ranges.length) } },
        G.highlightUnits(quote, ranges, "support")));
    return card;
  }

  /** A quoted table row under its header (and caption): the cells as printed, as text nodes. */
  function tableQuote(t) {
    const header = (t.header || []).map(function (h) { return el("th", { scope: "col" }, String(h || "")); });
    const cells = (t.cells || []).map(function (v, k) {
      const inherited = !v && t.inherited && t.inherited[k];
      return el("td", inherited ? { class: "inherited", title: "同上" } : null, String(v || inherited || ""));
    });
    return el("div", { class: "quote quote--table" },
      el("table", null,
        t.caption ? el("caption", null, String(t.caption)) : null,
        el("thead", null, el("tr", null, header)),
        el("tbody", null, el("tr", null, cells))));
  }

  function renderSources(container, citations, answerText, turnId, answered) {
    G.clear(container);
    if (!citations || !citations.length) { container.hidden = true; return; }
    container.hidden = false;
    const headingId = turnId + "-sources";
    container.setAttribute("aria-labelledby", headingId);
    container.appendChild(el("h3", { id: headingId },
      answered === false ? "可能相关的公报内容（未能据此作答）" : "来源（点击查看公报原文）"));
    const list = el("ol", { class: "source-list" });
    citations.forEach(function (c) { list.appendChild(renderCard(c, answerText, turnId)); });
    container.appendChild(list);
  }

  // fallback reasons that mean "the model wrote something and it failed a check"
  const CHECK_FAILURES = ["empty_answer", "unknown_citation", "uncited_sentence", "figure_not_in_source"];

  /** The small badge naming the mode that answered (data-mode: extractive | generated | failed-check). */
  function modeBadge(answerMode, fallback) {
    const failed = !!fallback && CHECK_FAILURES.some(function (c) { return fallback.indexOf(c) === 0; });
    const mode = answerMode === "generated" ? "generated" : failed ? "failed-check" : "extractive";
    const text = { generated: "生成（已核对）", "failed-check": "生成未通过核对，显示摘录", extractive: "摘录" }[mode];
    const title = {
      generated: "由语言模型根据引用的公报原文生成，每句话的数字、日期、文号和部门均已与原文核对",
      "failed-check": "语言模型生成的回答未通过与原文的核对，改为显示公报原文摘录",
      extractive: "回答摘自公报原文",
    }[mode];
    return el("span", { class: "badge mode-badge mode-badge--" + mode, "data-testid": "answer-mode", dataset: { mode: mode }, title: title }, text);
  }

  function renderRefusal() {
    return el("div", { class: "refusal", role: "note", "data-testid": "refusal" },
      el("p", { class: "refusal__title" }, "抱歉，公报中没有找到能回答这个问题的内容。"),
      el("p", null, "如需进一步咨询，请拨打",
        el("a", { class: "hotline", href: "tel:12345" }, "12345"), "市民热线"));
  }

  function renderFeedback(turn) {
    const box = el("div", { class: "feedback", role: "group", "aria-label": "回答反馈" });
    const prompt = el("p", null, "这个回答有帮助吗？");
    // Words only: an emoji thumb is a blank box wherever the font lacks it (seen in headless Chromium).
    const up = el("button", { type: "button", class: "feedback__btn" }, "有帮助");
    const down = el("button", { type: "button", class: "feedback__btn" }, "没有帮助");
    const msg = el("span", { role: "status", "aria-live": "polite" });

    async function send(helpful) {
      up.disabled = down.disabled = true;
      G.setText(msg, "正在提交…");
      try {
        // the answer's id names it; the service keeps its question, answer and citations
        await G.postJSON("/api/feedback", turn.id ? { answer_id: turn.id, helpful: helpful } : {
          question: turn.question,
          answer: turn.answer,
          citations: turn.citations || [],
          helpful: helpful,
        });
        G.clear(box);
        box.appendChild(el("p", { class: "feedback__thanks", role: "status" }, "谢谢反馈"));
      } catch (err) {
        up.disabled = down.disabled = false;
        G.setText(msg, "反馈提交失败：" + G.errorMessage(err));
      }
    }
    up.addEventListener("click", function () { send(true); });
    down.addEventListener("click", function () { send(false); });
    box.append(prompt, up, down, msg);
    return box;
  }

  // ?answer_mode=generated|extractive overrides the service's default (GAZETTE_ANSWER_MODE)
  const requestedMode = new URLSearchParams(window.location.search).get("answer_mode");

  function requestBody(question) {
    const body = { question: question, history: history.slice(-MAX_HISTORY_MESSAGES) };
    if (requestedMode === "generated" || requestedMode === "extractive") body.answer_mode = requestedMode;
    return body;
  }

  async function ask(question) {
    question = String(question || "").trim();
    if (!question) {
      setStatus("请输入问题");
      input.focus();
      return;
    }
    if (busy) {
      // keep the typed text: say why nothing was sent instead of dropping the key press
      setStatus("上一个问题还在回答中，请稍候再发送。");
      return;
    }

    turnCount += 1;
    const turnId = "turn" + turnCount;
    intro.hidden = true;
    pageTitle.classList.add("visually-hidden");
    newChatBtn.hidden = false;

    const questionNode = el("p", { class: "turn-question", id: turnId + "-q" },
      el("span", { class: "visually-hidden" }, "您的问题："), question);
    const textNode = el("p", { class: "answer-text", "data-testid": "answer-text" });
    const badgeSlot = el("span", { class: "answer-mode" });
    const sources = el("section", { class: "sources", hidden: true });
    const extras = el("div");
    const answerNode = el("article", {
      class: "turn-answer", id: turnId + "-a", "data-testid": "answer",
      "aria-labelledby": turnId + "-h", dataset: { state: "streaming", deltas: "0" },
    },
      el("h2", { id: turnId + "-h", class: "answer-label" }, "公报问答的回答", " ", badgeSlot),
      textNode, sources, extras);
    conversation.append(questionNode, answerNode);
    questionNode.scrollIntoView({ block: "start", behavior: "smooth" });

    input.value = "";
    autosize();
    setBusy(true);
    setStatus("正在查阅公报…");

    const turn = { id: null, question: question, answer: "", citations: [], answered: null };
    const citationsByN = {};
    let streamed = "";
    let deltas = 0;
    let finished = false;
    const live = document.createTextNode("");
    textNode.appendChild(live);

    function setBadge(answerMode, fallback) {
      G.clear(badgeSlot);
      badgeSlot.appendChild(modeBadge(answerMode, fallback));
    }

    // The turn is over once its answer is whole, not when the stream closes: the server may
    // still be flushing the tail, and a question typed meanwhile must not be dropped.
    function release() {
      if (controller === myController) {
        controller = null;
        setBusy(false);
      }
    }

    function finish(answered, fullText) {
      finished = true;
      release();
      turn.answered = answered;
      turn.answer = fullText;
      answerNode.dataset.state = "done";
      answerNode.dataset.answered = String(answered);
      renderAnswerText(textNode, fullText, citationsByN, turnId);
      renderSources(sources, turn.citations, fullText, turnId, answered);
      if (!answered) extras.appendChild(renderRefusal());
      extras.appendChild(renderFeedback(turn));
      history.push({ role: "user", content: question }, { role: "assistant", content: fullText });
      setStatus(answered ? "回答已生成，共引用" + turn.citations.length + "处公报原文。" : "公报中没有找到答案。" + HOTLINE_TEXT);
    }

    function fail(message) {
      finished = true;
      release();
      answerNode.dataset.state = "error";
      if (!streamed) G.clear(textNode);
      extras.appendChild(el("p", { class: "error-box", role: "alert" }, message));
      setStatus(message);
    }

    controller = new AbortController();
    const myController = controller;
    try {
      const resp = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify(requestBody(question)),
        signal: myController.signal,
      });
      if (!resp.ok) {
        let detail = "";
        try { const body = await resp.json(); detail = body && body.detail; } catch (e) { /* not JSON */ }
        throw new G.ApiError(resp.status, typeof detail === "string" ? detail : "");
      }
      await G.readSSE(resp, function (name, data) {
        if (finished) return;
        if (name === "citations") {
          turn.citations = Array.isArray(data) ? data : [];
          turn.citations.forEach(function (c) { citationsByN[c.n] = c; });
          renderSources(sources, turn.citations, "", turnId, true);
        } else if (name === "delta") {
          const piece = data && typeof data === "object" ? String(data.text || "") : String(data || "");
          streamed += piece;
          live.appendData(piece);
          deltas += 1;
          answerNode.dataset.deltas = String(deltas);
        } else if (name === "replace") {
          // the generated text failed a check: the extractive answer takes its place, visibly
          turn.citations = Array.isArray(data && data.citations) ? data.citations : turn.citations;
          turn.citations.forEach(function (c) { citationsByN[c.n] = c; });
          streamed = data && typeof data.answer === "string" ? data.answer : "";
          G.clear(textNode);
          textNode.appendChild(document.createTextNode(streamed));
          answerNode.dataset.replaced = "true";
          extras.appendChild(el("p", { class: "replaced-note", role: "note", "data-testid": "replaced-note" },
            "生成的回答未能通过与公报原文的核对，已改为显示原文摘录。"));
          setBadge(data && data.answer_mode, data && data.fallback);
        } else if (name === "done") {
          if (data && typeof data.id === "string") turn.id = data.id;
          setBadge(data && data.answer_mode, data && data.fallback);
          const full = data && typeof data.answer === "string" && data.answer ? data.answer : streamed;
          finish(!(data && data.answered === false), full);
        } else if (name === "error") {
          fail("抱歉，回答时出错：" + ((data && data.detail) || "未知错误") + "。请稍后重试。");
        }
      }, myController.signal);
      if (!finished) {
        if (myController.signal.aborted) return;
        if (streamed) finish(true, streamed);
        else fail("回答中断，请重试。");
      }
    } catch (err) {
      if (err && err.name === "AbortError") return;
      fail("抱歉，" + G.errorMessage(err));
    } finally {
      release();
    }
  }

  function resetConversation() {
    if (controller) controller.abort();
    controller = null;
    setBusy(false);
    history.length = 0;
    G.clear(conversation);
    intro.hidden = false;
    pageTitle.classList.remove("visually-hidden");
    newChatBtn.hidden = true;
    setStatus("已开始新对话");
    input.focus();
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    ask(input.value);
  });

  input.addEventListener("keydown", function (e) {
    // Enter sends; Shift+Enter is a newline; never send while an IME is composing (拼音输入法).
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      ask(input.value);
    }
  });
  input.addEventListener("input", autosize);

  document.querySelectorAll(".example-btn").forEach(function (btn) {
    btn.addEventListener("click", function () {
      input.value = btn.textContent;
      ask(btn.textContent);
      input.focus();
    });
  });

  newChatBtn.addEventListener("click", resetConversation);

  // a ?q= link starts the conversation with that question
  const q = new URLSearchParams(window.location.search).get("q");
  if (q) ask(q);
})();
