"""The assistant's reply: the contract the API, the WeChat bot and the CLI render.

Shaped as `medpolicy ask --json` prints it (issue 4); the API adds a `turn_id`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Intent = Literal["policy_question", "estimate", "contribution", "greeting", "thanks", "human", "out_of_scope", "reset",
                 "statement", "correction"]  # statement: context told, nothing asked; correction: "不对，是二档"


class Citation(BaseModel):
    n: int  # the [n] marker used in the answer text
    chunk_id: str
    citation: str
    text: str  # the quoted clause text
    region: str | None = None
    year: int | None = None


class Clarification(BaseModel):
    question: str
    options: list[str] = Field(default_factory=list)
    slot: str | None = None  # which slot the question fills


class RememberedFact(BaseModel):
    """One fact the assistant holds for the conversation, as shown ("已记住：重庆 · 二档"); `slot`
    lets a client offer the one-tap correction for it; `origin` says whether the user said it or it
    was inferred (e.g. 二档 from a stated premium of 150 元)."""

    slot: str
    value: Any
    label: str
    origin: Literal["said", "inferred", "default"] = "said"


class AssistantReply(BaseModel):
    session_id: str
    answer: str  # the web/structured rendering's main text (plain text, never HTML)
    wechat_text: str = ""  # plain text for one WeChat passive reply, <= 2048 bytes UTF-8
    citations: list[Citation] = Field(default_factory=list)
    intent: Intent
    slots: dict[str, Any] = Field(default_factory=dict)
    clarification: Clarification | None = None
    estimate: dict[str, Any] | None = None
    grounded: bool = True  # passed the number-grounding check
    # What kind of reply this is: a cited answer, related rules offered as such, a refusal (no
    # basis: the hotline), a clarifying question, a calculator estimate, or a fixed text (greeting…).
    kind: Literal["answer", "related", "refusal", "clarification", "estimate", "canned"] = "answer"
    remembered: list[RememberedFact] = Field(default_factory=list)  # what the assistant holds (issue 10)
