"""`medpolicy ask`, `medpolicy chat` and `medpolicy nlu-eval`: the assistant from a terminal."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer


def _ephemeral_assistant() -> Any:
    """The real stack with in-memory sessions: `--stdin` and `chat` sessions end with the process."""
    from assistant.service import Assistant
    from assistant.session_store import InMemorySessionStore

    assistant = Assistant.create_default()
    assistant.store = InMemorySessionStore()
    return assistant


def _print_reply(reply: Any, as_json: bool) -> None:
    from assistant.render import render_web

    if as_json:
        typer.echo(json.dumps(render_web(reply), ensure_ascii=False))
        return
    typer.echo(reply.answer)
    if reply.clarification and not reply.answer.endswith(reply.clarification.question):
        typer.echo(reply.clarification.question)
    if reply.clarification and reply.clarification.options:
        typer.echo("可回复：" + " / ".join(reply.clarification.options))
    for c in reply.citations:
        place = " ".join(str(x) for x in (c.region, c.year) if x)
        typer.echo(f"[{c.n}] {c.citation}{'（' + place + '）' if place else ''}")


def _error(message: str) -> None:
    typer.echo(json.dumps({"error": {"field": "message", "message": message}}, ensure_ascii=False), err=True)
    raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""

    @app.command("ask")
    def ask(
        question: str = typer.Argument(None, help="问题；与 --stdin 二选一"),
        session: str = typer.Option(None, "--session", help="会话ID：沿用之前的对话（会话保存在数据目录）"),
        as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
        stdin: bool = typer.Option(False, "--stdin", help="每行一个问题，各自新会话，每行输出一个 JSON"),
    ) -> None:
        """向医保助手提问。"""
        from assistant.service import Assistant

        if stdin:
            assistant = _ephemeral_assistant()
            for line in sys.stdin:
                if not line.strip():
                    continue
                try:
                    _print_reply(assistant.ask(line.strip()), True)
                except ValueError as exc:
                    typer.echo(json.dumps({"error": {"field": "message", "message": str(exc)}}, ensure_ascii=False))
            return
        if not question:
            _error("请提供问题，或使用 --stdin。")
        assistant = Assistant.create_default()  # sessions persist in the SQLite file for --session
        try:
            reply = assistant.ask(question, session_id=session, channel="cli")
        except ValueError as exc:
            _error(str(exc))
        _print_reply(reply, as_json)
        if not as_json:
            typer.echo(f"(会话ID: {reply.session_id})")

    @app.command("chat")
    def chat() -> None:
        """在终端里与医保助手对话（输入“退出”结束）。"""
        assistant = _ephemeral_assistant()
        session_id = None
        typer.echo("医保政策助手：请输入问题（“重新开始”清空对话，“退出”结束）。")
        while True:
            try:
                line = input("> ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if line in {"退出", "exit", "quit"}:
                break
            if not line:
                continue
            reply = assistant.ask(line, session_id=session_id, channel="cli")
            session_id = reply.session_id
            _print_reply(reply, False)

    @app.command("train-nlu")
    def train_nlu(check: bool = typer.Option(False, "--check", help="只检查模型是否与训练数据一致")) -> None:
        """用标注话语（train 划分）训练意图/追问模型和模糊槽位模型，写入 assistant/nlu/ 下的 JSON。"""
        from assistant.nlu import slot_train, train

        args = ["--check"] if check else []
        raise typer.Exit(code=train.main(args) or slot_train.main(args))

    @app.command("nlu-eval")
    def nlu_eval(as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
                 split: str = typer.Option("", "--split", help="dev | train | blind：改为评测标注员的话语")) -> None:
        """运行 NLU 标注集评测，打印意图与槽位准确率。"""
        from assistant.nlu import evaluate

        if split:
            if split not in ("train", "dev", "blind"):
                typer.echo(f"未知的数据划分 {split!r}：可用 train、dev、blind", err=True)
                raise typer.Exit(code=2)
            typer.echo(json.dumps(evaluate.run_annotated(split).summary(), ensure_ascii=False, indent=2))
            return
        report = evaluate.run()
        if as_json:
            data = report.model_dump(mode="json") if hasattr(report, "model_dump") else report
            typer.echo(json.dumps(data, ensure_ascii=False, default=str))
        else:
            typer.echo(str(report))
