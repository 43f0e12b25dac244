/* Front-desk estimator: the form becomes an /api/estimate request; the result shows the fund's
   and the patient's share, every step with the clause it rests on, and prints as a summary. */
"use strict";

(() => {
  const { el, api } = MP;
  const SERVICES = {
    inpatient: "住院",
    general_outpatient: "普通门诊",
    chronic_outpatient: "慢性病门诊",
    major_disease_outpatient: "重大疾病门诊",
    maternity: "生育",
    inpatient_poverty_relief: "住院（贫困人口再次补助）",
    major_disease_outpatient_poverty_relief: "重大疾病门诊（贫困人口再次补助）",
  };
  // Request fields as the front desk knows them (for the "defaults applied" notes).
  const FIELDS = {
    hospital_level: "医院等级", covered_cost: "政策范围内费用", uncovered_cost: "政策范围外费用", tier: "参保档次",
    admission_index: "本年度第几次住院", out_of_area: "统筹区外就医", referral: "转诊", chronic_disease_count: "慢性病种数",
    ytd_reimbursed: "本年度已报销", deductible_paid_ytd: "本年度已计起付线", maternity_stage: "生育阶段",
    continuous_enrollment: "连续参保", carryover: "上年结转余额", prior_reimbursed: "已报销金额",
    "person.category": "患者类别", "person.poverty": "建档立卡贫困人口", "person.low_income": "低保等特殊对象",
    "person.no_support": "三无人员", "person.retired": "退休", "person.major_disease": "患重大疾病",
  };
  const VALUES = { true: "是", false: "否" };
  const form = document.getElementById("estimate-form");
  const policySelect = document.getElementById("policy");
  const serviceSelect = document.getElementById("service");
  const formError = document.getElementById("form-error");
  let policies = [];

  MP.setupLargeFont(document.getElementById("large-font"));
  document.getElementById("print").addEventListener("click", () => window.print());

  function fillServices() {
    const policy = policies.find((p) => p.id === policySelect.value);
    serviceSelect.replaceChildren(...((policy && policy.services) || []).map((s) => el("option", { value: s }, SERVICES[s] || s)));
  }

  async function loadPolicies() {
    try {
      const data = await api("/api/policies");
      policies = (data.policies || []).filter((p) => (p.services || []).length);
      policySelect.replaceChildren(...policies.map((p) => el("option", { value: p.id }, `${p.title}（${p.region}，${p.year}年，${p.scheme}）`)));
      fillServices();
    } catch (e) {
      showError(e.message);
    }
  }
  policySelect.addEventListener("change", fillServices);

  function value(id) {
    const v = document.getElementById(id).value.trim().replace(/[,，\s]/g, "");
    return v === "" ? null : v;
  }

  function buildRequest() {
    const special = document.getElementById("special").value;
    const req = {
      policy: policySelect.value,
      service: serviceSelect.value,
      person: {
        category: document.getElementById("category").value,
        poverty: special === "poverty",
        low_income: special === "low_income",
        no_support: special === "no_support",
      },
    };
    const level = value("hospital_level");
    if (level) req.hospital_level = Number(level);
    const tier = value("tier");
    if (tier) req.tier = Number(tier);
    for (const id of ["covered_cost", "uncovered_cost", "ytd_reimbursed"]) {
      const v = value(id);
      if (v !== null) req[id] = v;
    }
    for (const id of ["admission_index", "chronic_disease_count"]) {
      const v = value(id);
      if (v !== null) req[id] = /^\d+$/.test(v) ? Number(v) : v;
    }
    const stage = value("maternity_stage");
    if (stage) req.maternity_stage = stage;
    if (document.getElementById("out_of_area").checked) req.out_of_area = true;
    if (document.getElementById("referral").checked) req.referral = true;
    if (document.getElementById("retired").checked) req.person.retired = true;
    return req;
  }

  function clearErrors() {
    formError.hidden = true;
    for (const node of form.querySelectorAll(".invalid")) node.classList.remove("invalid");
  }

  function showError(message, field) {
    formError.textContent = message;
    formError.hidden = false;
    if (!field) return;
    const name = field === "person.category" ? "person.category" : field;
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`) || document.getElementById(field.split(".").pop());
    if (input) {
      input.classList.add("invalid");
      const details = input.closest("details");
      if (details) details.open = true;
      input.focus();
    }
  }

  function money(v) {
    return `${v} 元`;
  }

  function sourceCell(step) {
    const src = step.source || (step.quote ? { quote: step.quote, citation: step.citation, chunk_id: step.chunk_id } : null);
    if (!src) return el("td", { class: "muted" }, "计算");
    const title = src.citation || src.document || "";
    return el("td", { class: "source" },
      el("span", { class: "quote" }, `“${src.quote}”`),
      title ? el("span", { class: "muted cite-title" }, ` ——${title}`) : null);
  }

  function render(result, req) {
    document.getElementById("result-title").textContent = `测算结果：${result.policy_title}`;
    const level = req.hospital_level ? `${["", "一", "二", "三"][req.hospital_level]}级医院` : "";
    document.getElementById("result-meta").textContent =
      [SERVICES[result.service] || result.service, level, `政策范围内费用 ${money(result.breakdown.covered_cost)}`,
        `自费 ${money(result.breakdown.uncovered)}`, `测算日期 ${new Date().toLocaleDateString("zh-CN")}`].filter(Boolean).join(" · ");
    document.getElementById("fund-share").textContent = money(result.reimbursed);
    document.getElementById("patient-share").textContent = money(result.out_of_pocket);
    const b = result.breakdown;
    const rows = [
      ...b.payers.map((p) => [p.name, p.amount]),
      ["起付线自付", b.deductible], ["起付线以上个人负担", b.copay], ["超过封顶线部分", b.above_cap], ["政策范围外费用", b.uncovered],
    ];
    document.getElementById("payers").replaceChildren(...rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, money(v)))));
    document.getElementById("steps").replaceChildren(...result.steps.map((s, i) =>
      el("tr", {}, el("td", {}, String(i + 1)), el("td", {}, s.label), el("td", { class: "formula" }, s.formula),
        el("td", { class: "num" }, s.amount), sourceCell(s))));
    const notes = [...(result.assumptions || []).map((a) => a.text),
      ...Object.entries(result.defaults || {}).map(([k, v]) => `未填写“${FIELDS[k] || k}”，按“${VALUES[v] || v}”计算`)];
    document.getElementById("assumptions").replaceChildren(...(notes.length ? [el("h3", {}, "测算假设"), el("ul", {}, notes.map((n) => el("li", {}, n)))] : []));
    const disclaimer = result.disclaimer || "";
    document.getElementById("disclaimer").textContent = disclaimer.includes("以当地医保部门核定为准")
      ? disclaimer : `${disclaimer}以当地医保部门核定为准。`;
    const section = document.getElementById("result");
    section.hidden = false;
    section.scrollIntoView({ block: "start", behavior: MP.scrollBehavior() });
    // Keyboard and screen-reader users continue at the result, not back at the 计算 button.
    const title = document.getElementById("result-title");
    title.setAttribute("tabindex", "-1");
    title.focus({ preventScroll: true });
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    if (!value("covered_cost")) {
      showError("请填写政策范围内费用。", "covered_cost");
      return;
    }
    const req = buildRequest();
    const button = document.getElementById("calc");
    button.disabled = true;
    try {
      render(await api("/api/estimate", req), req);
    } catch (err) {
      document.getElementById("result").hidden = true;
      showError(err.message, err.field);
    } finally {
      button.disabled = false;
    }
  });

  loadPolicies();
})();
