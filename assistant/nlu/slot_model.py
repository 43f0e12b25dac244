"""The learned part of slot reading: the fuzzy slots, from the annotated utterances.

Why: the exact rules enumerate phrasings ("住院", "住的院", "县医院"), and each new annotator brings
phrasings the rules never listed ("住乡卫生院用了6千" is a hospital stay, "儿子读初中" a student,
"市里的大医院" a 三级 hospital to every annotator). Fuzzy slots — service, person category,
hospital level, major disease, poverty, out of area, referral — are therefore also read by one
logistic-regression head each, trained on the annotated utterances. Exact things (numbers, money,
dates, regions, scheme, tier) stay with the rules alone.

Features are the prepared text's character 1–3-grams plus what the rules read ("RV:service=inpatient",
one token per slot value the extractors found) and the words the rule sets' own data name (lexicon
disease lists, person-group words: `lexicon_tokens`), so a head learns when to trust a rule and
when a phrasing it never listed means the same thing. A head's label replaces the rules' value only
when its probability reaches that slot's `meta["thresholds"]` (chosen by leaving one annotator out,
`assistant.nlu.slot_train`; a slot without a threshold stays with the rules), and the evidence says the value was learned so the dialogue can show it as a
fact the user may correct. Prediction is plain arithmetic over the stored JSON (`slot_model.json`),
like `learned.py`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Collection, Mapping

from assistant.nlu.learned import NGRAMS, LinearHead, tfidf_vector

ARTEFACT = Path(__file__).resolve().parent / "slot_model.json"
# Slots whose values are judgements about words, not exact readings: the heads may fill or change them.
FUZZY_SLOTS = ("service", "person_category", "hospital_level", "major_disease", "poverty", "out_of_area", "referral")
NONE = "none"  # the label "this message does not say"
# Slots a head may fill but never change: where care happened is read from place words whose meaning is
# exact (县外, 本地, 镇上, 没出县); what the rules miss is a place they cannot relate to the insured one
# ("在成都住的院", "在广东打工，医保在重庆"), which the head learns from the annotators.
FILL_ONLY_SLOTS = frozenset({"out_of_area"})


def label_of(value: Any) -> str:
    """A slot value as a class label (booleans and levels as text; None as `NONE`)."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def value_of(slot: str, label: str) -> Any:
    """The class label back as the slot's typed value."""
    if label == NONE:
        return None
    if label in ("true", "false"):
        return label == "true"
    if slot == "hospital_level":
        return int(label)
    return label


def features(prepared: str, rule_values: Mapping[str, Any], lexicon_hits: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """Character n-grams of the prepared text, one token per fuzzy slot value the rules found
    (and one per other slot name found), and the lexicon classes named in the text."""
    text = prepared.replace(" ", "").replace(",", "，")
    tokens = [text[i : i + n] for n in NGRAMS for i in range(len(text) - n + 1)]
    for name, value in sorted(rule_values.items()):
        tokens.append(f"RV:{name}={label_of(value)}" if name in FUZZY_SLOTS else f"S:{name}")
    tokens += [f"X:{h}" for h in lexicon_hits]
    return tokens


def lexicon_tokens(prepared: str) -> list[str]:
    """Which of the lexicon's (rule-set-derived) word classes the text names: major and chronic
    disease names, service aliases, person words — as class names, so a disease the annotators
    never wrote still looks like the ones they did."""
    from assistant.nlu.lexicon import lexicon

    lex = lexicon()
    out = []
    if lex.major_diseases.first(prepared):
        out.append("major_disease_name")
    if lex.chronic_diseases.first(prepared):
        out.append("chronic_disease_name")
    for h in lex.service.find(prepared):
        out.append(f"service_word={h.value}")
    return sorted(set(out))


# Services the rules read from the rule sets' disease and treatment lists (透析, 糖尿病拿药, 生娃):
# domain data, where the annotators' disagreement (does a bare bill name a hospital stay?) is not.
_DOMAIN_SERVICES = frozenset({"chronic_outpatient", "major_disease_outpatient", "maternity"})


def protected_slots(values: Mapping[str, Any], marked: Collection[str] = ()) -> frozenset[str]:
    """The slots a head may not clear: a major disease named or said, a service read from a
    disease or treatment word, a slot whose words carry their own marker (`Found.marked`: 已经备案,
    没办转诊; 二级及以上, which names no level)."""
    out = {"major_disease"} if values.get("major_disease") is not None else set()
    out |= set(marked)
    if values.get("service") in _DOMAIN_SERVICES:
        out.add("service")
    return frozenset(out)


@dataclass(frozen=True)
class SlotModel:
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    heads: dict[str, LinearHead]
    meta: dict[str, Any]

    def vector(self, tokens: list[str]) -> dict[int, float]:
        return tfidf_vector(tokens, self.vocabulary, self.idf)

    def predict(self, tokens: list[str]) -> dict[str, tuple[str, float]]:
        """Slot -> (label, probability) for every head."""
        vec = self.vector(tokens)
        return {slot: head.predict(vec) for slot, head in self.heads.items()}

    def revise(self, prepared: str, values: dict[str, Any], threshold: float | None = None,
               protected: frozenset[str] = frozenset()) -> dict[str, tuple[Any, float]]:
        """The fuzzy slots whose learned reading differs from the rules' and is confident enough:
        slot -> (new value or None, probability). `protected` slots were read from the rule sets'
        own data (a named disease → its outpatient service, a major disease named or said) or
        marked by their own words: a head never clears those, nor fills one the rules left empty
        on purpose (二级及以上医院 names no level)."""
        limits = self.meta.get("thresholds", {})
        tokens = features(prepared, values, lexicon_tokens(prepared))
        changes: dict[str, tuple[Any, float]] = {}
        for slot, (label, p) in self.predict(tokens).items():
            if slot in FILL_ONLY_SLOTS and values.get(slot) is not None:
                continue
            limit = limits.get(slot, 1.1) if threshold is None else threshold
            # Annotators differ on whether a bare bill names a stay; a head may follow them, but a
            # service read from a named disease (透析 → 大病门诊) is domain data and stays.
            if p >= limit and label != label_of(values.get(slot)) and not (
                slot in protected and (label == NONE or values.get(slot) is None)):
                changes[slot] = (value_of(slot, label), p)
        return changes


def _head(data: dict[str, Any]) -> LinearHead:
    return LinearHead(tuple(data["classes"]), tuple(tuple(r) for r in data["coef"]), tuple(data["intercept"]))


def from_json(data: dict[str, Any]) -> SlotModel:
    vocabulary = {t: i for i, t in enumerate(data["vocabulary"])}
    return SlotModel(vocabulary, tuple(data["idf"]), {k: _head(v) for k, v in data["heads"].items()}, data["meta"])


@lru_cache(maxsize=1)
def load(path: Path = ARTEFACT) -> SlotModel | None:
    """The trained slot model, or None when it has not been trained (the rules then read alone)."""
    if not path.exists():
        return None
    return from_json(json.loads(path.read_text("utf-8")))
