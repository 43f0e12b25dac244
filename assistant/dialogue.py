"""Dialogue state transitions: how one understood message updates the conversation.

Pure functions over `DialogueState`, so the rules (pending answers, follow-ups, carry-over) are unit
tested without a knowledge base. The service decides what to answer; this decides what was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.clarify import SERVICE_LABELS, SlotQuestion, question_for
from assistant.facts import PATIENT_YEAR_SLOTS, TOPIC_SLOTS, Fact, infer, tier_for_contribution
from assistant.nlu.models import Understanding
from assistant.nlu.slots import DENIED_FIGURE
from assistant.state import DialogueState

SUBSTANTIVE = {"policy_question", "estimate", "contribution"}
# Money slots a bare amount fills when the question asked for it.
_AMOUNT_SLOTS = {"amount", "uncovered_amount", "ytd_reimbursed", "local_avg_wage", "wage", "prior_reimbursed", "carryover"}
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
    asked_as: str | None = None  # the message's own intent, when the conversation reads it as another
    # The user's own words of the question (the message as typed, not the NLU's standardised form):
    # what the knowledge base's learned judge was trained and calibrated on. Empty = use `query`.
    words: str = ""
    # Where the reply goes ("web", "wechat", "cli"…): a WeChat reply offers fewer related rules.
    channel: str = "web"


def _json_safe(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def new_slots(understanding: Understanding) -> dict[str, Any]:
    """The slots this message set (None = not mentioned), JSON-safe."""
    slots = {k: _json_safe(v) for k, v in understanding.slots.model_dump().items() if v is not None}
    slots.pop("care_place", None)  # read by `place_of_care`, never remembered
    return slots


def place_of_care(state: DialogueState, understanding: Understanding, slots: dict[str, Any]) -> dict[str, Any]:
    """"在成都住的院" after "我是岳池县的": a place named only as where care happened is not a new
    insured region; the remembered region stays and the care is out of area (unless the message
    says otherwise, or one place lies inside the other)."""
    place = understanding.slots.care_place
    known = state.facts.get("region")
    # The place is the message's region ("在成都住的院"), or a workplace where care happened and no
    # region at all ("在东莞打工，在这边住了院").
    if not place or known is None or slots.get("region") not in (place, None) or known.value == place:
        return slots
    from assistant.nlu.regions import same_area

    slots = {k: v for k, v in slots.items() if k != "region"}
    if not same_area(place, str(known.value)):
        slots.setdefault("out_of_area", True)
        if slots.get("out_of_area") is True and "out_of_city" not in slots:
            outside = outside_city(place, str(known.value))
            if outside is not None:
                slots["out_of_city"] = outside
    return slots


def outside_city(place: str, insured: str) -> bool | None:
    """Whether care in `place` is outside the city of the insured region (a county's prefecture-level
    city, or the region itself when it is a city or a municipality/province), through the knowledge
    base's gazetteer: 东莞 for 重庆 is 市外, 成都 for 岳池县 (广安市) too. None when the gazetteer does
    not know the insured region's city."""
    from knowledge_base.lexicon import place_gazetteer

    gaz = place_gazetteer()
    entry = gaz.places.get(gaz.canonical(insured))
    if entry is None:
        return None
    scope = entry.name
    if entry.level == "county":
        parents = gaz.ancestors(entry.name)
        if not parents:
            return None
        scope = parents[0]
    return not gaz.related(place, scope)


