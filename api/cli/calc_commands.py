"""Calculator commands: `estimate`, `contribution`, `simulate-year`, `policies`.

Conventions shared by all of them: the request is JSON (argument, or stdin when omitted), the
answer is JSON on stdout; an invalid request prints `{"error": {"field", "message"}}` and exits
with status 2 — never a partial result. `--jsonl` reads one request per line and prints one
result or error object per line (exit 2 if any line failed)."""

from __future__ import annotations

import json
import sys
from typing import Callable

import typer

from calculators.errors import CalcError

EXIT_INVALID = 2


def _read(request: str | None) -> str:
    return request if request is not None else sys.stdin.read()


def _decode(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalcError("request", f"请求不是有效的 JSON：{exc.msg}（第{exc.lineno}行第{exc.colno}列）。") from None


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _table(result) -> str:
    """Steps as an aligned, readable table (label | formula | amount | 出处)."""
    rows = [("步骤", "计算", "金额", "出处")]
    for s in result.steps:
        cite = s.citation or (f"“{s.quote}”" if s.quote else "")
        rows.append((s.label, s.formula, s.amount, cite))
    widths = [max(_width(r[i]) for r in rows) for i in range(3)]
    lines = []
    for r in rows:
        cells = [r[i] + " " * (widths[i] - _width(r[i])) for i in range(3)]
        lines.append("  ".join(cells) + "  " + r[3])
    head = [f"政策：{result.policy_title}"]
    summary = []
    if hasattr(result, "reimbursed"):
        summary.append(f"报销合计 {result.reimbursed} 元，个人负担 {result.out_of_pocket} 元")
    else:
        summary.append(f"个人缴费 {result.individual} 元，合计 {result.total} 元")
    tail = [f"假设：{a.text}" for a in result.assumptions]
    tail += [f"默认值：{field_label(k)} = {value_label(v)}" for k, v in result.defaults.items()]
    tail.append(result.disclaimer)
    return "\n".join(head + lines + summary + tail)


def field_label(field: str) -> str:
    """A request field as the front desk knows it (calculators.context.FIELD_NAMES, the one home
    of these names), e.g. "uncovered_cost" → "政策范围外费用"; unknown fields stay as they are."""
    from calculators.context import FIELD_NAMES

    return FIELD_NAMES.get(field, field)


def value_label(value: object) -> str:
    if isinstance(value, bool) or value in ("true", "false"):
        return "是" if value in (True, "true") else "否"
    return str(value)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _run(fn: Callable, request: str | None, table: bool, jsonl: bool) -> None:
    if jsonl:
        failed = False
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                result = fn(_decode(line))
                typer.echo(_dump(result.model_dump(mode="json")))
            except CalcError as exc:
                failed = True
                typer.echo(_dump(exc.as_dict()))
        raise typer.Exit(EXIT_INVALID if failed else 0)
    try:
        result = fn(_decode(_read(request)))
    except CalcError as exc:
        typer.echo(_dump(exc.as_dict()))
        raise typer.Exit(EXIT_INVALID) from None
    typer.echo(_table(result) if table else json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    """Attach the calculator commands to the main app."""
    register_rules(app)

    @app.command("estimate")
    def estimate_cmd(
        request: str = typer.Argument(None, help="JSON 请求；省略时从标准输入读取"),
        table: bool = typer.Option(False, "--table", help="以表格显示计算步骤"),
        jsonl: bool = typer.Option(False, "--jsonl", help="从标准输入逐行读取请求，逐行输出结果"),
    ) -> None:
        """报销测算：输入就医情况 JSON，输出报销、自付与逐步计算（每步注明条款）。"""
        from calculators import estimate

        _run(estimate, request, table, jsonl)

    @app.command("contribution")
    def contribution_cmd(
        request: str = typer.Argument(None, help="JSON 请求；省略时从标准输入读取"),
        table: bool = typer.Option(False, "--table", help="以表格显示计算步骤"),
        jsonl: bool = typer.Option(False, "--jsonl", help="逐行读取请求"),
    ) -> None:
        """缴费测算：居民按档次/人员类别，职工按缴费基数与费率。"""
        from calculators import contribution

        _run(contribution, request, table, jsonl)

    @app.command("simulate-year")
    def simulate_cmd(request: str = typer.Argument(None, help="JSON：policy, tier, person, events[...]")) -> None:
        """年度模拟：按顺序逐次测算，累计封顶线与一年一次的起付线。"""
        from calculators import simulate_year

        _run(simulate_year, request, False, False)

    @app.command("policies")
    def policies_cmd(
        as_json: bool = typer.Option(False, "--json", help="JSON 输出"),
        check: bool = typer.Option(False, "--check", help="核对每条引文是否逐字出现在语料及其所引条款中"),
    ) -> None:
        """列出可测算的政策；--check 校验引文（chunk_id/citation 由加载时按引文推导，无需改写）。"""
        from calculators.errors import RuleFileError
        from calculators.registry import list_policies

        if check:
            from calculators.validator import check_policies

            try:
                problems = check_policies()
            except RuleFileError as exc:
                typer.echo(f"规则文件有误：{exc}")
                raise typer.Exit(1) from None
            for p in problems:
                typer.echo(f"{p.policy} {p.where}: {p.message} — {p.quote}")
            typer.echo(f"{len(problems)} problem(s)")
            raise typer.Exit(1 if problems else 0)
        summaries = [s.model_dump() for s in list_policies()]
        if as_json:
            typer.echo(json.dumps([{k: s[k] for k in ("id", "title", "region", "year", "scheme", "services")} for s in summaries],
                                  ensure_ascii=False, indent=2))
            return
        for s in summaries:
            services = ", ".join(s["services"]) or "—"
            extra = "；含缴费" if s["contributions"] else ""
            typer.echo(f"{s['id']}  {s['title']}  [{s['region']} {s['year']} {s['scheme']}]  项目：{services}{extra}")


def register_rules(app: typer.Typer) -> None:
    """`medpolicy rules draft|save`: propose a rule set from an ingested document; save a reviewed one."""
    rules = typer.Typer(help="规则文件：从已导入文档起草、保存审核后的规则文件。", no_args_is_help=True)
    app.add_typer(rules, name="rules")

    @rules.command("draft")
    def draft_cmd(
        document: str = typer.Argument(..., help="已导入文档的文件名（或路径）"),
        region: str = typer.Option(..., "--region", help="地区（知识库地名表中的名称）"),
        scheme: str = typer.Option(..., "--scheme", help="险种，如 城乡居民、城镇居民、职工"),
        year: int = typer.Option(..., "--year", help="政策年度"),
        policy_id: str = typer.Option(None, "--id", help="规则文件 id（默认按地区与险种生成）"),
        title: str = typer.Option(None, "--title", help="标题"),
        out: str = typer.Option(None, "--out", help="写入此文件（默认打印）"),
        as_json: bool = typer.Option(False, "--json", help="输出草稿的 JSON（数值、引文、缺失项）"),
    ) -> None:
        """起草规则文件：每个数值附原文引文；找不到的列为缺失，绝不猜测。"""
        from calculators.drafter import draft, to_yaml

        try:
            d = draft(document, region, scheme, year, policy_id)
        except ValueError as exc:
            typer.echo(_dump({"error": {"field": "document", "message": str(exc)}}))
            raise typer.Exit(EXIT_INVALID) from None
        text = json.dumps(d.model_dump(exclude={"clauses"}), ensure_ascii=False, indent=2) if as_json else to_yaml(d, title)
        if out:
            from pathlib import Path

            Path(out).write_text(text, encoding="utf-8")
        else:
            typer.echo(text)
        for m in d.missing:
            typer.echo(f"缺失：{m.what}", err=True)

    @rules.command("save")
    def save_cmd(path: str = typer.Argument(..., help="审核后的规则文件")) -> None:
        """校验并保存到本部署的规则目录（<data_dir>/rules），随后即可用于测算。"""
        from pathlib import Path

        from calculators.errors import RuleFileError
        from calculators.rule_store import save_rule_text

        try:
            saved = save_rule_text(Path(path).read_text(encoding="utf-8"))
        except (RuleFileError, OSError) as exc:
            typer.echo(_dump({"error": {"field": "rules", "message": str(exc)}}))
            raise typer.Exit(EXIT_INVALID) from None
        typer.echo(str(saved))
