/* Operator console: search-as-you-type over clauses with filters, keyboard navigation and a
   one-click copy of a clause with its citation. */
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
      q.setAttribute("aria-expanded", "false");
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
    q.setAttribute("aria-expanded", hits.length ? "true" : "false");
    highlight();
  }

  function item(hit, i, query) {
    const tags = [hit.region, hit.year ? `${hit.year}年` : null, hit.scheme].filter(Boolean);
    const copyButton = el("button", { type: "button", class: "btn-small copy", onclick: (e) => { e.stopPropagation(); copy(i); } }, "复制");
    const li = el("li", { class: "hit", role: "option", id: `hit-${i}`, "aria-selected": "false", tabindex: "-1",
      onclick: () => { active = i; highlight(); toggle(i); } },
      el("div", { class: "hit-head" }, el("span", { class: "hit-citation" }, hit.citation), copyButton),
      el("div", { class: "tags" }, tags.map((t) => el("span", { class: "tag" }, t))),
      el("p", { class: "hit-text" }, MP.highlighted(hit.text, query)),
      el("div", { class: "hit-full", hidden: true }));
    return li;
  }

  function highlight() {
    [...results.children].forEach((li, i) => {
      li.classList.toggle("active", i === active);
      li.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    if (active >= 0) {
      q.setAttribute("aria-activedescendant", `hit-${active}`);
      results.children[active].scrollIntoView({ block: "nearest" });
    } else {
      q.removeAttribute("aria-activedescendant");
    }
  }

  async function toggle(i) {
    const full = results.children[i].querySelector(".hit-full");
    if (!full.hidden) { full.hidden = true; return; }
    full.hidden = false;
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

  q.addEventListener("input", schedule);
  for (const select of Object.values(filters)) select.addEventListener("change", search);
  document.addEventListener("keydown", (e) => {
    if (!hits.length) return;
    if (e.key === "ArrowDown") { e.preventDefault(); active = Math.min(hits.length - 1, active + 1); highlight(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); active = Math.max(0, active - 1); highlight(); }
    else if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && active >= 0) { e.preventDefault(); copy(active); }
    else if (e.key === "Enter" && active >= 0 && (e.target === q || e.target.closest("#results"))) { e.preventDefault(); toggle(active); }
    else if (e.key === "Escape") { q.focus(); q.select(); }
  });

  loadFacets();
})();
