/* Citizen chat: one question per turn; citations expand to the clause; quick replies answer a
   clarifying question; each answer can be rated 1–5. */
"use strict";

(() => {
  const { el, api } = MP;
  const messages = document.getElementById("messages");
  const form = document.getElementById("ask");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("send");
  const RATINGS = ["很不满意", "不满意", "一般", "满意", "很满意"];
  let sessionId = MP.store("mp-session") || null;
  let busy = false;

  MP.setupLargeFont(document.getElementById("large-font"));
  MP.keepFocusClear(document.querySelector(".topbar"), form);
  document.getElementById("new-chat").addEventListener("click", () => {
    sessionId = null;
    MP.store("mp-session", null);
    messages.replaceChildren();
    document.getElementById("examples").hidden = false;
    input.focus();
  });
  for (const chip of document.querySelectorAll("#examples .chip")) {
    // The examples hide once a question is sent: the focus goes on to the reply, not to <body>.
    chip.addEventListener("click", () => send(chip.textContent, { focusReply: true }));
  }

  function scrollDown() {
    messages.lastElementChild && messages.lastElementChild.scrollIntoView({ block: "end", behavior: MP.scrollBehavior() });
  }

  function userBubble(text) {
    messages.append(el("div", { class: "msg msg-user" }, el("p", { class: "bubble" }, text)));
  }

  function citationItem(citation) {
    const detail = el("div", { class: "cite-detail", hidden: true },
      el("p", { class: "cite-text" }, citation.text),
      el("button", { type: "button", class: "btn-link cite-more", onclick: (e) => loadClause(e.target, citation.chunk_id) }, "查看完整条款及出处"));
    const where = MP.place(citation);
    const toggle = el("button", { type: "button", class: "cite-toggle", "aria-expanded": "false", onclick: () => expand(item, null) },
      el("span", { class: "cite-n" }, `[${citation.n}]`), ` ${citation.citation}`, where ? el("span", { class: "cite-where" }, `（${where}）`) : null);
    const item = el("li", { class: "citation", dataset: { n: String(citation.n) } }, toggle, detail);
    return item;
  }

  function expand(item, force) {
    const detail = item.querySelector(".cite-detail");
    const toggle = item.querySelector(".cite-toggle");
    const open = force === null ? detail.hidden : force;
    detail.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) item.scrollIntoView({ block: "nearest", behavior: MP.scrollBehavior() });
  }

  async function loadClause(button, chunkId) {
    button.disabled = true;
    try {
      const clause = await api(`/api/clauses/${encodeURIComponent(chunkId)}`);
      const sources = (clause.sources || []).map((s) => `${s.file} 第${s.line}行`).join("；");
      const detail = button.closest(".cite-detail");
      detail.querySelector(".cite-text").remove(); // the full clause replaces the quoted part
      const full = el("div", { class: "cite-full", "aria-label": `完整条款：${clause.citation}` },
        el("p", {}, clause.text),
        el("p", { class: "muted" }, `出处：${clause.citation}`),
        sources ? el("p", { class: "muted" }, `原文位置：${sources}`) : null);
      button.replaceWith(full);
      MP.focusRegion(full); // the button that had the focus is gone: continue at the clause it opened
    } catch (e) {
      button.disabled = false;
      button.textContent = e.message;
    }
  }

  function ratingBar(reply) {
    const bar = el("div", { class: "rating", role: "group", "aria-label": "为这条回答评分（1–5）" },
      el("span", { class: "rating-label" }, "这条回答有帮助吗？"));
    RATINGS.forEach((label, i) => {
      bar.append(el("button", { type: "button", class: "star", title: label, "aria-label": `${i + 1}分 ${label}`,
        onclick: () => rate(bar, reply, i + 1) }, String(i + 1)));
    });
    return bar;
  }

  async function rate(bar, reply, rating) {
    for (const b of bar.querySelectorAll("button")) b.disabled = true;
    try {
      await api("/api/feedback", { session_id: reply.session_id, turn_id: reply.turn_id, rating });
      const thanks = el("span", { class: "rating-done" }, `谢谢您的评价（${rating}分：${RATINGS[rating - 1]}）`);
      bar.replaceChildren(thanks);
      MP.focusRegion(thanks); // the stars are gone: the focus stays on this answer, not <body>
    } catch (e) {
      bar.append(el("span", { class: "error", role: "alert" }, e.message));
      for (const b of bar.querySelectorAll("button")) b.disabled = false;
      bar.querySelectorAll(".star")[rating - 1].focus();
    }
  }

  function estimateTable(estimate) {
    const rows = [["医保支付", estimate.reimbursed], ["个人支付", estimate.out_of_pocket]].filter((r) => r[1]);
    if (!rows.length) return null;
    return el("table", { class: "mini-table" }, el("tbody", {}, rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, `${v} 元`)))));
  }

  function botBubble(reply) {
    const list = el("ol", { class: "citations", "aria-label": "引用的条款" }, (reply.citations || []).map(citationItem));
    const onRef = (n) => {
      const item = list.querySelector(`li[data-n="${n}"]`);
      if (item) expand(item, true);
    };
    const bubble = el("div", { class: "bubble" }, el("p", { class: "answer" }, MP.textWithRefs(reply.answer || "", onRef)));
    if (reply.pii_masked) {
      bubble.prepend(el("p", { class: "pii-note" }, "已隐去您输入的证件号、电话或卡号。咨询政策无需提供个人信息。"));
    }
    if (reply.estimate) bubble.append(estimateTable(reply.estimate) || "");
    // What the assistant remembers, each fact a one-tap correction ("不对，是…" ready to finish).
    if ((reply.remembered || []).length) {
      bubble.append(el("div", { class: "remembered", role: "group", "aria-label": "已记住的信息" },
        el("span", {}, "已记住："),
        reply.remembered.map((fact) => el("button", { type: "button", class: "chip", title: "点击更正", onclick: () => {
          input.value = `不对，${fact.label}改为`;
          input.focus();
        } }, fact.label))));
    }
    if (reply.clarification && reply.clarification.options && reply.clarification.options.length) {
      bubble.append(el("div", { class: "quick-replies", role: "group", "aria-label": reply.clarification.question },
        reply.clarification.options.map((opt) => el("button", { type: "button", class: "chip", onclick: (e) => {
          for (const b of e.target.parentElement.querySelectorAll("button")) b.disabled = true;
          send(opt, { focusReply: true }); // the chosen button is now disabled: the focus moves to the reply
        } }, opt))));
    }
    if (list.children.length) bubble.append(list);
    // Rate answers, not bare clarifying questions.
    if (reply.turn_id && (!reply.clarification || (reply.citations || []).length)) bubble.append(ratingBar(reply));
    messages.append(el("div", { class: "msg msg-bot" }, bubble));
    return bubble;
  }

  function errorBubble(message) {
    const bubble = el("p", { class: "bubble error" }, message);
    messages.append(el("div", { class: "msg msg-bot" }, bubble));
    return bubble;
  }

  /** One turn. focusReply: the control that sent it disappears or is disabled (an example, a quick
      reply), so the focus goes to the waiting note and then to the reply instead of to <body>. */
  async function send(text, { focusReply = false } = {}) {
    text = (text || "").trim();
    if (!text || busy) return;
    busy = true;
    sendButton.disabled = true;
    document.getElementById("examples").hidden = true;
    userBubble(text);
    const waiting = el("div", { class: "msg msg-bot" }, el("p", { class: "bubble muted" }, "正在查找政策条款…"));
    messages.append(waiting);
    if (focusReply) MP.focusRegion(waiting.firstChild);
    scrollDown();
    let shown = null;
    try {
      // The server issues the session id; this page only echoes back the one it was given.
      const ask = () => api("/api/chat", sessionId ? { message: text, session_id: sessionId } : { message: text });
      let reply;
      try {
        reply = await ask();
      } catch (e) {
        if (e.code !== "unknown_session") throw e;
        sessionId = null; // e.g. the service's database was reset: start a new conversation
        MP.store("mp-session", null);
        reply = await ask();
      }
      sessionId = reply.session_id;
      MP.store("mp-session", sessionId);
      waiting.remove();
      shown = botBubble(reply);
    } catch (e) {
      waiting.remove();
      shown = errorBubble(e.message);
    } finally {
      busy = false;
      sendButton.disabled = false;
      scrollDown();
      if (focusReply && shown) MP.focusRegion(shown);
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
})();