def specific_outpatient(state: DialogueState, understanding: Understanding, slots: dict[str, Any]) -> dict[str, Any]:
    """A bare outpatient word (门诊, 拿药: lexicon `service.generic_outpatient`) about a patient whose
    chronic or major disease was told in an earlier turn is that disease's outpatient service — the
    NLU's own reading within one message (糖尿病 + 拿药 = 慢病门诊), carried across turns."""
    from assistant.nlu.lexicon import lexicon

    said = understanding.evidence.get("service")
    conf = lexicon().service_conf
    if slots.get("service") == "chronic_outpatient" and said in conf.get("unspecified_special", []):
        # "特殊门诊" after "办了特殊大病门诊": the short name of the special outpatient already told.
        if state.slots.get("service") == "major_disease_outpatient" or state.slots.get("major_disease") is True:
            return {**slots, "service": "major_disease_outpatient"}
        return slots
    if slots.get("service") != "general_outpatient":
        return slots
    if said not in conf["generic_outpatient"]:
        return slots
    if state.slots.get("service") in ("chronic_outpatient", "major_disease_outpatient"):
        # "门诊费1500" after "慢病门诊": the outpatient care of the special kind already told.
        service = state.slots["service"]
    elif state.slots.get("major_disease") is True:
        service = "major_disease_outpatient"
    elif state.slots.get("chronic_disease_count"):
        service = "chronic_outpatient"
    else:
        return slots
    return {**slots, "service": service}


def _label(slot: str, value: Any) -> str:
    return _LABELS.get(slot, {}).get(value, str(value))


def rewrite_query(last_query: str, old_evidence: dict[str, str], changed: dict[str, Any],
                  new_evidence: dict[str, str]) -> str:
    """The last question with the changed slots' words swapped in ("一级医院" -> "二级医院", "起付线"
    -> "报销比例"), or appended when the last question did not mention them."""
    query = last_query
    for slot, value in changed.items():
        if slot == "topic" and not new_evidence.get("topic"):
            continue  # a topic is swapped only by the words that named it ("那报销比例呢" after 起付线)
        new_words = new_evidence.get(slot) or _label(slot, value)
        old_words = old_evidence.get(slot)
        if old_words and old_words in query:
            query = query.replace(old_words, new_words)
        elif new_words not in query:
            query = f"{query} {new_words}".strip()
    return query


def is_follow_up(message: str, understanding: Understanding, state: DialogueState) -> bool:
    """The NLU's follow-up judgement ("那二级医院呢？", "如果是学生呢？", "换成二档" — learned from the
    annotated utterances), taken when there is a previous question to follow and the message
    changes something in it. A premium question with a topic of its own after a benefit question,
    or the reverse ("那2010年我要交好多钱" after an estimate), is that new question however it opens: a
    premium is no variant of a reimbursement (a what-if about the same stay — "那如果办了转诊手续呢" —
    is)."""
    fresh = new_slots(understanding)
    own_question = (understanding.intent in SUBSTANTIVE and understanding.intent != state.last_intent
                    and "contribution" in (understanding.intent, state.last_intent) and "topic" in fresh)
    if state.last_intent not in SUBSTANTIVE or not fresh or own_question:
        return False
    return understanding.is_followup or supplies_context(message, understanding, fresh)


# What a message says about one person: not kept from a message describing several (household_members).
_ONE_PERSON = frozenset({"age", "person_category", "poverty", "low_income"})


# Who and where: a question naming only these asks nothing of its own.
_CONTEXT_SLOTS = frozenset({"region", "scheme", "tier", "year", "person_category", "age", "retired", "poverty",
                            "low_income"})


def supplies_context(message: str, understanding: Understanding, fresh: dict[str, Any]) -> bool:
    """"重庆嘅，咁可以报几多" after "普通门诊一年可以报几多钱": a short question asking an amount that
    names only who or where (region, scheme, tier, the person) and nothing it asks about — no
    service, bill, place or topic — can only ask the previous question again for them, however it
    opens (the learned follow-up head knows 那…呢, not every dialect's connective)."""
    from assistant.nlu.lexicon import lexicon
    from knowledge_base.search.rerank import asks_amount

    limit = lexicon().followup["max_len_context_only"]
    return (understanding.intent in ("policy_question", "estimate") and set(fresh) <= _CONTEXT_SLOTS
            and len(re.sub(r"\W", "", message)) <= limit and asks_amount(understanding.query or message))


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


