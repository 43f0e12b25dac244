"""Commands of this area; filled in by its owner."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""
