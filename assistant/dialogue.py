"""Dialogue state transitions: how one understood message updates the conversation.

Pure functions over `DialogueState`, so the rules (pending answers, follow-ups, carry-over) are unit
tested without a knowledge base. The service decides what to answer; this decides what was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.clarify import SlotQuestion, question_for
from assistant.nlu.models import Understanding
from assistant.state import DialogueState

SUBSTANTIVE = {"policy_question", "estimate", "contribution"}
FOLLOW_UP_START = re.compile(r"^(那|那么|如果|要是|假如|换成|改成|换为|改为|换|改|还有)")
FOLLOW_UP_END = re.compile(r"(呢|的话|怎么样|怎么算|多少)[?？。!！]*$")
MAX_FOLLOW_UP_CHARS = 20
MAX_FOLLOW_UP_REST = 1  # characters a "…呢"/"…怎么算" follow-up may have besides its slot words
# Money slots a bare amount fills when the question asked for it.
_AMOUNT_SLOTS = {"amount", "uncovered_amount", "ytd_reimbursed", "local_avg_wage", "wage", "prior_reimbursed"}
# Words for slot values, used when a follow-up changes a slot the NLU gave no evidence span for.
_LABELS = {
    "hospital_level": {1: "一级医院", 2: "二级医院", 3: "三级医院"},
    "tier": {1: "一档", 2: "二档"},
    "person_category": {"student": "学生", "child": "儿童", "elderly": "老年人", "adult": "成年居民"},
}


@dataclass
class Turn:
    """What this message asks, after taking the conversation into account."""

    intent: str
    query: str
    slots: dict[str, Any]
    follow_up: bool = False
    answered_pending: bool = False


def _json_safe(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def new_slots(understanding: Understanding) -> dict[str, Any]:
    """The slots this message set (None = not mentioned), JSON-safe."""
    return {k: _json_safe(v) for k, v in understanding.slots.model_dump().items() if v is not None}


def _label(slot: str, value: Any) -> str:
    return _LABELS.get(slot, {}).get(value, str(value))


def rewrite_query(last_query: str, old_evidence: dict[str, str], changed: dict[str, Any],
                  new_evidence: dict[str, str]) -> str:
    """The last question with the changed slots' words swapped in ("一级医院" -> "二级医院"),
    or appended when the last question did not mention them."""
    query = last_query
    for slot, value in changed.items():
        if slot == "topic":
            continue
        new_words = new_evidence.get(slot) or _label(slot, value)
        old_words = old_evidence.get(slot)
        if old_words and old_words in query:
            query = query.replace(old_words, new_words)
        elif new_words not in query:
            query = f"{query} {new_words}".strip()
    return query


def is_follow_up(message: str, understanding: Understanding, state: DialogueState) -> bool:
    """A short message that changes slots of the previous substantive question without asking a
    new one: "那二级医院呢？", "如果是学生呢？", "换成二档"."""
    if state.last_intent not in SUBSTANTIVE or not new_slots(understanding):
        return False
    text = message.strip()
    if len(text) > MAX_FOLLOW_UP_CHARS:
        return False
    if FOLLOW_UP_START.search(text):
        return True
    if FOLLOW_UP_END.search(text):
        # "三级医院呢" is a follow-up; "生育津贴怎么算" names a topic of its own beyond its slot words.
        rest = FOLLOW_UP_END.sub("", text)
        for words in understanding.evidence.values():
            rest = rest.replace(words, "")
        return len(rest.strip(" 的，,")) <= MAX_FOLLOW_UP_REST

    # A bare slot value ("二级医院", "学生") with no question words of its own.
    return understanding.intent not in SUBSTANTIVE or not understanding.slots.topic


def pending_value(message: str, understanding: Understanding, question: SlotQuestion) -> Any | None:
    """The value the user gave for the slot the last clarifying question asked about."""
    slots = new_slots(understanding)
    if question.slot in slots:
        return slots[question.slot]
    if question.slot in _AMOUNT_SLOTS and "amount" in slots:
        return slots["amount"]
    if question.options:
        return question.value_for(message)
    return None


def interpret(state: DialogueState, understanding: Understanding, message: str) -> Turn:
    """Decide intent, retrieval query and merged slots for this message; update `state` in place."""
    fresh = new_slots(understanding)
    if state.pending_slot:
        question = question_for(state.pending_slot, list(zip(state.pending_options, state.pending_values)))
        value = pending_value(message, understanding, question)
        if value is not None and state.last_intent in SUBSTANTIVE:
            state.slots.update(fresh)
            state.slots[state.pending_slot] = value
            state.pending_slot, state.pending_options, state.pending_values = None, [], []
            state.evidence.update(understanding.evidence)
            return Turn(state.last_intent, state.last_query, dict(state.slots), answered_pending=True)
    state.pending_slot, state.pending_options, state.pending_values = None, [], []

    if is_follow_up(message, understanding, state):
        changed = {k: v for k, v in fresh.items() if state.slots.get(k) != v}
        state.last_query = rewrite_query(state.last_query, state.evidence, changed, understanding.evidence)
        state.slots.update(fresh)
        state.evidence.update(understanding.evidence)
        intent = state.last_intent
        if understanding.intent == "estimate" and "amount" in fresh:
            intent = "estimate"  # "那3万呢" after a policy question is a request to compute
        state.last_intent = intent
        return Turn(intent, state.last_query, dict(state.slots), follow_up=True)

    if understanding.intent not in SUBSTANTIVE:
        return Turn(understanding.intent, message, dict(state.slots))

    # A new question: profile facts (region, tier, person…) carry over, the old topic does not.
    state.slots.pop("topic", None)
    state.slots.update(fresh)
    state.evidence.update(understanding.evidence)
    state.last_intent = understanding.intent
    state.last_query = understanding.query or message
    return Turn(understanding.intent, state.last_query, dict(state.slots))


def ask_pending(state: DialogueState, question: SlotQuestion) -> None:
    """Remember which slot the clarifying question fills, so the next message can answer it."""
    state.pending_slot = question.slot
    state.pending_options = list(question.options)
    state.pending_values = list(question.values)
