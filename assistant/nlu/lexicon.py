"""Load the NLU word lists (lexicon.yaml), validated by a schema, and compile them into
longest-first matchers. Places are not here: they live in the knowledge base's gazetteer.

The rules in slots.py/intents.py only know *pattern classes* ("a scheme alias", "a negation
before a cue"); which words belong to a class is data, so adding a synonym never touches code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, Iterable, Literal, Mapping

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from knowledge_base.lexicon import validate_resource


# --- schema: what lexicon.yaml must hold (validated once at load) ---------------------------------


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


Regex = Annotated[str, AfterValidator(_compiles)]
Words = list[str]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HumanCues(_Section):
    cues: Words
    blockers: Words


class IntentSection(_Section):
    reset: Words
    request_words: Words = []
    question_forms: list[Regex]
    keyword_search: Regex
    correction_leads: Regex | None = None
    compute_requests: Regex | None = None
    request_softeners: Regex | None = None
    new_question_leads: Regex | None = None
    case_references: Regex | None = None
    human: HumanCues
    greeting: Words
    about_assistant: Words
    thanks: Words
    acknowledgements: Words
    out_of_scope: Words
    out_of_scope_blockers: Words = []
    other_insurance: Words
    domain_strong: Words
    domain_strong_blockers: Words = []
    greeting_only: Words
    domain: Words
    domain_blockers: Words = []
    fillers: Words


class FollowupSection(_Section):
    ends: Words
    starts: Words
    not_starts: Words
    slot_only_fillers: Words
    max_len_slot_only: int
    max_len_context_only: int
    max_len_with_end: int
    max_len_with_end_and_topic: int
    max_len_with_start: int


class SchemeSection(_Section):
    canonical: dict[str, Words]
    precedence: Words
    blockers: Words = []
    patterns: dict[str, Regex] = {}
    # base scheme -> the clause schemes that can answer a question naming it
    compatible: dict[str, Words] = {}
    # the fund a told contribution tier belongs to
    implied_by_tier: str

    @model_validator(mode="after")
    def _compatible_names_schemes(self) -> SchemeSection:
        if self.implied_by_tier not in self.compatible:
            raise ValueError(f"implied_by_tier {self.implied_by_tier!r} is not a base scheme of `compatible`")
        for scheme, answered_by in self.compatible.items():
            unknown = [s for s in (scheme, *answered_by) if s not in self.canonical]
            if unknown:
                raise ValueError(f"compatible.{scheme}: {unknown} not a canonical scheme")
        return self


class PersonSection(_Section):
    canonical: dict[str, Words]
    blockers: Words = []
    precedence: Words
    adult_age: int
    elderly_age: int
    age_leads: Words
    age_leads_bare: Words
    patients: dict[str, Words] = {}
    negations: Words = []  # a person word right after one is denied or set aside ("不问学生了")


class PovertySection(_Section):
    cues: Words
    negations: Words
    low_income: Words


class AdmissionSection(_Section):
    fixed: dict[int, Words]
    # 又 with the place between it and the stay verb ("这回又在县人民医院住了"): the second stay
    again: Regex


class CityLevel(_Section):
    true: Words = []
    false: Words = []


class OutOfAreaSection(_Section):
    true: Words
    false: Words
    not_followed_by: Words
    negations: Words = []
    away_negations: Words = []
    city_level: CityLevel = CityLevel()
    vague_destinations: Words = []
    vague_blocked_by: Words = []
    working_away: Words = []
    home_care: Regex = "(?!)"


class ReferralSection(_Section):
    cues: Words
    blockers: Words
    negations: Words
    negations_after: Words
    done_before: Words
    done_after: Words
    question_before: Words
    question_after: Words
    question_words: Words
    conditionals: Words
    other_registrations: dict[str, Words]
    asked_topics: dict[str, Words]


class HospitalSection(_Section):
    level1_facilities: Words
    level2_facilities: Words
    named_level3: Words
    ambiguous: Words
    level_words: dict[str, int]
    not_followed_by: Words
    stay_after: Words
    moved_before: Words


class ServiceSection(_Section):
    canonical: dict[str, Words]
    inpatient_split: Regex
    precedence: Words
    chronic_diseases: Words
    major_diseases: Words
    chronic_count_nouns: Words
    count_classifiers: Words
    generic_outpatient: Words
    major_disease_blockers: Words
    major_disease_words: Words
    treatment_words: Words
    care_unknown_words: Words = []
    blockers: Words = []
    subsidy_parts: Words = []
    subsidy_joiners: Words = []
    negations: Words = []
    unspecified_special: Words = []


class TopicSection(_Section):
    canonical: dict[str, Words]
    ytd_without_cost: Regex
    estimate_terms: Words = []
    case_cap_asks: Words = []
    cap_periods: Words = []


class PaymentSection(_Section):
    cues: dict[str, Words]
    blockers: Words = []
    premium_context: Words
    provider_context: Words
    contribution_topics: Words
    pay_first: Words
    pay_first_topic: str
    premium_slots: Words


class AmountsSection(_Section):
    roles: dict[str, Words]
    roles_after: Words
    left_window: int
    approx_marks: Words
    bare_min: int
    connectors: Words
    contribution_pattern: Regex
    carryover_cues: Words
    carryover_after: Words
    carryover_unused_pattern: Regex
    cost_cues: Words
    hotlines: Words
    money_units: Words
    multiplier_suffixes: dict[str, int]
    non_money_units: Words
    not_after: Words
    part_of: Words
    remainder_after: Words
    remainder_pattern: Regex | None = None
    thresholds: Words
    vague_amount: Regex


class Roles(_Section):
    right_window: int
    home_before: Words
    home_after: Words
    work_before: Words
    work_after: Words
    treat_before: Words
    treat_after: Words
    treat_qualifiers: Words = []
    visit_before: Words = []
    denied_before: Words = []
    employed_after: Words = []
    employer_words: Words = []
    elsewhere_home: Words = []
    there_before: Words = []
    there_words: Words = []
    insured_words: Words = []


class RegionsSection(_Section):
    suffixes: Words
    roles: Roles
    left_boundary_chars: str
    not_place_stems: Words
    suffix_not_followed_by: Words
    stem_stop_chars: str


class HouseholdMembersSection(_Section):
    pairs: Words
    selves: Words
    adults: Words
    elders: Words
    children: Words
    blockers: Words = []
    preschool_cues: Words
    student_cues: Words
    adult_cues: Words
    list_joiners: Words = []
    # words opening a message that adds people to a household told before ("还有个娃儿读小学")
    additions: Words = []


class HouseholdSection(_Section):
    size_patterns: list[Regex]
    whole_words: Words
    members: HouseholdMembersSection


class CalculatorScopeSection(_Section):
    self_employed: Words
    duration_asked: Regex


class LexiconFile(_Section):
    """lexicon.yaml: every section the NLU reads, with the type of each key."""

    typos: dict[str, str]
    dialect: list[tuple[Regex, str]] = []
    mask_placeholder: Regex | None = None
    intent: IntentSection
    followup: FollowupSection
    scheme: SchemeSection
    tier: dict[int, Words]
    person: PersonSection
    poverty: PovertySection
    retired: dict[Literal["true", "false", "blockers"], Words]
    laid_off: dict[Literal["true", "false", "blockers"], Words]
    continuous_enrollment: dict[Literal["true", "false", "blockers"], Words]
    injury: dict[Literal["true", "false", "blockers"], Words]
    household: HouseholdSection
    admission: AdmissionSection
    out_of_area: OutOfAreaSection
    referral: ReferralSection
    hospital: HospitalSection
    service: ServiceSection
    topic: TopicSection
    topic_patterns: list[tuple[Regex, str]] = []
    payment: PaymentSection
    amounts: AmountsSection
    regions: RegionsSection
    calculator_scope: CalculatorScopeSection


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


def _yes_no(section: Mapping[str, Iterable[str]]) -> Matcher:
    """A yes/no fact's matcher; its blockers are phrases holding a cue that state neither answer
    ("没上班" holds 上班, the cue for 在职, but says the person does not work)."""
    return Matcher({k == "true": v for k, v in section.items() if k != "blockers"}, section.get("blockers", ()))


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
        self.correction_leads = re.compile(intent["correction_leads"]) if intent.get("correction_leads") else None
        self.compute_requests = re.compile(intent["compute_requests"]) if intent.get("compute_requests") else None
        self.request_softeners = re.compile(intent["request_softeners"]) if intent.get("request_softeners") else None
        self.new_question_leads = re.compile(intent["new_question_leads"]) if intent.get("new_question_leads") else None
        self.case_references = re.compile(intent["case_references"]) if intent.get("case_references") else None
        self.human = Matcher({"human": intent["human"]["cues"]}, intent["human"]["blockers"])
        self.greeting = words(intent["greeting"])
        self.about_assistant = words(intent["about_assistant"])
        self.thanks = words(intent["thanks"])
        self.acknowledgements = words(intent["acknowledgements"])
        self.out_of_scope = Matcher({w: [w] for w in intent["out_of_scope"]}, intent.get("out_of_scope_blockers", ()))
        self.other_insurance = Matcher({w: [w] for w in intent["other_insurance"]}, intent.get("out_of_scope_blockers", ()))
        self.domain_strong = Matcher({w: [w] for w in intent["domain_strong"]}, intent.get("domain_strong_blockers", ()))
        self.greeting_only = words(intent["greeting_only"])
        self.domain = Matcher({w: [w] for w in intent["domain"]}, intent.get("domain_blockers", ()))
        self.fillers = words(intent["fillers"])

        fu = data["followup"]
        self.followup = fu
        self.scheme = Matcher(data["scheme"]["canonical"], data["scheme"].get("blockers", ()))
        self.scheme_precedence: list[str] = data["scheme"]["precedence"]
        self.scheme_of_tier: str = str(data["scheme"]["implied_by_tier"])
        self.compatible_schemes: dict[str, frozenset[str]] = {
            k: frozenset(v) for k, v in data["scheme"].get("compatible", {}).items()}
        self.scheme_patterns: dict[str, re.Pattern[str]] = {
            k: re.compile(v) for k, v in data["scheme"].get("patterns", {}).items()
        }
        self.tier = Matcher({int(k): v for k, v in data["tier"].items()})
        self.person = Matcher(data["person"]["canonical"], data["person"].get("blockers", ()))
        self.patients = Matcher(data["person"].get("patients", {}))
        self.person_conf = data["person"]
        self.poverty = Matcher({True: data["poverty"]["cues"]})
        self.poverty_negations: list[str] = data["poverty"]["negations"]
        self.low_income = Matcher({True: data["poverty"]["low_income"]})
        self.retired = _yes_no(data["retired"])
        self.laid_off = _yes_no(data["laid_off"])
        self.continuous_enrollment = _yes_no(data["continuous_enrollment"])
        self.injury = _yes_no(data["injury"])
        self.carryover_unused = re.compile(data["amounts"]["carryover_unused_pattern"])
        self.household_size = [re.compile(p) for p in data["household"]["size_patterns"]]
        self.household_whole = Matcher({True: data["household"]["whole_words"]})
        self.household_members: dict[str, Any] = data["household"]["members"]
        self.admission_fixed = Matcher({int(k): v for k, v in data["admission"]["fixed"].items()})
        self.admission_again = re.compile(data["admission"]["again"])
        oa = data["out_of_area"]
        self.out_of_area = Matcher({True: oa["true"], False: oa["false"]})
        self.out_of_area_not_followed_by: list[str] = oa["not_followed_by"]
        self.out_of_area_negations: list[str] = oa.get("negations", [])
        self.away_negations: list[str] = sorted(oa.get("away_negations", []), key=len, reverse=True)
        city = oa.get("city_level", {})
        self.out_of_city = Matcher({True: city.get("true", []), False: city.get("false", [])})
        self.vague_destinations = words(oa.get("vague_destinations", []))
        self.vague_blocked_by: list[str] = oa.get("vague_blocked_by", [])
        self.working_away: list[str] = oa.get("working_away", [])
        self.home_care = re.compile(oa.get("home_care", "(?!)"))
        ref = data["referral"]
        self.referral = Matcher({True: ref["cues"]}, ref["blockers"])
        self.referral_conf = ref
        hosp = data["hospital"]
        self.hospital_facility = Matcher({1: hosp["level1_facilities"], 2: hosp["level2_facilities"],
                                          3: hosp["named_level3"], None: hosp["ambiguous"]})
        self.hospital_conf = hosp
        svc = data["service"]
        self.service = Matcher(svc["canonical"], svc.get("blockers", ()))
        self.inpatient_split = re.compile(svc["inpatient_split"])
        self.service_precedence: list[str] = svc["precedence"]
        self.subsidy_parts = words(svc.get("subsidy_parts", ()))
        self.subsidy_joiners = words(svc.get("subsidy_joiners", ()))
        self.chronic_diseases = words(svc["chronic_diseases"])
        self.major_diseases = words(svc["major_diseases"])
        self.service_conf = svc
        self.topic = Matcher(data["topic"]["canonical"])
        self.estimate_terms: frozenset[str] = frozenset(data["topic"].get("estimate_terms", []))
        self.case_cap_asks = words(data["topic"].get("case_cap_asks", ()))
        self.cap_periods = words(data["topic"].get("cap_periods", ()))
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
        scope = data["calculator_scope"]
        self.self_employed = words(scope["self_employed"])
        self.duration_asked = re.compile(scope["duration_asked"])

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


def parse_lexicon(data: Any, source: str = "lexicon.yaml") -> Lexicon:
    """The lexicon from its YAML structure, checked against `LexiconFile` first: a missing or
    misspelt key, a wrong type or a broken pattern fails here naming the file, key and problem."""
    validate_resource(data, LexiconFile, source)
    return Lexicon(data)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    path = resources.files("assistant.nlu").joinpath("lexicon.yaml")
    return parse_lexicon(yaml.safe_load(path.read_text(encoding="utf-8")), "assistant/nlu/lexicon.yaml")
