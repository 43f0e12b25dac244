"""`parse(text)`: normalise, fix common typos, extract slots, classify intent, detect follow-ups.

Pure and fast (a few ms), so the dialogue manager can call it on every turn: the exact rules run
first, then a small linear model (`learned.py`, trained on the annotated utterances) decides intent
and follow-up from the characters, the slots found and the rules' own verdict.
"""

from __future__ import annotations

import re
from typing import Sequence

from knowledge_base.normalize import normalize_text

from assistant.models import Intent
from assistant.nlu import learned, slot_model
from assistant.nlu.intents import classify
from assistant.nlu.lexicon import Lexicon, lexicon
from assistant.nlu.models import Slots, Understanding
from assistant.nlu.slots import Found, extract_all

_PUNCT = re.compile(r"[\s,.!?;:、。！？；：…~\-\"'“”‘’()（）【】《》]+")
_CLAUSE_BREAK = re.compile(r"[,，;；。!！?？]")
_NO_FOLLOWUP: set[str] = {"greeting", "thanks", "human", "reset", "out_of_scope"}
_AMOUNT_ONLY = {"amount", "uncovered_amount", "amount_scope"}
# Spaces separate fields in operator shorthand ("一万二 二级医院"); normalize_text drops spaces
# between CJK characters, so they become commas first (except inside Latin words: "thank you").
_SPACE_SEPARATOR = re.compile(r"(?<![A-Za-z])\s+|\s+(?![A-Za-z])")
# ...but a space between a number and its unit ("7000 亿元", "2000 年") is just a space.
_SPACE_BEFORE_UNIT = re.compile(r"(?<=\d)\s+(?=[万千百亿元块年月日岁次天号个种%])")


def prepare(text: str, lex: Lexicon) -> str:
    """The form every rule reads: masking placeholders dropped, spaces as separators, normalised,
    common typos fixed, dialect question words standardised."""
    text = lex.strip_masks(text).strip()
    text = _SPACE_SEPARATOR.sub(",", _SPACE_BEFORE_UNIT.sub("", text))
    return lex.standardise_dialect(lex.fix_typos(normalize_text(text))).strip(",")


def _strip_courtesy(text: str, lex: Lexicon) -> str:
    """Drop leading greetings/thanks ("谢谢 那二级医院呢") so the follow-up marker is seen."""
    while True:
        text = _PUNCT.sub("", text[:1]) + text[1:] if text[:1] and _PUNCT.fullmatch(text[:1]) else text
        h = lex.thanks.first(text) or lex.greeting.first(text)
        if not h or h.start != 0:
            return text
        text = text[h.end :]


def turns_to_other(text: str, lex: Lexicon) -> bool:
    """"那我妈呢，65了，家里穷…": the first clause turns to someone or something else (a follow-up
    start word … 呢) and the clauses after it only add facts about it — a follow-up by its form,
    however long the message."""
    conf = lex.followup
    head = _PUNCT.sub("", _CLAUSE_BREAK.split(_strip_courtesy(text, lex), maxsplit=1)[0])
    starts = any(head.startswith(w) for w in conf["starts"]) and not any(head.startswith(w) for w in conf["not_starts"])
    return starts and any(head.endswith(w) for w in conf["ends"]) and len(head) <= conf["max_len_with_start"]


def is_followup(text: str, intent: Intent, lex: Lexicon, found: Found) -> bool:
    """A message that only makes sense against the previous turn: starts with 那/如果/换成…
    and is short, ends in 呢, or consists of slot words alone ("二档", "学生")."""
    if intent in _NO_FOLLOWUP:
        return False
    conf = lex.followup
    body = _PUNCT.sub("", _strip_courtesy(text, lex))
    if not body:
        return False
    starts = any(body.startswith(w) for w in conf["starts"]) and not any(
        body.startswith(w) for w in conf["not_starts"]
    )
    ends = any(body.endswith(w) for w in conf["ends"])
    if starts and (ends or len(body) <= conf["max_len_with_start"]):
        return True
    if turns_to_other(text, lex):
        return True
    end_limit = conf["max_len_with_end_and_topic"] if "topic" in found.values else conf["max_len_with_end"]
    if ends and len(body) <= end_limit:
        return True
    return slot_words_only(text, intent, lex, found)


