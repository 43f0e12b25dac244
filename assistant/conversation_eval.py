"""Run annotated conversations through the real assistant and score every turn.

A conversation is *right* when its final figure appears in the last answer and every clause the
annotator says must be cited is among the citations (the issue's headline measure). A citation names
its clause by chunk id; an estimate displays only the calculator's quote fragments joined by "……",
which can split the annotator's span, so the snippet is looked for in the cited clause itself (with
its headings, since release 17). The
stricter reading (the snippet inside the displayed text) is counted beside it (`right_shown`), as
releases before 5 measured it. Each turn is
also scored on intent, the facts the assistant should remember by then, and the clarifying question
it should (or should not) ask; a slot asked twice in one conversation is counted.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from assistant.dialogue_annotations import AnnotatedConversation, project_slots

# Intents a conversation turn may carry that the assistant answers under another name: a follow-up
# or correction re-runs the question it corrects, a statement answering a clarification resumes it.
_SUBSTANTIVE = {"policy_question", "estimate", "contribution"}


def _norm(text: str) -> str:
    from knowledge_base.normalize import normalize_text

    return re.sub(r"[\s,，、。;；:：]", "", normalize_text(text))


def _figure_found(figure: str, answer: str) -> bool:
    """"8640元" is found as 8640, 8640.00 or 8,640 in the answer."""
    m = _AMOUNT.search(figure.replace("，", ","))
    if not m:
        return _norm(figure) in _norm(answer)
    wanted = _value(m)
    if "%" in figure:
        found = [Decimal(n.replace(",", "")) for n in re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*%", answer)]
    else:
        found = [_value(n) for n in _AMOUNT.finditer(answer)]
    # By value: "19142.5元" is the answer's 19142.50, "8640元" its 8,640, "24万元" its 240000.00.
    return any(n == wanted for n in found)


# An Arabic amount with an optional 万/亿 multiplier ("24万元" is 240000).
_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*([万亿]?)")


def _value(m: re.Match[str]) -> Decimal:
    value = Decimal(m.group(1).replace(",", ""))
    return value * {"": 1, "万": 10**4, "亿": 10**8}[m.group(2)]


class TurnResult(BaseModel):
    say: str
    intent: str
    intent_ok: bool | None = None
    remembers_missing: dict[str, Any] = Field(default_factory=dict)  # slot -> expected value not held
    clarify_expected: str | None = None
    clarify_asked: str | None = None
    figure_ok: bool | None = None
    cites_ok: bool | None = None
    cites_shown_ok: bool | None = None  # every snippet inside the displayed citation text
    answer_has_missing: list[str] = Field(default_factory=list)


class ConversationResult(BaseModel):
    id: str
    right: bool  # final figure and citations
    right_shown: bool = False  # final figure and citations, the snippets read in the displayed text only
    turns: list[TurnResult]
    asked_twice: list[str] = Field(default_factory=list)


class ConversationReport(BaseModel):
    split: str
    conversations: int
    right: int
    right_shown: int  # the stricter reading of releases 1–4 (snippet inside the displayed quote)
    figure_right: int
    cites_right: int
    turns: int
    intent_right: int
    remembered: int  # expected facts held
    remembered_total: int
    clarify_right: int
    clarify_total: int
    asked_twice: int  # conversations in which some slot was asked for twice
    results: list[ConversationResult]

    def summary(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{a}/{b} ({100 * a / b:.1f}%)" if b else "0/0"

        return "\n".join([
            f"conversations ({self.split}): {self.conversations}",
            f"right (figure + citations): {pct(self.right, self.conversations)}"
            f"   (snippets in the displayed quote only: {pct(self.right_shown, self.conversations)})",
            f"  figure: {pct(self.figure_right, self.conversations)}   citations: {pct(self.cites_right, self.conversations)}",
            f"turn intents: {pct(self.intent_right, self.turns)}",
            f"remembered facts: {pct(self.remembered, self.remembered_total)}",
            f"clarifications: {pct(self.clarify_right, self.clarify_total)}",
            f"conversations with a slot asked twice: {self.asked_twice}",
        ])


def _intent_ok(expected: str, reply: Any, previous: str | None) -> bool:
    if reply.intent == expected:
        return True
    # "那三级呢" labelled policy_question is answered as the question it follows; a statement that
    # answers a pending clarification is answered by resuming the question.
    return expected in _SUBSTANTIVE | {"statement", "correction"} and reply.intent in _SUBSTANTIVE and previous in _SUBSTANTIVE


def _held(expected: dict[str, Any], slots: dict[str, Any]) -> dict[str, Any]:
    missing = {}
    for key, value in expected.items():
        if key in {"disease"}:
            continue
        if str(slots.get(key)) != str(value):
            missing[key] = value
    return missing


def _clause_texts(assistant: Any, citations: list[Any]) -> list[str]:
    """The whole text of each cited clause the knowledge base holds, headings included (a rule set's
    citation of a clause the library lacks has only its displayed text). The headings are part of
    the text the annotators read ("(四)最高支付限额。2009为30000元" quotes a heading and its
    clause), and the answers' gold quotes are resolved against the same text (`index_text`)."""
    kb = getattr(assistant, "kb", None)
    texts: list[str] = []
    for citation in citations:
        try:
            clause = kb.get(citation.chunk_id) if kb is not None else None
        except KeyError:
            clause = None
        if clause is not None:
            texts.append(clause.index_text)
    return texts