def _adopt_plain_slots(state: DialogueState) -> None:
    """A state saved before facts existed (or built by hand) keeps its slots as said facts."""
    for slot, value in state.slots.items():
        if slot not in state.facts:
            state.facts[slot] = Fact(value=value, origin="said", turn=max(state.turns - 1, 0))


def tell(state: DialogueState, slots: dict[str, Any], evidence: dict[str, str], answered: bool = False) -> dict[str, Any]:
    """Record what the user said this turn (a said fact replaces an inferred one and any earlier
    value), infer the slots it implies, and return what changed."""
    changed = {}
    for slot, value in slots.items():
        old = state.facts.get(slot)
        if old is None or old.value != value or old.origin != "said":
            changed[slot] = value
        state.facts[slot] = Fact(value=value, origin="said", turn=state.turns, answered=answered)
    if "contribution_amount" in slots and "tier" not in slots and _premium_moves_tier(state, slots["contribution_amount"]):
        state.facts.pop("tier", None)  # a new premium re-derives the tier
    if "age" in slots and "person_category" not in slots and state.facts.get("person_category", Fact(value=None)).origin != "said":
        state.facts.pop("person_category", None)
    infer(state.facts, state.turns)
    state.evidence.update(evidence)
    state.sync_slots()
    return changed


def _premium_moves_tier(state: DialogueState, amount: Any) -> bool:
    """Whether a premium told now decides the tier: always over an inferred tier; over a tier the
    user said earlier only when the premium is exactly another tier's in the region's table ("一档"
    … "哦说错了，我们去年交的是150那个" — the later, more concrete statement wins, as any later said
    value does). A premium no table holds leaves a said tier alone."""
    current = state.facts.get("tier")
    if current is None or current.origin != "said":
        return True
    region = state.facts["region"].value if "region" in state.facts else None
    tier = tier_for_contribution(amount, region)
    return tier is not None and tier != current.value


# The bill of a case: a question that gives only these adds to the case already told.
_BILL_SLOTS = frozenset({"amount", "uncovered_amount", "amount_scope", "ytd_reimbursed"})


def new_topic_facts(state: DialogueState, fresh: dict[str, Any]) -> set[str]:
    """The topic facts of this message that the case told so far does not already hold: "异地的咋个报"
    after "在成都打工，在那边住院" repeats the case's out-of-area fact, it names no new topic."""
    topical = TOPIC_SLOTS | PATIENT_YEAR_SLOTS
    return {s for s in fresh if s in topical and (s not in state.facts or state.facts[s].value != fresh[s])}


def continues_case(intent: str, fresh: dict[str, Any], state: DialogueState) -> bool:
    """An estimate whose message names no topic fact but the bill (a cost, a 自费 part — "里头有两千是
    自费药" —, or nothing: "岳池县的，能报好多") and no service, place, referral or topic is about the
    case the user has been describing, not a new one. A topic fact the case already holds is none of
    its own ("县外的咋算，报好多" after the out-of-area stay was told), as for `asks_for_told_case`.
    Nor is the kind of care, right after a question about a rule figure every estimate states (lexicon
    `topic.estimate_terms`) for a case no kind of care was told for: "市内县外三级 未转诊 起付线怎么算"
    then "住院2万 报多少" prices that case."""
    own = new_topic_facts(state, fresh)
    if "service" in own and "service" not in state.facts and _asked_estimate_term(state):
        own.discard("service")
    return intent == "estimate" and own <= _BILL_SLOTS


def _asked_estimate_term(state: DialogueState) -> bool:
    from assistant.nlu.lexicon import lexicon

    topic = state.facts.get("topic")
    return state.last_intent == "policy_question" and topic is not None and topic.value in lexicon().estimate_terms


# The bill of a case told as context: what an estimate computes from.
_CASE_BILLS = ("amount", "self_paid_remainder", "uncovered_amount")


