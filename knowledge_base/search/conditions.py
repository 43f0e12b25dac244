"""Special cases a rule can state its figure under (out of area, no referral, second admission, a
student or child, a poor household), read from `resources/conditions.yaml` — the one home of this
vocabulary for the knowledge base's ranking features and the assistant's sentence selection."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from knowledge_base.lexicon import Condition, ConditionsFile, load_resource

RESOURCE = Path(__file__).resolve().parents[1] / "resources" / "conditions.yaml"
_AMOUNT = re.compile(r"\d")
_ASIDE = re.compile(r"[(（][^)）]*[)）]")


@lru_cache(maxsize=1)
def conditions() -> dict[str, Condition]:
    """Case name -> its words (schema: `knowledge_base.lexicon.ConditionsFile`)."""
    return dict(load_resource(RESOURCE, ConditionsFile).cases)


def framed(sentence: str) -> set[str]:
    """The cases a sentence states its figure under: policy cue words said before its first
    number (asides left out). A sentence with no figure frames none."""
    bare = _ASIDE.sub("", sentence)
    first = _AMOUNT.search(bare)
    if not first:
        return set()
    before = bare[: first.start()]
    return {name for name, c in conditions().items() if any(cue in before for cue in c.policy)}


def asked(question: str) -> set[str]:
    """The cases a question names (its own words or the policy's)."""
    return {name for name, c in conditions().items() if any(cue in question for cue in (*c.asked, *c.policy))}
