"""Load the NLU word lists (lexicon.yaml) and compile them into longest-first matchers.

The rules in slots.py/intents.py only know *pattern classes* ("a scheme alias", "a negation
before a cue"); which words belong to a class is data, so adding a synonym never touches code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping

import yaml


@dataclass(frozen=True)
class Hit:
    """One lexicon match: the canonical value it stands for and where it sits in the text."""

    value: Any
    start: int
    end: int
    alias: str


class Matcher:
    """Leftmost, longest-alias-first matching of many aliases to canonical values.

    Blockers are phrases that contain a cue but mean something else (人工关节 is not a request
    for a human): they are matched like aliases, consume their span, and are then dropped.
    """

    _BLOCK = object()

    def __init__(self, mapping: Mapping[Any, Iterable[str]], blockers: Iterable[str] = ()):
        self._value: dict[str, Any] = {}
        for value, aliases in mapping.items():
            for alias in aliases:
                self._value.setdefault(str(alias).lower(), value)
        for alias in blockers:
            self._value[str(alias).lower()] = self._BLOCK
        ordered = sorted(self._value, key=len, reverse=True)
        self._re = re.compile("|".join(re.escape(a) for a in ordered)) if ordered else None

    def find(self, text: str) -> list[Hit]:
        if self._re is None:
            return []
        hits = []
        for m in self._re.finditer(text.lower()):
            value = self._value[m.group(0)]
            if value is not self._BLOCK:
                hits.append(Hit(value, m.start(), m.end(), text[m.start() : m.end()]))
        return hits

    def first(self, text: str) -> Hit | None:
        hits = self.find(text)
        return hits[0] if hits else None


def words(items: Iterable[str]) -> Matcher:
    """A matcher whose canonical value is the alias itself (plain word lists)."""
    items = list(items)
    return Matcher({w: [w] for w in items})


class Lexicon:
    """Typed access to lexicon.yaml plus the matchers built from it (built once, cached)."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.typos: dict[str, str] = data["typos"]
        self._typo_re = re.compile("|".join(re.escape(t) for t in sorted(self.typos, key=len, reverse=True)))
        self._dialect = [(re.compile(pattern), standard) for pattern, standard in data.get("dialect", [])]
        self._mask = re.compile(data["mask_placeholder"]) if data.get("mask_placeholder") else None

        intent = data["intent"]
        self.reset = words(intent["reset"])
        self.request_words = words(intent.get("request_words", []))
        self.question_form = re.compile("|".join(f"(?:{form})" for form in intent["question_forms"]))
        self.keyword_search = re.compile(intent["keyword_search"])
        self.human = Matcher({"human": intent["human"]["cues"]}, intent["human"]["blockers"])
        self.greeting = words(intent["greeting"])
        self.about_assistant = words(intent["about_assistant"])
        self.thanks = words(intent["thanks"])
        self.acknowledgements = words(intent["acknowledgements"])
        self.out_of_scope = words(intent["out_of_scope"])
        self.other_insurance = words(intent["other_insurance"])
        self.domain_strong = Matcher({w: [w] for w in intent["domain_strong"]}, intent.get("domain_strong_blockers", ()))
        self.greeting_only = words(intent["greeting_only"])
        self.domain = Matcher({w: [w] for w in intent["domain"]}, intent.get("domain_blockers", ()))
        self.fillers = words(intent["fillers"])

        fu = data["followup"]
        self.followup = fu
        self.scheme = Matcher(data["scheme"]["canonical"], data["scheme"].get("blockers", ()))
        self.scheme_precedence: list[str] = data["scheme"]["precedence"]
        self.scheme_patterns: dict[str, re.Pattern[str]] = {
            k: re.compile(v) for k, v in data["scheme"].get("patterns", {}).items()
        }
        self.tier = Matcher({int(k): v for k, v in data["tier"].items()})
        self.person = Matcher(data["person"]["canonical"], data["person"].get("blockers", ()))
        self.person_conf = data["person"]
        self.poverty = Matcher({True: data["poverty"]["cues"]})
        self.poverty_negations: list[str] = data["poverty"]["negations"]
        self.retired = Matcher({k == "true": v for k, v in data["retired"].items()})
        self.admission_fixed = Matcher({int(k): v for k, v in data["admission"]["fixed"].items()})
        oa = data["out_of_area"]
        self.out_of_area = Matcher({True: oa["true"], False: oa["false"]})
        self.out_of_area_not_followed_by: list[str] = oa["not_followed_by"]
        self.out_of_area_negations: list[str] = oa.get("negations", [])
        city = oa.get("city_level", {})
        self.out_of_city = Matcher({True: city.get("true", []), False: city.get("false", [])})
        self.vague_destinations = words(oa.get("vague_destinations", []))
        self.vague_blocked_by: list[str] = oa.get("vague_blocked_by", [])
        ref = data["referral"]
        self.referral = Matcher({True: ref["cues"]}, ref["blockers"])
        self.referral_conf = ref
        hosp = data["hospital"]
        self.hospital_facility = Matcher({1: hosp["level1_facilities"], 2: hosp["level2_facilities"],
                                          3: hosp["named_level3"], None: hosp["ambiguous"]})
        self.hospital_conf = hosp
        svc = data["service"]
        self.service = Matcher(svc["canonical"])
        self.inpatient_split = re.compile(svc["inpatient_split"])
        self.service_precedence: list[str] = svc["precedence"]
        self.chronic_diseases = words(svc["chronic_diseases"])
        self.major_diseases = words(svc["major_diseases"])
        self.service_conf = svc
        self.topic = Matcher(data["topic"]["canonical"])
        self.topic_patterns = [(re.compile(p, re.IGNORECASE), t) for p, t in data.get("topic_patterns", [])]
        pay = data["payment"]
        self.payment = Matcher(pay["cues"], pay.get("blockers", ()))
        self.premium_context = words(pay["premium_context"])
        self.provider_context = words(pay["provider_context"])
        self.payment_conf = pay
        self.contribution_topics: frozenset[str] = frozenset(pay["contribution_topics"])
        amt = data["amounts"]
        self.amount_conf = amt
        self.amount_roles = Matcher(amt["roles"])
        reg = data["regions"]
        self.regions_conf = reg

    def fix_typos(self, text: str) -> str:
        return self._typo_re.sub(lambda m: self.typos[m.group(0)], text)

    def standardise_dialect(self, text: str) -> str:
        """Dialect question words in their standard form (好多钱 → 多少钱, 咋个 → 怎么)."""
        for pattern, standard in self._dialect:
            text = pattern.sub(standard, text)
        return text

    def strip_masks(self, text: str) -> str:
        """The message without PII-masking placeholders and the words introducing them: a
        placeholder carries no meaning, and "我电话" left behind would read as asking for a phone."""
        return self._mask.sub(" ", text) if self._mask else text


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = resources.files("assistant.nlu").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    return Lexicon(yaml.safe_load(raw))