def slot_words_only(text: str, intent: Intent, lex: Lexicon, found: Found) -> bool:
    """"学生", "二档", "我是学生": slot words alone (and a few fillers) say nothing of their own, so
    they can only change the previous question — a fact of form the learned head does not overrule
    (annotators, seeing the message without its conversation, label a bare fact a statement)."""
    conf = lex.followup
    body = _PUNCT.sub("", _strip_courtesy(text, lex))
    # Operator shorthand ("2w 三甲 住院 渝北") is all slots too, but a complete new estimate; only a
    # bare amount ("2万") is a follow-up among estimates.
    if (intent == "estimate" and set(found.values) - _AMOUNT_ONLY) or "topic" in found.values or not found.values:
        return False
    residual = list(text)
    for start, end in found.spans:
        residual[start:end] = " " * (end - start)
    rest = _PUNCT.sub("", "".join(residual))
    for w in sorted(conf["slot_only_fillers"], key=len, reverse=True):
        rest = rest.replace(w, "")
    return not rest and len(body) <= conf["max_len_slot_only"]


def _read(text: str, known_regions: Sequence[str]) -> tuple[str, Found, Intent, float, bool]:
    """The exact part: prepared text, slots, and the cue rules' intent and follow-up flag."""
    lex = lexicon()
    query = prepare(text, lex)
    found = extract_all(query, lex, known_regions)
    intent, confidence = classify(query, lex, found)
    return query, found, intent, confidence, is_followup(query, intent, lex, found)


def read_slots(text: str, known_regions: Sequence[str] = ()) -> tuple[str, dict[str, object], frozenset[str]]:
    """(prepared text, the exact extractors' slot values, the slots the heads may not clear): what
    the learned slot heads read, shared by training (`assistant.nlu.slot_train`) and `parse`."""
    query, found, *_ = _read(text, known_regions)
    return query, dict(found.values), slot_model.protected_slots(found.values, found.marked)


def slot_coverage(query: str, found: Found) -> float:
    """The share of the message's characters (punctuation aside) inside a span read as a slot."""
    covered = [False] * len(query)
    for start, end in found.spans:
        covered[start:end] = [True] * (end - start)
    chars = [c for c, ch in zip(covered, query) if not _PUNCT.fullmatch(ch)]
    return sum(chars) / len(chars) if chars else 0.0


def _unread(query: str, found: Found) -> str:
    """The message with every span read as a slot blanked ("转诊手续没办": 手续 is the referral's)."""
    chars = list(query)
    for start, end in found.spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _unread_request(query: str, found: Found) -> str:
    """The unread part of the message where a word could ask for something: with a sum paid after
    reimbursement told, the words saying it came after (补偿后, 报完) are that sum's, not a request
    ("基本医保和大病保险补偿后个人自付八万" tells; it asks for no 补偿)."""
    rest = _unread(query, found)
    if "self_paid_remainder" in found.values:
        for word in sorted(lexicon().amount_conf["remainder_after"], key=len, reverse=True):
            rest = rest.replace(word, " " * len(word))
    return rest


def rule_reading(text: str, known_regions: Sequence[str] = ()) -> tuple[str, list[str], str, bool, bool, float]:
    """What the learned model reads besides the characters: (prepared text, slot names found, rule
    intent, rule follow-up flag, question form, slot coverage). Training and `parse` share it, so
    features match."""
    query, found, intent, _, followup = _read(text, known_regions)
    return query, list(found.values), intent, followup, asks(query), slot_coverage(query, found)


