"""The one error type of the calculators: which request field is wrong and why, in Chinese.

Raised before any amount is produced, so a caller never sees a partial result."""

from __future__ import annotations


class CalcError(ValueError):
    """A request (or rule file) the engine refuses. `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def as_dict(self) -> dict:
        return {"error": {"field": self.field, "message": self.message}}


class RuleFileError(Exception):
    """A policy rule file that fails its load-time checks (missing cell, bad quote, bad unit)."""
