/* /rules: draft a rule set from an ingested document, show each value beside its clause, save the
   reviewed file. Every call sends the admin key (X-API-Key); all text goes in with textContent. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const status = (text) => { $("status").textContent = text; };

  async function call(path, body) {
    const resp = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-API-Key": $("key").value },
      body: JSON.stringify(body),
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error((data.error && data.error.message) || `请求失败（${resp.status}）`);
    return data;
  }

  function cell(key) {
    return Object.entries(key).map(([k, v]) => `${k}=${v}`).join("，") || "—";
  }

  function show(draft, yaml) {
    const tbody = $("values").querySelector("tbody");
    tbody.replaceChildren(...draft.values.map((v) =>
      MP.el("tr", {}, MP.el("td", {}, v.param), MP.el("td", {}, cell(v.key)), MP.el("td", {}, v.value),
        MP.el("td", {}, MP.el("q", {}, v.quote), MP.el("br"), MP.el("small", {}, v.citation)))));
    $("effects").replaceChildren(...draft.effects.map((e) =>
      MP.el("li", {}, `${e.name}：${e.target} ${e.op} ${e.value}`, MP.el("br"), MP.el("q", {}, e.quote))));
    $("missing").replaceChildren(...draft.missing.map((m) => MP.el("li", {}, m.what)));
    const quoted = new Set([...draft.values, ...draft.effects].map((v) => v.chunk_id));
    $("clauses").replaceChildren(...draft.clauses.map((c) =>
      MP.el("article", { class: quoted.has(c.chunk_id) ? "clause used" : "clause", id: `c-${c.chunk_id}` },
        MP.el("h3", {}, c.citation), MP.el("p", {}, c.text))));
    $("yaml").value = yaml;
    $("review").hidden = false;
  }

  $("draft-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    status("正在起草…");
    try {
      const body = { document: $("document").value.trim(), region: $("region").value.trim(),
        scheme: $("scheme").value.trim(), year: Number($("year").value) };
      if ($("rule-id").value.trim()) body.id = $("rule-id").value.trim();
      if ($("title").value.trim()) body.title = $("title").value.trim();
      const data = await call("/api/admin/rules/draft", body);
      show(data.draft, data.yaml);
      status(`草稿已生成：${data.draft.values.length} 个数值，${data.draft.missing.length} 项未找到。请逐项核对原文后保存。`);
    } catch (err) {
      status(err.message);
    }
  });

  $("save").addEventListener("click", async () => {
    status("正在校验并保存…");
    try {
      const data = await call("/api/admin/rules", { yaml: $("yaml").value });
      status(`已保存规则文件 ${data.id}（期间：${data.periods.join("、")}），可在报销测算中使用。`);
    } catch (err) {
      status(err.message);
    }
  });
})();