def run_conversation(assistant: Any, conv: AnnotatedConversation) -> ConversationResult:
    session = None
    results: list[TurnResult] = []
    asked: Counter[str] = Counter()
    previous_intent: str | None = None
    right = right_shown = False
    for i, turn in enumerate(conv.turns):
        reply = assistant.ask(turn.say, session_id=session)
        session = reply.session_id
        expect = turn.expect
        result = TurnResult(say=turn.say, intent=reply.intent)
        if expect.intent:
            result.intent_ok = _intent_ok(expect.intent, reply, previous_intent)
        result.remembers_missing = _held(project_slots(expect.remembers), reply.slots)
        result.clarify_expected = expect.clarify
        result.clarify_asked = reply.clarification.slot if reply.clarification else None
        if result.clarify_asked:
            asked[result.clarify_asked] += 1
        text = reply.answer
        if expect.figure:
            result.figure_ok = _figure_found(expect.figure, text)
        if expect.cites:
            shown = [_norm(c.text) for c in reply.citations]
            clauses = shown + [_norm(t) for t in _clause_texts(assistant, reply.citations)]
            result.cites_ok = all(any(_norm(snippet) in c for c in clauses) for snippet in expect.cites)
            result.cites_shown_ok = all(any(_norm(snippet) in c for c in shown) for snippet in expect.cites)
        result.answer_has_missing = [a for a in expect.answer_has if a not in text]
        if i == len(conv.turns) - 1:
            right = bool(result.figure_ok) and result.cites_ok is not False
            right_shown = bool(result.figure_ok) and result.cites_shown_ok is not False
        if reply.intent in _SUBSTANTIVE:
            previous_intent = reply.intent
        results.append(result)
    return ConversationResult(id=conv.id, right=right, right_shown=right_shown, turns=results,
                              asked_twice=sorted(s for s, n in asked.items() if n > 1))


def evaluate(assistant_factory: Any, conversations: list[AnnotatedConversation], split: str) -> ConversationReport:
    """`assistant_factory()` gives an assistant (fresh sessions per conversation are by session id)."""
    assistant = assistant_factory()
    results = [run_conversation(assistant, c) for c in conversations]
    turns = [t for r in results for t in r.turns]
    last = [r.turns[-1] for r in results]
    expected_facts = sum(len(project_slots(t.expect.remembers)) - ("disease" in t.expect.remembers.given())
                         for c in conversations for t in c.turns)
    return ConversationReport(
        split=split,
        conversations=len(results),
        right=sum(r.right for r in results),
        right_shown=sum(r.right_shown for r in results),
        figure_right=sum(bool(t.figure_ok) for t in last),
        cites_right=sum(t.cites_ok is not False for t in last),
        turns=len(turns),
        intent_right=sum(bool(t.intent_ok) for t in turns if t.intent_ok is not None),
        remembered=expected_facts - sum(len(t.remembers_missing) for t in turns),
        remembered_total=expected_facts,
        clarify_right=sum(t.clarify_asked == t.clarify_expected for t in turns if t.clarify_expected),
        clarify_total=sum(1 for t in turns if t.clarify_expected),
        asked_twice=sum(bool(r.asked_twice) for r in results),
        results=results,
    )
