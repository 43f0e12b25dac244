"""What the assistant remembers about one conversation between turns.

Kept as one pydantic model so any store (SQLite here, something else in the API) persists it as a
JSON blob without knowing its fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from assistant.facts import Fact


class DialogueState(BaseModel):
    session_id: str
    slots: dict[str, Any] = Field(default_factory=dict)  # accumulated slot values (JSON-safe)
    evidence: dict[str, str] = Field(default_factory=dict)  # slot -> the words the user used for it
    last_intent: str | None = None  # the last substantive intent (policy_question/estimate/contribution)
    last_query: str = ""  # the last substantive question, re-used by follow-ups
    last_words: str = ""  # that question as the user typed it (empty once a follow-up rewrote it)
    previous_message: str = ""  # the user's message of the turn before (context for a question that needs it)
    pending_slot: str | None = None  # the slot the last clarifying question asked for
    pending_options: list[str] = Field(default_factory=list)
    pending_values: list[Any] = Field(default_factory=list)  # pending_values[i] is what option i means
    turns: int = 0
    # What the user told us, each with its origin (said / inferred / default) and turn; `slots` is
    # the plain view of it the answer layer reads (issue 10).
    facts: dict[str, Fact] = Field(default_factory=dict)
    question_turn: int = -1  # the turn the current question was asked (or last re-asked) on
    asked: list[str] = Field(default_factory=list)  # slots a clarifying question has asked for
    patient: str | None = None  # who the case is about, by the family word last named (lexicon person.patients)
    patient_turn: int = 0  # the turn that patient was first named in (facts told before are the household's)

    def clear(self) -> "DialogueState":
        """A fresh state for the same session ("重新开始")."""
        return DialogueState(session_id=self.session_id, turns=self.turns)

    def sync_slots(self) -> None:
        """Rebuild the plain slot view from the facts."""
        self.slots = {k: f.value for k, f in self.facts.items() if f.value is not None}