# The facts an estimate's figure is computed from that leave its topic as it is: the bill, what was
# already reimbursed, the hospital's level, the tier (or the premium that fixes it).
_ESTIMATE_FIGURES = frozenset({"amount", "uncovered_amount", "ytd_reimbursed", "hospital_level", "tier",
                               "contribution_amount"})


def corrects_estimate(state: DialogueState, fresh: dict[str, Any], changed: dict[str, Any]) -> bool:
    """A statement after an estimate, telling nothing but figures that estimate is computed from and
    changing at least one ("具体是11500", "其实是三级医院", "今年已经报了3万了"), makes that same case
    exact: it asks for the estimate again. A statement naming anything else (a place, a person, a
    kind of care) may begin another case and stays context — unless it repeats what the case already
    holds: "住的是二级医院" names the stay the estimate was of, and changes only the level."""
    if state.last_intent != "estimate" or not state.last_query or not fresh:
        return False
    beyond = set(fresh) - _ESTIMATE_FIGURES - {"amount_scope"}
    return not (beyond & set(changed)) and bool(set(changed) & _ESTIMATE_FIGURES)


def asks_for_told_case(state: DialogueState, understanding: Understanding, fresh: dict[str, Any]) -> bool:
    """"能报好多钱嘛" after "我老汉在县医院住了半个月院，花了三万块" (told, not asked): a question
    that asks an amount and brings no topic of its own, while a bill was told since the last
    question, asks what that case is reimbursed — the estimate of the case told so far. A topic fact
    the case already holds is no topic of its own ("异地的咋个报，能报好多" after the out-of-area stay
    was told). A bill told with an earlier question is that question's and does not count (it was
    answered then), unless that question was an estimate and the message adds no topic to it
    ("医保还能再补好多" re-asks it; "学生报好多" asks it again for the person now named). A rule figure
    every estimate states (lexicon `topic.estimate_terms`: 起付线, 报销比例) is no topic of its own."""
    from assistant.nlu.lexicon import lexicon
    from knowledge_base.search.rerank import asks_amount

    if understanding.intent != "policy_question":
        return False
    own_topics = new_topic_facts(state, fresh)
    term_said = understanding.evidence.get("topic")
    if fresh.get("topic") in lexicon().estimate_terms and term_said:
        # "起付线好多，能报好多": a figure the estimate states anyway, beside a part of the question
        # that asks the amount ("那个门槛费是多少" alone asks the rule's figure).
        beside = [part for part in re.split(r"[，,、；;。！!？?\s]+", understanding.query) if part and term_said not in part]
        if not any(asks_amount(part) for part in beside):
            return False
        own_topics.discard("topic")
    if fresh.get("topic") == "封顶线" and _asks_case_cap(understanding.query):
        own_topics.discard("topic")
    if own_topics:
        return False
    told = [state.facts[s] for s in _CASE_BILLS if s in state.facts]
    recent = any(f.turn > state.question_turn for f in told) or (bool(told) and state.last_intent == "estimate")
    return recent and asks_amount(understanding.query)


def _asks_case_cap(query: str) -> bool:
    """"最多能报好多" (at most reimbursed, no period named): of a told bill it asks that bill's
    reimbursement, which the cap limits — the estimate shows the cap it hit. "一年最多能报好多" or
    "封顶线多少" ask the cap as a rule (lexicon `topic.case_cap_asks`, `topic.cap_periods`)."""
    from assistant.nlu.lexicon import lexicon

    lex = lexicon()
    return bool(lex.case_cap_asks.find(query)) and not lex.cap_periods.find(query)


# Money facts a bare corrected figure may be about (a premium too: "不对，是150" after "交的60").
_CORRECTABLE_AMOUNTS = _AMOUNT_SLOTS | {"contribution_amount"}


