/* Operator console: search-as-you-type over clauses with filters, keyboard navigation and a
   one-click copy of a clause with its citation.

   Keys belong to the search box only (↑/↓ move the current result, Enter opens it, Ctrl+Enter
   copies it, Esc clears); every result's own buttons (its citation opens the full text, 复制 copies)
   keep their native keys, and the filters keep their arrows. Esc anywhere else returns to the
   search box without losing the query. Results are a plain list whose items hold buttons — not
   options of a listbox, which may not contain any. */
"use strict";

(() => {
  const { el, api } = MP;
  const q = document.getElementById("q");
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const filters = { region: document.getElementById("f-region"), year: document.getElementById("f-year"), scheme: document.getElementById("f-scheme") };
  let hits = [];
  let active = -1;
  let timer = null;
  let controller = null;
  let seq = 0;

  MP.setupLargeFont(document.getElementById("large-font"));
  MP.keepFocusClear(document.querySelector(".search-bar"), null);

  // The caller's case (issue 10): what the operator notes goes to the assistant, which remembers
  // the facts; they show as chips, each a one-tap correction, and the region and scheme it holds
  // narrow the clause search when its filter is still open.
  const caseForm = document.getElementById("case-form");
  const caseInput = document.getElementById("case-input");
  const caseAnswer = document.getElementById("case-answer");
  const caseFacts = document.getElementById("case-facts");
  let caseSession = null;
  const setByCase = {}; // filter -> the value the case put there (a correction may replace it)

  function showFacts(remembered) {
    caseFacts.replaceChildren();
    caseFacts.hidden = !remembered.length;
    if (!remembered.length) return;
    caseFacts.append(el("span", {}, "已记住："), ...remembered.map((fact) => el("button", {
      type: "button", class: "chip", title: "点击更正", onclick: () => {
        caseInput.value = `不对，${fact.label}改为`;
        caseInput.focus();
      } }, fact.label)));
    let narrowed = false;
    for (const fact of remembered) {
      const select = filters[fact.slot];
      const value = String(fact.value);
      const free = !select || !select.value || select.value === setByCase[fact.slot];
      if (select && free && select.value !== value && [...select.options].some((o) => o.value === value)) {
        select.value = value;
        setByCase[fact.slot] = value;
        narrowed = true;
      }
    }
    if (narrowed && q.value.trim()) schedule();
  }

  async function note(text) {
    text = (text || "").trim();
    if (!text) return;
    caseAnswer.textContent = "正在处理…";
    try {
      const reply = await api("/api/chat", caseSession ? { message: text, session_id: caseSession } : { message: text });
      caseSession = reply.session_id;
      caseAnswer.textContent = reply.answer || "";
      showFacts(reply.remembered || []);
    } catch (e) {
      if (e.code === "unknown_session") caseSession = null;
      caseAnswer.textContent = e.message;
    }
  }

  caseForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = caseInput.value;
    caseInput.value = "";
    note(text);
  });
  document.getElementById("case-new").addEventListener("click", () => {
    caseSession = null;
    caseAnswer.textContent = "";
    showFacts([]);
    for (const [slot, select] of Object.entries(filters)) {
      if (setByCase[slot] && select.value === setByCase[slot]) select.value = "";
      delete setByCase[slot];
    }
    if (q.value.trim()) schedule();
    caseInput.focus();
  });

  async function loadFacets() {
    try {
      const f = await api("/api/facets");
      const fill = (select, values) => select.append(...(values || []).map((v) => el("option", { value: String(v) }, String(v))));
      fill(filters.region, f.regions);
      fill(filters.year, f.years);
      fill(filters.scheme, f.schemes);
    } catch (e) {
      status.textContent = e.message;
    }
  }

  function currentFilters() {
    const out = {};
    if (filters.region.value) out.region = filters.region.value;
    if (filters.year.value) out.year = Number(filters.year.value);
    if (filters.scheme.value) out.scheme = filters.scheme.value;
    return out;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  }

  async function search() {
    const query = q.value.trim();
    if (controller) controller.abort();
    if (!query) {
      hits = [];
      results.replaceChildren();
      status.textContent = "";
      return;
    }
    controller = new AbortController();
    const mine = ++seq;
    try {
      const data = await api("/api/search", { query, top_k: 10, filters: currentFilters() }, { signal: controller.signal });
      if (mine !== seq) return; // a newer query has been typed meanwhile
      hits = data.results || [];
      render(query, data.no_basis);
    } catch (e) {
      if (e.name === "AbortError") return;
      status.textContent = e.message;
    }
  }

  function render(query, noBasis) {
    active = hits.length ? 0 : -1;
    status.textContent = hits.length
      ? `找到 ${hits.length} 条${noBasis ? "（相关度较低，请核对）" : ""}`
      : "政策库中未找到相关条款，可调整关键词或筛选条件。";
    results.replaceChildren(...hits.map((hit, i) => item(hit, i, query)));
    highlight();
  }

  function item(hit, i, query) {
    const tags = [hit.region, hit.year ? `${hit.year}年` : null, hit.scheme].filter(Boolean);
    // Each 复制 names its clause: a screen reader's list of buttons tells them apart.
    const copyButton = el("button", { type: "button", class: "btn-small copy", "aria-label": `复制第 ${i + 1} 条：${hit.citation}`,
      onclick: (e) => { e.stopPropagation(); active = i; highlight(); copy(i); } }, "复制");
    const opener = el("button", { type: "button", class: "hit-citation", "aria-expanded": "false", "aria-controls": `hit-full-${i}`,
      onclick: (e) => { e.stopPropagation(); active = i; highlight(); toggle(i); } }, hit.citation);
    // A click anywhere on the card opens it too (mouse convenience; the keyboard uses the citation button).
    const li = el("li", { class: "hit", id: `hit-${i}`, onclick: () => { active = i; highlight(); toggle(i); } },
      el("div", { class: "hit-head" }, opener, copyButton),
      el("div", { class: "tags" }, tags.map((t) => el("span", { class: "tag" }, t))),
      el("p", { class: "hit-text" }, MP.highlighted(hit.text, query)),
      el("div", { class: "hit-full", id: `hit-full-${i}`, hidden: true }));
    return li;
  }

  function highlight(announce = false) {
    [...results.children].forEach((li, i) => {
      li.classList.toggle("active", i === active);
      if (i === active) li.setAttribute("aria-current", "true"); else li.removeAttribute("aria-current");
    });
    if (active >= 0) {
      results.children[active].scrollIntoView({ block: "nearest" });
      if (announce) status.textContent = `第 ${active + 1} 条，共 ${hits.length} 条：${hits[active].citation}`;
    }
  }

  async function toggle(i) {
    const full = results.children[i].querySelector(".hit-full");
    const opener = results.children[i].querySelector(".hit-citation");
    if (!full.hidden) { full.hidden = true; opener.setAttribute("aria-expanded", "false"); return; }
    full.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    if (full.dataset.loaded) return;
    full.textContent = "加载中…";
    try {
      const clause = await api(`/api/clauses/${encodeURIComponent(hits[i].chunk_id)}`);
      const sources = (clause.sources || []).map((s) => `${s.file} 第${s.line}行`).join("；");
      full.replaceChildren(el("p", {}, clause.text), el("p", { class: "muted" }, `原文位置：${sources || "—"}`));
      full.dataset.loaded = "1";
    } catch (e) {
      full.textContent = e.message;
    }
  }

  async function copy(i) {
    const hit = hits[i];
    if (!hit) return;
    const ok = await MP.copyText(MP.clauseWithCitation(hit));
    const button = results.children[i].querySelector(".copy");
    button.textContent = ok ? "已复制" : "复制失败";
    status.textContent = ok ? `已复制第 ${i + 1} 条及出处` : "复制失败，请手动选择文字复制";
    setTimeout(() => { button.textContent = "复制"; }, 1500);
  }

  function clearQuery() {
    q.value = "";
    clearTimeout(timer);
    search();
  }

  q.addEventListener("input", schedule);
  for (const select of Object.values(filters)) select.addEventListener("change", search);
  q.addEventListener("keydown", (e) => {
    if (e.isComposing) return; // an IME is choosing characters: its keys are not ours
    if (e.key === "Escape") { e.preventDefault(); clearQuery(); return; }
    if (!hits.length) return;
    if (e.key === "ArrowDown") { e.preventDefault(); active = Math.min(hits.length - 1, active + 1); highlight(true); }
    else if (e.key === "ArrowUp") { e.preventDefault(); active = Math.max(0, active - 1); highlight(true); }
    else if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && active >= 0) { e.preventDefault(); copy(active); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); toggle(active); }
  });
  // Within the results, Ctrl+Enter copies the result that holds the focus (as in the search box).
  results.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    const li = e.target.closest(".hit");
    if (!li) return;
    e.preventDefault();
    active = [...results.children].indexOf(li);
    highlight();
    copy(active);
  });
  // Esc from anywhere else (a result, a filter, the top bar) returns to the search box, query kept.
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.target === q) return;
    e.preventDefault();
    q.focus();
  });

  loadFacets();
})();
