/* Shared helpers for the three pages. Every piece of text from the user or the server is put
   into the page with textContent (never innerHTML), so nothing can inject markup. */
"use strict";

const MP = (() => {
  /** el("div", {class: "x", onclick: fn}, "text", childNode, ...) — text children become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, body) {
      const err = (body && body.error) || {};
      super(err.message || "网络异常，请稍后再试。");
      this.status = status;
      this.code = err.code || "network_error";
      this.field = err.field || null;
    }
  }

  async function api(path, body, options = {}) {
    const init = { method: body === undefined ? "GET" : "POST", headers: {}, signal: options.signal };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(path, init);
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiError(0, null);
    }
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (!resp.ok) throw new ApiError(resp.status, data);
    return data;
  }

  /** "…起付线500元[1]，…[2]" → text nodes and clickable markers; onRef(n) when one is clicked. */
  function textWithRefs(text, onRef) {
    const frag = document.createDocumentFragment();
    const re = /\[(\d{1,2})\]/g;
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) frag.append(document.createTextNode(text.slice(last, m.index)));
      const n = Number(m[1]);
      frag.append(el("button", { type: "button", class: "ref", "aria-label": `查看出处 ${n}`, onclick: () => onRef(n) }, `[${n}]`));
      last = re.lastIndex;
    }
    if (last < text.length) frag.append(document.createTextNode(text.slice(last)));
    return frag;
  }

  /** Text with every occurrence of `needle` wrapped in <mark> (as text nodes, never HTML). */
  function highlighted(text, needle) {
    const frag = document.createDocumentFragment();
    if (!needle) { frag.append(text); return frag; }
    let from = 0;
    let at;
    while ((at = text.indexOf(needle, from)) !== -1) {
      if (at > from) frag.append(text.slice(from, at));
      frag.append(el("mark", {}, needle));
      from = at + needle.length;
    }
    if (from < text.length) frag.append(text.slice(from));
    return frag;
  }

  function place(clause) {
    const parts = [clause.region, clause.year ? `${clause.year}年` : null].filter(Boolean);
    return parts.join("，");
  }

  /** Clause text followed by its citation, as a hotline operator reads it out or pastes it. */
  function clauseWithCitation(clause) {
    const where = place(clause);
    return `${clause.text}\n——出处：${clause.citation}${where ? `（${where}）` : ""}`;
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(text); return true; } catch (e) { /* fall back */ }
    }
    const area = el("textarea", { class: "offscreen", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key); else window.localStorage.setItem(key, value);
    } catch (e) { /* private mode: settings just do not persist */ }
    return null;
  }

  /** Large-font mode for elderly users, remembered on this device. */
  function setupLargeFont(button) {
    const apply = (on) => {
      document.documentElement.classList.toggle("large", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "标准字" : "大字";
    };
    apply(store("mp-large") === "1");
    button.addEventListener("click", () => {
      const on = !document.documentElement.classList.contains("large");
      store("mp-large", on ? "1" : null);
      apply(on);
    });
  }

  /** Sticky bars (the chat's top bar and composer, the console's search bar) cover part of the
      viewport, and the browser counts a control under them as visible: one reached by Tab (or
      focused by script) is scrolled clear of them, so the focus is never hidden (WCAG 2.4.11). */
  function keepFocusClear(topBar, bottomBar) {
    const MARGIN = 8;
    const clear = (target) => {
      if (!target.isConnected || (topBar && topBar.contains(target)) || (bottomBar && bottomBar.contains(target))) return;
      const r = target.getBoundingClientRect();
      const top = topBar ? Math.max(0, topBar.getBoundingClientRect().bottom) : 0;
      const bottom = bottomBar ? Math.min(window.innerHeight, bottomBar.getBoundingClientRect().top) : window.innerHeight;
      if (r.bottom > bottom - MARGIN && r.height < bottom - top) window.scrollBy(0, r.bottom - bottom + MARGIN);
      else if (r.top < top + MARGIN) window.scrollBy(0, r.top - top - MARGIN);
    };
    document.addEventListener("focusin", (e) => {
      if (!(e.target instanceof Element)) return;
      clear(e.target);
      // again after the browser's own scroll-into-view, which may run after the focus event
      requestAnimationFrame(() => { if (document.activeElement === e.target) clear(e.target); });
    });
  }

  /** Smooth scrolling unless the user asked the system for reduced motion. */
  function scrollBehavior() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
  }

  /** Moves the focus to a region the page just changed (a loaded clause, a new answer, a result),
      so keyboard and screen-reader users continue from there instead of from <body>. */
  function focusRegion(node) {
    if (!node) return;
    if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
    node.focus();
  }

  return { el, api, ApiError, textWithRefs, highlighted, place, clauseWithCitation, copyText, store, setupLargeFont,
    keepFocusClear, focusRegion, scrollBehavior };
})();