def corrected_amount(state: DialogueState, fresh: dict[str, Any]) -> dict[str, Any]:
    """"不对，是五万五" after "社平工资五万左右": a bare amount in a correction replaces the money fact
    told last (the average wage, a premium, what was already reimbursed), not the cost of care — unless
    the cost is that fact."""
    if set(fresh) != {"amount"}:
        return fresh
    told = [(f.turn, slot) for slot, f in state.facts.items() if slot in _CORRECTABLE_AMOUNTS and f.origin == "said"]
    if not told:
        return fresh
    _turn, slot = max(told)
    return fresh if slot == "amount" else {slot: fresh["amount"]}


# A number denied beside the one meant: "不是2万，是2千", "我妈是74不是72", "交的是60不是150".
_DENIAL = DENIED_FIGURE  # one list of denial words, with the parser's (`slots.DENIED_FIGURE`)
_ASSERT = re.compile(r"^[^,，。；;]{0,4}?(?:而|其实|应该)?(?:是|系|係)")
_NUMBER_FACTS = _CORRECTABLE_AMOUNTS | {"age", "year"}


def _as_number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).normalize()
    except ArithmeticError:
        return None


def denied_number(state: DialogueState, text: str) -> dict[str, Any]:
    """The fact a denied figure names, with the figure said instead: {slot: new value}, or {}.

    Which fact is meant is exact: the one whose remembered value is the denied figure ("我妈是74不是72"
    after "我妈72了" corrects the age, not a cost) — the words around the figures need not say it."""
    from assistant.nlu.numbers import find_numbers

    spans = [sp for sp in find_numbers(text) if sp.value is not None]
    for first, second in zip(spans, spans[1:]):
        if _DENIAL.search(text[: first.start].rstrip("，, ")) and _ASSERT.match(text[first.end : second.start].lstrip("元块岁，, ")):
            old, new = first.value, second.value  # 不是A，是B
        elif _DENIAL.search(text[first.end : second.start].lstrip("元块岁，, ").rstrip("，, ")):
            old, new = second.value, first.value  # 是B不是A
        else:
            continue
        for slot, fact in state.facts.items():
            if slot in _NUMBER_FACTS and _as_number(fact.value) == _as_number(old):
                if isinstance(fact.value, int):
                    return {slot: int(new)}
                return {slot: _json_safe(new.normalize() if new != new.to_integral_value() else new.quantize(Decimal(1)))}
    return {}


def names_other_patient(state: DialogueState, message: str) -> bool:
    """Whether this message is about another person than the case so far ("我爸…住院" then "我妈在乡镇
    卫生院住院花了三千"): one family word (lexicon `person.patients`) other than the one remembered.
    Remembers the person named; a message naming none or several changes nothing."""
    from assistant.nlu.lexicon import lexicon

    named = {h.value for h in lexicon().patients.find(message)}
    if len(named) != 1:
        return False
    (patient,) = named
    before, state.patient = state.patient, patient
    if before != patient:
        state.patient_turn = state.turns
    return before is not None and before != patient


def opens_new_question(message: str) -> bool:
    """"另外问一下，我屋头老的在镇卫生院住院…": the message says it changes the subject (lexicon
    `intent.new_question_leads`), so it neither follows up nor continues the case told before."""
    from assistant.nlu.lexicon import lexicon

    leads = lexicon().new_question_leads
    return leads is not None and leads.search(message.strip()) is not None


# What a premium is computed from, told about the payer: with one of these remembered, a question
# about paying (topic 缴费标准) asks the payer's own figure.
_PREMIUM_FACTS = ("wage", "local_avg_wage", "laid_off", "retired")


def asks_own_premium(state: DialogueState, intent: str, fresh: dict[str, Any]) -> bool:
    """"我的医保费按好多基数交" after "下岗了…社平工资三万六": a question about paying the premium
    (a contribution topic) from someone whose wage, average wage, lay-off or retirement is known asks
    what they pay — the contribution calculator's figure, with the clauses it rests on."""
    from assistant.nlu.lexicon import lexicon

    if intent != "policy_question" or fresh.get("topic") not in lexicon().contribution_topics:
        return False
    known = {**state.facts, **{k: None for k in fresh}}
    return any(slot in known for slot in _PREMIUM_FACTS)


