"""Knowledge-base commands: `ingest`, `search`, `build-embedding`, `eval retrieval`.

`search --json` prints exactly the SearchResponse shape (`{"results": [...], "no_basis": bool}`);
with `--stdin` one query per line in, one JSON object per line out, in the same order (a blank
line yields an object with an "error" so outputs stay aligned with inputs).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import get_args

import typer

EXIT_INVALID = 2


def no_basis_text() -> str:
    from api.settings import ServiceSettings

    return f"未在政策库中找到依据。请咨询 {ServiceSettings().hotline} 医保服务热线、12333,或当地医保经办机构。"


def _settings():
    from knowledge_base.config import KBSettings

    return KBSettings()


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _filters(region: str | None, year: int | None, scheme: str | None, kind: str | None):
    from knowledge_base.models import Kind, Scheme, SearchFilters

    if scheme is not None and scheme not in get_args(Scheme):
        raise typer.BadParameter(f"未知的险种“{scheme}”,可选: {'、'.join(get_args(Scheme))}", param_hint="--scheme")
    if kind is not None and kind not in get_args(Kind):
        raise typer.BadParameter(f"未知的条款类型“{kind}”,可选: {'、'.join(get_args(Kind))}", param_hint="--kind")
    if not any((region, year, scheme, kind)):
        return None
    return SearchFilters(region=region, year=year, scheme=scheme, kind=kind)


def _human(response) -> str:
    if response.no_basis:
        return no_basis_text()
    lines = []
    for i, hit in enumerate(response.results, 1):
        meta = " · ".join(str(v) for v in (hit.region, hit.year, hit.scheme) if v)
        lines.append(f"[{i}] {hit.citation}" + (f"  ({meta})" if meta else "") + f"  得分 {hit.score:.4f}")
        text = hit.text if len(hit.text) <= 240 else hit.text[:240] + "…"
        lines.append(f"    {text}")
        if hit.sources:
            lines.append("    出处: " + "; ".join(f"{s.file} 第{s.line}行" for s in hit.sources[:3]))
    return "\n".join(lines)


def ingest(
    dirs: list[Path] = typer.Argument(None, help="要加入政策库的文件或目录(默认语料及以前导入的来源会保留)"),
) -> None:
    """重建政策库: 读取语料、切分条款、建立检索索引;逐个报告无法读取的文件。"""
    from knowledge_base.service import IngestError, KnowledgeBase

    started = time.perf_counter()
    try:
        _kb, report = KnowledgeBase.rebuild(_settings(), dirs or None)
    except IngestError as exc:
        typer.echo(f"导入失败: {exc}", err=True)
        raise typer.Exit(1) from None
    for err in report.errors:
        typer.echo(f"无法读取: {err.get('file', '')}: {err.get('reason', '')}", err=True)
    typer.echo(
        f"已导入 {report.n_files} 个文件,得到 {report.n_clauses} 条条款;"
        f"{len(report.errors)} 个文件出错;用时 {time.perf_counter() - started:.1f} 秒"
    )
    typer.echo("来源: " + "; ".join(report.sources))


def search(
    query: str = typer.Argument(None, help="要查询的问题"),
    top_k: int = typer.Option(5, "--top-k", min=1, max=100, help="返回条数"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    stdin: bool = typer.Option(False, "--stdin", help="从标准输入逐行读取问题,每行输出一个 JSON 对象"),
    region: str = typer.Option(None, "--region", help="地区,如 重庆、岳池县"),
    year: int = typer.Option(None, "--year", help="年份"),
    scheme: str = typer.Option(None, "--scheme", help="险种: 职工/城镇居民/城乡居民/新农合/大病保险/医疗救助"),
    kind: str = typer.Option(None, "--kind", help="条款类型: rule/publicity/report"),
) -> None:
    """在政策库中检索条款(混合检索,带出处)。"""
    from knowledge_base.search.search import EmptyQueryError
    from knowledge_base.service import KnowledgeBase

    filters = _filters(region, year, scheme, kind)
    if not stdin and (query is None or not query.strip()):
        typer.echo(str(EmptyQueryError()), err=True)
        raise typer.Exit(EXIT_INVALID)
    kb = KnowledgeBase.open(_settings())
    if not stdin:
        response = kb.search(query, top_k=top_k, filters=filters)
        typer.echo(_dump(response.model_dump(mode="json")) if as_json else _human(response))
        return
    lines = sys.stdin.read().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    for line in lines:
        try:
            out = kb.search(line, top_k=top_k, filters=filters).model_dump(mode="json")
        except EmptyQueryError as exc:
            out = {"results": [], "no_basis": True, "error": str(exc)}
        typer.echo(_dump(out))
        sys.stdout.flush()


def build_embedding() -> None:
    """训练内置的 builtin:static-zh 嵌入模型(离线、可复现),并重建索引。"""
    from knowledge_base.index.dense import builtin_model_dir
    from knowledge_base.index.embedding_builder import build_static_embedding
    from knowledge_base.service import KnowledgeBase

    settings = _settings()
    kb = KnowledgeBase.open(settings)
    started = time.perf_counter()
    out = build_static_embedding(
        [c.index_text for c in kb.clauses],
        builtin_model_dir(settings.data_dir),
        sections=[(" ".join(c.heading_path), c.text) for c in kb.clauses],
    )
    took = time.perf_counter() - started
    meta = json.loads((out / "medpolicy_model.json").read_text("utf-8"))
    KnowledgeBase.open(settings)  # re-indexes if the model id changed
    typer.echo(f"嵌入模型已生成: {out}(词表 {meta['vocab_size']},维度 {meta['dim']},用时 {took:.1f} 秒)")


eval_app = typer.Typer(help="评测", no_args_is_help=True)


@eval_app.command("retrieval")
def eval_retrieval(
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    ablations: bool = typer.Option(False, "--ablations", help="同时输出各消融配置的结果"),
    split: str = typer.Option("all", "--split", help="评测子集: dev / heldout / heldout_b / heldout_c / heldout_d / all"),
) -> None:
    """在评测集上计算 recall@1、recall@5、MRR。"""
    from knowledge_base.eval.evaluate import SPLITS, evaluate, load_eval_set, run_ablations
    from knowledge_base.service import KnowledgeBase

    if split not in SPLITS:
        raise typer.BadParameter(f"未知的评测子集“{split}”,可选: {'、'.join(SPLITS)}", param_hint="--split")
    kb = KnowledgeBase.open(_settings())
    eval_set = load_eval_set()
    metrics = evaluate(kb.searcher, eval_set, split)
    per_split = {s: evaluate(kb.searcher, eval_set, s) for s in SPLITS if s != "all"} if split == "all" else {}
    table = run_ablations(kb.clauses, kb.searcher.encoder, kb.searcher.config, eval_set, split) if ablations else {}
    if as_json:
        out = {
            "recall@1": round(metrics.recall_at_1, 4),
            "recall@5": round(metrics.recall_at_5, 4),
            "mrr": round(metrics.mrr, 4),
            "n_questions": metrics.n_questions,
            "false_no_basis": round(metrics.false_no_basis, 4),
            "no_answer_flagged": round(metrics.no_answer_flagged, 4),
            "misses": [m.model_dump() for m in metrics.misses],
            "split": split,
        }
        if per_split:
            out["splits"] = {
                k: {"n": m.n_questions, "recall@1": m.recall_at_1, "recall@5": m.recall_at_5, "mrr": m.mrr,
                    "false_no_basis": m.false_no_basis, "no_answer_flagged": m.no_answer_flagged}
                for k, m in per_split.items()
            }
        if table:
            out["ablations"] = {
                k: {"recall@1": m.recall_at_1, "recall@5": m.recall_at_5, "mrr": m.mrr} for k, m in table.items()
            }
        typer.echo(_dump(out))
        return
    typer.echo(f"问题数 {metrics.n_questions}")
    typer.echo(f"recall@1 {metrics.recall_at_1:.3f}")
    typer.echo(f"recall@5 {metrics.recall_at_5:.3f}")
    typer.echo(f"MRR {metrics.mrr:.3f}")
    typer.echo(f"误判无依据 {metrics.false_no_basis:.3f};无答案问题正确判为无依据 {metrics.no_answer_flagged:.3f}")
    for name, m in per_split.items():
        typer.echo(
            f"  {name:10s} n={m.n_questions:3d}  r@1 {m.recall_at_1:.3f}  r@5 {m.recall_at_5:.3f}  MRR {m.mrr:.3f}"
            f"  误判无依据 {m.false_no_basis:.3f}  无答案判出 {m.no_answer_flagged:.3f}({m.n_no_answer})"
        )
    for name, m in table.items():
        typer.echo(f"{name:40s} r@1 {m.recall_at_1:.3f}  r@5 {m.recall_at_5:.3f}  MRR {m.mrr:.3f}")


@eval_app.command("conversations")
def eval_conversations(
    split: str = typer.Option("dev", "--split", help="dev | blind | train"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（逐轮结果）"),
) -> None:
    """多轮对话评测：标注对话逐轮送入真实助手，检查数字、引用、记住的事实和反问。"""
    from assistant.conversation_eval import evaluate
    from assistant.dialogue_annotations import load_split
    from assistant.service import Assistant
    from assistant.session_store import InMemorySessionStore

    try:
        conversations = load_split("conversations", split)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
    if not conversations:
        typer.echo(f"划分 {split} 中没有对话标注。", err=True)
        raise typer.Exit(code=2)

    def factory() -> Assistant:
        assistant = Assistant.create_default()
        assistant.store = InMemorySessionStore()
        return assistant

    report = evaluate(factory, conversations, split)
    if as_json:
        typer.echo(report.model_dump_json())
    else:
        typer.echo(report.summary())


doc_app = typer.Typer(help="逐个文件维护政策库(不重建其余部分)", no_args_is_help=True)


def _doc_change(action: str, target: str, effective_date: str | None = None) -> None:
    from knowledge_base.index.library import LibraryError
    from knowledge_base.service import KnowledgeBase
    from knowledge_base.ingest.versions import parse_date, write_sidecar_date

    started = time.perf_counter()
    try:
        if effective_date:
            write_sidecar_date(Path(target), parse_date(effective_date))
        kb = KnowledgeBase.open(_settings())
        report = getattr(kb, action)(Path(target) if action != "withdraw_document" else target)
    except (LibraryError, ValueError) as exc:
        typer.echo(f"操作失败: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"政策库现有 {report.n_files} 个文件、{report.n_clauses} 条条款;用时 {time.perf_counter() - started:.1f} 秒")


@doc_app.command("add")
def doc_add(
    file: Path = typer.Argument(..., help="要加入的文件"),
    effective_date: str = typer.Option(None, "--effective-date", help="生效日期(2015-01-01),优先于正文"),
) -> None:
    """加入一个新文件。"""
    _doc_change("add_document", str(file), effective_date)


@doc_app.command("replace")
def doc_replace(
    file: Path = typer.Argument(..., help="同名文件的新版本"),
    effective_date: str = typer.Option(None, "--effective-date", help="生效日期(2015-01-01),优先于正文"),
) -> None:
    """用文件的当前内容替换政策库中的同名文件。"""
    _doc_change("replace_document", str(file), effective_date)


@doc_app.command("withdraw")
def doc_withdraw(name: str = typer.Argument(..., help="要撤下的文件名(如 通知.pdf)")) -> None:
    """撤下一个文件(以后完整重建也不再导入)。"""
    _doc_change("withdraw_document", name)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""
    app.command("ingest")(ingest)
    app.command("search")(search)
    app.command("build-embedding")(build_embedding)
    app.add_typer(eval_app, name="eval")
    app.add_typer(doc_app, name="doc")