def _revise_fuzzy_slots(query: str, found: Found) -> None:
    """Let the learned slot heads (`slot_model.py`) fill or change a fuzzy slot where they are
    confident; the evidence says the value was learned, so it can be shown and corrected."""
    model = slot_model.load()
    if model is None:
        return
    for slot, (value, p) in model.revise(query, found.values, protected=slot_model.protected_slots(found.values, found.marked)).items():
        if slot == "person_category" and value is not None and not _fits_stated_age(value, found):
            continue  # "我十多岁" is no 老年人, whatever the words resemble: the age is exact data
        if value is None:
            found.values.pop(slot, None)
            found.evidence.pop(slot, None)
        else:
            found.values[slot] = value
            found.evidence[slot] = f"{query}（学习模型 {p:.2f}）"


def _fits_stated_age(category: str, found: Found) -> bool:
    """Whether a person category agrees with the age read (an approximate age, "十多岁", spans the
    ten years from its lower bound). Only the age-bound categories are checked."""
    from assistant.facts import category_for_age

    age = found.values.get("age")
    if age is None or category not in ("child", "adult", "elderly"):
        return True
    approximate = "约数" in found.evidence.get("age", "")
    return category in {category_for_age(a) for a in range(int(age), int(age) + (10 if approximate else 1))}


_TELLING = ("statement", "correction")
# Operating points of the two corrections of the learned intent (chosen on the dialogue dev
# utterances, where neither changes any intent): the model's P(policy_question) at or above which a
# message the lexicon calls out of scope is a policy question, and below which a question-less
# message of facts is read as a statement. Release 18: a message telling a sum (a bill, what is left
# to pay, a wage) and asking nothing is read as a statement up to 0.97 — the retrained model put
# "住院报完基本医保和大病保险，自己还要出一万二" at 0.92–0.96; a question-less message without a sum
# ("建档立卡贫困人口参保率", a terse search) keeps 0.9 (0.97 for every message lost 48 dev answers).
# Measured in docs/BENCHMARKS.md, release 18.
OVERRULE_OUT_OF_SCOPE = 0.5
STATEMENT_OVERRULED_BELOW = 0.9
STATEMENT_WITH_SUM_OVERRULED_BELOW = 0.97
_SUMS = frozenset({"amount", "uncovered_amount", "self_paid_remainder", "ytd_reimbursed", "wage",
                   "local_avg_wage", "contribution_amount"})


def asks(query: str) -> bool:
    """The message has the form of a question (lexicon `question_forms`)."""
    return bool(lexicon().question_form.search(query))


def requests_computation(query: str) -> bool:
    """The message asks to have a figure worked out ("帮我算下", "核一下") without the form of a
    question, and names no other insurance: a fact of form, like the question form — the learned
    intent has few such messages."""
    lex = lexicon()
    if lex.compute_requests is None or lex.compute_requests.search(query) is None:
        return False
    request = lex.request_softeners.sub("", query) if lex.request_softeners is not None else query
    if asks(request):
        return False  # "你能帮我算住院报销吗" asks whether and how; "帮我算下嘛" ends on a softener only
    return lex.out_of_scope.first(query) is None and lex.other_insurance.first(query) is None


def corrects(query: str) -> bool:
    """The message begins by taking back what was said (lexicon `correction_leads`: 不对, 说错了…) and
    the rest asks nothing. The leads are left out of the question-form test: "不对不对" has the
    A-not-A form of a question (对不对) but takes something back."""
    leads = lexicon().correction_leads
    if leads is None:
        return False
    rest, seen = query.strip(), False
    while (m := leads.match(rest)) is not None and m.end() > 0:
        rest, seen = rest[m.end():].lstrip("，,、 ！!。"), True
    return seen and bool(rest) and not asks(rest)