def refers_to_case(state: DialogueState, message: str) -> bool:
    """"本县的医院，按这个算下报多少": the message points back at the case told (lexicon
    `intent.case_references`) while a bill of that case is remembered — an estimate of that case,
    with whatever the message adds to it."""
    from assistant.nlu.lexicon import lexicon

    pattern = lexicon().case_references
    return (pattern is not None and pattern.search(message) is not None
            and any(s in state.facts for s in _CASE_BILLS))


def _forget_person(state: DialogueState, keep: dict[str, Any]) -> None:
    """What was said of one person alone (`_ONE_PERSON`: age, category, 低保…) goes when another
    person is asked about, unless this message says it again."""
    _forget(state, [s for s in state.facts if s in _ONE_PERSON and s not in keep])


def _forget(state: DialogueState, slots: list[str]) -> None:
    """Remove told facts and their evidence, keeping the merged slots in step."""
    for slot in slots:
        del state.facts[slot]
        state.evidence.pop(slot, None)
    state.sync_slots()


def drop_topic(state: DialogueState, other_patient: bool = False) -> None:
    """A new question: the facts of the previous question's topic (its bill, out of area, service…)
    go, unless told after it or given as the answer to a clarifying question; who and where stay, and
    so does the patient's year (`PATIENT_YEAR_SLOTS`) unless the question is about another patient."""
    year = PATIENT_YEAR_SLOTS if other_patient else frozenset()
    _forget(state, [s for s, f in state.facts.items() if s in year or (s in TOPIC_SLOTS and f.turn <= state.question_turn
                                                                       and not f.answered)])


def _same_people_retold(state: DialogueState, fresh: dict[str, Any]) -> bool:
    """"我们两个一共交好多" after "我们老两口都是低保户，七十多了": the same number of people counted
    again with nothing told of them (plain adults, the parser's reading of a bare "我们两个") are the
    members already described, not new ones who lost their 低保 and ages."""
    told, new = state.slots.get("household_members"), fresh.get("household_members")
    if not told or not new:
        return False
    told, new = [_member_dict(m) for m in told], [_member_dict(m) for m in new]
    plain = all(m["category"] == "adult" and not m["low_income"] for m in new)
    return plain and sum(m["count"] for m in told) == sum(m["count"] for m in new)


def _member_dict(member: Any) -> dict[str, Any]:
    """A household member as remembered (a dict) or as parsed (`HouseholdMember`), as a dict."""
    return member if isinstance(member, dict) else member.model_dump()


def _joined(told: list[Any], added: list[Any]) -> list[dict[str, Any]]:
    """Two descriptions of household members as one, merged by (category, 低保) as the parser merges."""
    merged: dict[tuple[str, bool], int] = {}
    for member in [*told, *added]:
        m = _member_dict(member)
        key = (m["category"], bool(m["low_income"]))
        merged[key] = merged.get(key, 0) + int(m["count"])
    return [{"category": c, "low_income": low, "count": n} for (c, low), n in merged.items()]


