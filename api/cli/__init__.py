"""The `medpolicy` command line. Each area registers its commands from its own module."""

from __future__ import annotations

import typer

from api.cli import assistant_commands, calc_commands, kb_commands, learn_commands, serve_commands

app = typer.Typer(
    name="medpolicy",
    help="医保政策助手: 政策检索、报销测算、问答与服务。",
    no_args_is_help=True,
    add_completion=False,
)

for _module in (kb_commands, calc_commands, assistant_commands, learn_commands, serve_commands):
    _module.register(app)


def main() -> None:
    app()