def parse(text: str, known_regions: Sequence[str] = ()) -> Understanding:
    """Understand one message. `known_regions` are the library's region names (canonical form).

    Slots come from the exact extractors; intent and the follow-up flag from the model trained on
    the annotated utterances (`learned.py`), which weighs the cue rules' verdict as one feature.
    Without a trained artefact the rules decide alone."""
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    query, found, intent, confidence, followup = _read(text, known_regions)
    model = learned.load()
    if model is not None and intent == "out_of_scope":
        # The lexicon names another insurance or topic (工伤, 养老, 失业…) and no medical-insurance
        # word: out of scope unless the model, which weighs that verdict as a feature, is confident
        # the message asks a policy question all the same — the library's reports do discuss the
        # other insurances ("广东失业保险参保人数珠三角占几成"). The judge then answers or refuses.
        tokens = learned.features(query, list(found.values), intent, followup, asks(query),
                                  slot_coverage(query, found))
        predicted, p, followup, _ = model.predict(tokens)
        if predicted == "policy_question" and p >= OVERRULE_OUT_OF_SCOPE:
            intent, confidence = "policy_question", p
    elif model is not None:
        tokens = learned.features(query, list(found.values), intent, followup, asks(query),
                                  slot_coverage(query, found))
        predicted, p, followup, _ = model.predict(tokens)
        # Where the rules found nothing to go on (confidence 0.3) the model's guess stays doubtful.
        confidence = min(p, confidence) if predicted == intent or confidence < 0.5 else p
        # A message in the form of a question (吗, 怎么, 多少, ？…) asks something: it is not a
        # statement of context or a correction, whatever its words resemble — a fact of form.
        if not (predicted in _TELLING and asks(query)):
            intent = predicted  # type: ignore[assignment]
        # ...and the mirror: a message with no question form, no topic and no word asking for a
        # benefit or information that only names facts ("在县外三级医院住院，转诊手续没办",
        # "湖北，城镇职工医保") tells context; a follow-up ("二档") still re-asks the last question.
        # Terms typed apart by spaces ("冒名 住院", "门诊统筹 就诊率 下降") are a search, not a telling —
        # unless every term is a fact ("市内县外三级 没转诊": where and how the stay was).
        # The model's confident question ("桂阳特殊病种门诊管理办法文号": a region and a topic noun
        # the slots do not read) is not overruled by this reading of form.
        # (`p` is then the model's P(policy_question): the intent is its prediction.)
        below = STATEMENT_WITH_SUM_OVERRULED_BELOW if _SUMS & set(found.values) else STATEMENT_OVERRULED_BELOW
        if (intent == "policy_question" and p < below and found.values
                and "topic" not in found.values and not followup
                and not (lexicon().keyword_search.fullmatch(text.strip()) and _unread(query, found).strip(" ,，"))
                and not asks(query) and not lexicon().request_words.first(_unread_request(query, found))
                and "amount_unparsed" not in found.evidence):  # a vague bill ("小两万") is asked about
            intent = "statement"
        if intent not in ("estimate", "contribution") and "topic" not in found.values and requests_computation(query):
            intent = "estimate"  # "那你帮我算下嘛": asking for the figure (lexicon `compute_requests`)
        if intent != "correction" and found.values and corrects(query):
            intent = "correction"  # "不对不对，我们交的是二档": taken back and told again (lexicon `correction_leads`)
    if intent not in _NO_FOLLOWUP and (turns_to_other(query, lexicon()) or slot_words_only(query, intent, lexicon(), found)):
        followup = True  # facts of form, like the question form above: "那我妈呢，65了，…", "学生"
    _revise_fuzzy_slots(query, found)
    if intent == "out_of_scope":
        found = Found()  # its facts (交多少, 一年, 退休) are about another insurance, not this one
    if intent in _NO_FOLLOWUP:
        followup = False
    return Understanding(
        intent=intent,
        confidence=round(confidence, 3),
        slots=Slots(**found.values),
        query=query,
        evidence=found.evidence,
        is_followup=followup,
    )