def interpret(state: DialogueState, understanding: Understanding, message: str) -> Turn:
    """Decide intent, retrieval query and merged slots for this message; update `state` in place."""
    from knowledge_base.search.rerank import asks_amount

    _adopt_plain_slots(state)
    fresh = specific_outpatient(state, understanding, place_of_care(state, understanding, new_slots(understanding)))
    if _same_people_retold(state, fresh):
        fresh = {k: v for k, v in fresh.items() if k != "household_members"}
    elif "household_members" in fresh and state.slots.get("household_members"):
        from assistant.nlu.household import adds_to_household
        from assistant.nlu.lexicon import lexicon

        if adds_to_household(message.strip(), lexicon()):
            # "还有个娃儿读小学，一个三岁的幺儿" after "两口子都没上班": the household grows.
            fresh = {**fresh, "household_members": _joined(state.slots["household_members"],
                                                           fresh["household_members"])}
    if "household_members" in fresh:
        # "我35岁没工作，我妈65了是低保户，还有个4岁的娃儿": the one-person facts of a message describing
        # several people belong to nobody in particular — the members hold them, each with its own
        fresh = {k: v for k, v in fresh.items() if k not in _ONE_PERSON}
    if state.pending_slot:
        question = question_for(state.pending_slot, list(zip(state.pending_options, state.pending_values)))
        value = pending_value(message, understanding, question)
        derived = False
        if value is None and state.last_intent in SUBSTANTIVE:
            # "交的60块那个" answers "哪一档？" through the rule set's premium table.
            trial = state.model_copy(deep=True)
            tell(trial, fresh, {})
            value = trial.slots.get(state.pending_slot) if state.pending_slot not in state.slots else None
            derived = value is not None
        if value is not None and state.last_intent in SUBSTANTIVE:
            # A tier read off the premium stays inferred from it, so a later premium ("那要是交150那档呢")
            # derives the tier again; a tier said outright is the user's own.
            told = fresh if derived else {**fresh, state.pending_slot: value}
            tell(state, told, understanding.evidence, answered=True)
            state.pending_slot, state.pending_options, state.pending_values = None, [], []
            state.question_turn = state.turns
            return Turn(state.last_intent, state.last_query, dict(state.slots), answered_pending=True,
                        words=state.last_words)
    state.pending_slot, state.pending_options, state.pending_values = None, [], []

    denied = denied_number(state, understanding.query or message)
    if denied:
        # The figures of a denial fill the fact the denied one was, whatever the parser read them as.
        fresh = {k: v for k, v in fresh.items() if k not in _NUMBER_FACTS | {"amount_scope", "person_category"}} | denied
        said = {slot: str(value) for slot, value in denied.items()}
        understanding = understanding.model_copy(update={"intent": "correction", "evidence": {**understanding.evidence, **said}})
    elif understanding.intent == "correction":
        fresh = corrected_amount(state, fresh)
    new_subject = opens_new_question(message)
    switched = names_other_patient(state, message)
    if understanding.intent == "correction" or (is_follow_up(message, understanding, state) and not new_subject):
        old_evidence = dict(state.evidence)
        if switched:
            # "那我自己呢，四十八了，没得工作" after the mother's 低保 premium: the question is asked again
            # for another person, and what was said of the first one alone is not theirs.
            _forget_person(state, keep=fresh)
        changed = tell(state, fresh, understanding.evidence)
        if state.last_intent in SUBSTANTIVE and state.last_query and changed:
            # "不对，是二档" / "那二级医院呢": the last question again, with the changed words swapped in.
            state.last_query = rewrite_query(state.last_query, old_evidence, changed, understanding.evidence)
            state.last_words = ""  # a rewritten question has no words of the user's own: the query stands
            intent = state.last_intent
            if understanding.intent == "estimate" and "amount" in fresh:
                intent = "estimate"  # "那3万呢" after a policy question is a request to compute
            state.last_intent = intent
            state.question_turn = state.turns
            return Turn(intent, state.last_query, dict(state.slots), follow_up=True)
        if understanding.intent == "correction":
            return Turn("correction", message, dict(state.slots))

    if understanding.intent == "statement":
        if switched:  # "我妈也住院了" after "我爸今年报了六万": not his year
            for slot in PATIENT_YEAR_SLOTS:
                state.facts.pop(slot, None)
                state.evidence.pop(slot, None)
        if new_subject:
            # "算了，换个问题。我妈在乡镇卫生院住院花了两千": a case told as a new subject starts
            # afresh — the last question's 县外/未转诊 are not this stay's.
            state.facts.pop("topic", None)
            drop_topic(state, other_patient=switched)
        changed = tell(state, fresh, understanding.evidence)
        if corrects_estimate(state, fresh, changed):
            # "具体是11500，县医院是二级的" after an estimate from "花了一万多": the same case with its
            # figures made exact — the estimate again, from them.
            state.question_turn = state.turns
            return Turn("estimate", state.last_query, dict(state.slots), follow_up=True)
        return Turn("statement", message, dict(state.slots))

    if understanding.intent not in SUBSTANTIVE:
        return Turn(understanding.intent, message, dict(state.slots))

    intent = understanding.intent
    if asks_own_premium(state, intent, fresh):
        intent = "contribution"
    told_case = not new_subject and (asks_for_told_case(state, understanding, fresh) or refers_to_case(state, message))
    if told_case:
        intent = "estimate"
    # A new question: who and where carry over, the old topic's facts do not — unless all it adds is
    # the bill ("花了四万，能报好多" after "在县外三级医院住院，转诊手续没办") or it asks about the case
    # told: that continues the case.
    # A question that tells nothing and names no topic ("那加起来一共能补好多钱" after "产检跟生娃儿有补助没得")
    # asks on about the last question's subject: its kind of care and case stay (the annotators: 7 of 7).
    # So does one that only repeats what is known ("那低保户降低以后是多少" after the 低保 household's 大病保险
    # 起付线): asking an amount, it asks the last topic's figure again; otherwise the topic is its own.
    asks_on = (intent == "policy_question" and state.last_intent in SUBSTANTIVE
               and all(k in state.facts and state.facts[k].value == v for k, v in fresh.items()))
    if switched or new_subject or (not told_case and not asks_on and not continues_case(intent, fresh, state)):
        state.facts.pop("topic", None)
        drop_topic(state, other_patient=switched)
    elif asks_on and not (fresh and asks_amount(understanding.query)):
        state.facts.pop("topic", None)  # the last question's topic is not this one's
    tell(state, fresh, understanding.evidence)
    state.last_intent = intent
    state.last_query = understanding.query or message
    state.last_words = message
    if intent != "contribution" and fresh.get("topic") != "缴费标准" and "contribution_amount" in fresh:
        state.last_query = premium_as_tier(state.last_query, understanding.evidence, state.slots.get("tier"))
        state.last_words = premium_as_tier(message, understanding.evidence, state.slots.get("tier"))
    told_service = state.facts.get("service")
    if "service" not in fresh and told_service is not None and not told_case:
        # "一年能报好多钱" after "平时感冒就看个门诊": the kind of care told as context is what the
        # question is about, so the search reads it (the message alone names no topic).
        label = SERVICE_LABELS.get(told_service.value)
        if label and label not in message:
            state.last_query, state.last_words = label + state.last_query, label + message
    state.question_turn = state.turns
    return Turn(intent, state.last_query, dict(state.slots),
                asked_as=understanding.intent if intent != understanding.intent else None, words=state.last_words)


def premium_as_tier(text: str, evidence: dict[str, str], tier: Any) -> str:
    """"交的60块那个，一年最多报好多": the part that tells the premium only says which tier; for a
    question about benefits the search reads the tier ("一档，一年最多报好多"), not a 60 that would
    draw the premium clause. The part holding the question's own topic stays as typed."""
    said, label = evidence.get("contribution_amount"), _LABELS["tier"].get(tier)
    if not said or not label:
        return text
    topic = evidence.get("topic", "")
    parts = re.split(r"([，,；;。\s]+)", text)
    for k, part in enumerate(parts):
        if said in part and not (topic and topic in part):
            parts[k] = label
            return "".join(parts)
    return text


def ask_pending(state: DialogueState, question: SlotQuestion) -> None:
    """Remember which slot the clarifying question fills, so the next message can answer it."""
    state.pending_slot = question.slot
    state.pending_options = list(question.options)
    state.pending_values = list(question.values)
    state.asked.append(question.slot)
