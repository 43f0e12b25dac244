"""`medpolicy train` and the answer evaluations: `medpolicy eval answers`, `medpolicy eval lodo`."""

from __future__ import annotations

import json
from typing import Any

import typer


def _kb():
    from knowledge_base.config import KBSettings
    from knowledge_base.service import KnowledgeBase

    return KnowledgeBase.open(KBSettings())


def _assistant_for(kb: Any) -> Any:
    """The real assistant over `kb`, with in-memory sessions (an evaluation stores nothing)."""
    from assistant.estimate_bridge import CalculatorPort
    from assistant.service import Assistant
    from assistant.session_store import InMemorySessionStore

    port = CalculatorPort.default()
    return Assistant(kb, port, InMemorySessionStore(), calculators=port)


def _library_for_training() -> tuple[Any, bool]:
    """The library `medpolicy train` trains on, and whether it was just rebuilt (which trained the
    dense side on today's annotations and the default judge)."""
    from knowledge_base.config import KBSettings
    from knowledge_base.service import KnowledgeBase

    settings = KBSettings()
    if not KnowledgeBase.index_is_current(settings):
        # The library must be rebuilt anyway (code, corpus or model changed): one rebuild trains
        # the dense side and the judge; opening first would build and train once more.
        typer.echo("索引需要重建,重新训练向量模型并重建索引……", err=True)
        return KnowledgeBase.rebuild(settings)[0], True
    kb = KnowledgeBase.open(settings)
    if kb.dense_is_current():
        return kb, False
    typer.echo("标注数据有变化,重新训练向量模型并重建索引……", err=True)  # the dense side learns them first
    kb.ingest()
    return kb, True


def train(
    compare: bool = typer.Option(False, "--compare", help="同时比较各排序模型(LightGBM XE-NDCG / LambdaRank / 二分类 / 逻辑回归)在 dev 上的表现"),
    ranker: str = typer.Option("", "--ranker", help="排序模型: lightgbm-xendcg / lightgbm-lambdarank / lightgbm-binary / logistic(默认按实测选定)"),
    regions_only: bool = typer.Option(False, "--regions-only", help="只为已训练的模型补训“是否因地区而异”模型"),
) -> None:
    """用标注数据训练排序、可答性和句子选择模型(写入数据目录,与索引放在一起)。"""
    from knowledge_base.learned.train import DEFAULT_RANKER, RANKERS, add_region_dependence
    from knowledge_base.learned.train import train as run

    if regions_only:
        kb = _kb()
        typer.echo(json.dumps(add_region_dependence(kb.searcher, kb.settings.data_dir), ensure_ascii=False, indent=1))
        return

    kind = ranker or DEFAULT_RANKER
    if kind not in RANKERS:
        raise typer.BadParameter(f"未知的排序模型“{kind}”,可选: {'、'.join(RANKERS)}", param_hint="--ranker")
    kb, rebuilt = _library_for_training()
    if rebuilt and kind == DEFAULT_RANKER and not compare:
        # The rebuild has just trained the default judge on these annotations (training is
        # deterministic, and the library keeps what it trained): training it again here would
        # double the command's time for the same artefacts.
        trained = kb.train_judge()
        if trained is not None:
            typer.echo(json.dumps(trained.__dict__, ensure_ascii=False, indent=1, default=str))
            return
    judge, report = run(kb.searcher, kb.settings.data_dir, ranker_kind=kind, compare=compare)
    kb.searcher.judge = judge
    typer.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=1, default=str))


def eval_answers(
    split: str = typer.Option("dev", "--split", help="dev 或 blind(盲测集:每个版本只跑一次,首次结果即为正式数字)"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON(含每个问题的结果)"),
) -> None:
    """把标注问题逐个交给助手,按问答指标输出一张表。"""
    from assistant.evaluate_answers import evaluate_answers
    from knowledge_base.learned.annotations import load_split

    if split not in ("dev", "blind", "train"):
        raise typer.BadParameter(f"未知的评测子集“{split}”,可选: dev、blind", param_hint="--split")
    items = load_split(split)
    if not items:
        raise typer.BadParameter(f"评测子集“{split}”没有数据", param_hint="--split")
    kb = _kb()
    metrics = evaluate_answers(lambda: _assistant_for(kb), kb, items)
    if as_json:
        out = {k: v for k, v in metrics.__dict__.items() if k != "results"}
        out["results"] = [r.__dict__ for r in metrics.results]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    typer.echo(metrics.table(f"{split} ({len(items)} items)"))


def eval_lodo(
    doc: list[str] = typer.Option([], "--doc", help="只评这些文档(文件名去掉扩展名);默认全部"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """留一文档:每次去掉一个文档的全部标注重新训练,再评该文档的问题(新文档没有标注时的表现)。"""
    from assistant.evaluate_lodo import leave_one_document_out
    from knowledge_base.learned.annotations import load_split
    from knowledge_base.learned.train import default_train_items

    kb = _kb()
    out = leave_one_document_out(kb, default_train_items(), load_split("dev"), _assistant_for, docs=doc or None,
                                 log=lambda line: typer.echo(line, err=True))
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    for name, m in out.items():
        typer.echo(f"{name}  n={m['n']:4d}  cited-gold {m['cited_gold']:.3f}  direct {m['direct_share']:.3f}  "
                   f"related {m['related_share']:.3f}  wrongly refused {m['wrongly_refused']:.3f}  "
                   f"search r@5 {m['search_recall_at_5']:.3f}")


def register(app: typer.Typer) -> None:
    from api.cli.kb_commands import eval_app

    app.command("train")(train)
    eval_app.command("answers")(eval_answers)
    eval_app.command("lodo")(eval_lodo)
