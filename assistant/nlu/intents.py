"""Intent rules: ordered pattern classes over the normalised text and the slots already found.

Order encodes priority: an explicit reset or request for a human wins over everything; other
insurance/weather questions are out of scope only when nothing ties them to medical insurance;
a stated cost makes an estimate; a contribution topic (how much / how to pay the premium) makes a
contribution question; greetings, thanks and questions about the assistant itself ("你是谁") count
only when the message carries nothing else.
"""

from __future__ import annotations

import re

from assistant.models import Intent
from assistant.nlu.lexicon import Lexicon, Matcher
from assistant.nlu.slots import Found

def has_domain_signal(text: str, lex: Lexicon, found: Found) -> bool:
    """Anything that ties the message to medical insurance: a slot, a topic, or a domain word."""
    return bool(found.values) or lex.domain.first(text) is not None


def _only(text: str, matcher: Matcher, lex: Lexicon) -> bool:
    """True when the message is nothing but `matcher` words, fillers and punctuation ("好的好的")."""
    hits = matcher.find(text)
    if not hits:
        return False
    rest = list(text)
    for h in hits + lex.fillers.find(text):
        rest[h.start : h.end] = " " * (h.end - h.start)
    return not re.sub(r"[\W_]+", "", "".join(rest))


def classify(text: str, lex: Lexicon, found: Found) -> tuple[Intent, float]:
    """(intent, confidence) for one normalised message."""
    if lex.reset.first(text):
        return "reset", 0.95
    if lex.human.first(text):
        return "human", 0.95
    in_domain = has_domain_signal(text, lex, found)
    # Another insurance/topic is out of scope unless a medical-insurance *word* is present too: the
    # slots alone do not count, since 交多少/一年/退休 fit 养老保险 as well as 医保.
    if lex.out_of_scope.first(text) and lex.domain.first(text) is None:
        return "out_of_scope", 0.9
    # Another insurance scheme's claim ("工伤怎么报销") shares the medical verbs; only a word naming
    # medical insurance itself ties it back to the domain.
    if lex.other_insurance.first(text) and lex.domain_strong.first(text) is None:
        return "out_of_scope", 0.85
    values = found.values
    if "amount" in values or "uncovered_amount" in values or "self_paid_remainder" in values:
        return "estimate", 0.9
    if values.get("topic") in lex.contribution_topics:
        return "contribution", 0.9
    if in_domain:
        return "policy_question", 0.8
    thanks = lex.thanks.first(text)
    greeting = lex.greeting.first(text) or lex.about_assistant.first(text)
    if thanks or greeting:
        return ("thanks", 0.9) if thanks else ("greeting", 0.9)
    if _only(text, lex.greeting_only, lex):
        return "greeting", 0.8
    if _only(text, lex.acknowledgements, lex):
        return "thanks", 0.6
    # Nothing recognised: let retrieval try, flagged by a low confidence.
    return "policy_question", 0.3
