"""The assistant: one message in, one grounded, cited reply out.

Orchestrates understanding → dialogue state → (retrieval + extractive composition | calculators) →
grounding check → optional LLM rewrite (grounded again) → renderings. Every collaborator is a
constructor parameter so tests can drive the same code with small fakes or the real stack.
"""

from __future__ import annotations

import copy
from decimal import Decimal
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant import canned
from assistant.clarify import SlotQuestion, question_for
from assistant.compose import (
    citation_for,
    compose_per_region,
    compose_per_scheme,
    compose_related,
    compose_single,
    quote_fallback,
)
from assistant.coverage import Outside, outside_rule_sets
from assistant.conflicts import find_conflict, find_scheme_conflict, for_scheme
from assistant.dialogue import Turn, ask_pending, interpret, new_slots
from assistant.facts import label as fact_label, remembered, summary, tier_for_contribution
from assistant.estimate_bridge import (
    CalculatorPort,
    PolicyInfo,
    build_contribution_request,
    conditional_contribution_request,
    build_relief_request,
    build_request,
    caps_request,
    step_citations,
    step_key,
    choose_policy,
    COMMON_CASES,
    common_case_request,
    IN_WORK_NOTE,
    in_work_request,
    doubtful_default,
    missing_slot_question,
    render_conditional_contribution,
    render_contribution,
    relief_services,
    render_caps,
    render_terms,
    render_estimate,
    render_relief,
    trace_text,
)
from assistant.grounding import check_grounding
from assistant.institutions import InstitutionRegions
from assistant.models import AssistantReply, Citation
from assistant.nlu.lexicon import lexicon
from assistant.nlu.models import Understanding
from assistant.nlu.numbers import mentions_date
from assistant.render import render_wechat
from assistant.retrieve import locate_quote, related_limit, retrieve
from assistant.select import query_terms
from assistant.session_store import SessionStore, SqliteSessionStore
from assistant.state import DialogueState

MAX_MESSAGE_CHARS = 500
_CANNED = {"greeting": canned.GREETING, "thanks": canned.THANKS, "human": canned.HUMAN,
           "out_of_scope": canned.OUT_OF_SCOPE}
# Intents the judge's direct answer overrules (see `Assistant._reread`).
_REREAD_WHEN_ANSWERED = frozenset({"out_of_scope", "human"})
# Facts a rule set's yearly cap depends on beyond the clause's own figure (the per-disease growth
# of a chronic-disease limit, a major-disease cap).
_CAP_FACTS = ("chronic_disease_count", "major_disease")
# ...and a fact that picks one of the clause's own figures (一档7万、二档11万): the rule set answers with
# it only when the clauses give no direct answer (the clause may say more: a newborn's cap is the mother's).
_CAP_CHOOSING_FACTS = ("tier",)
# Yes/no facts whose other value would bring in a rule of the rule set (`_rules_the_told_fact_avoids`),
# with where the calculators' request holds them.
_AVOIDING_FACTS: dict[str, tuple[str, ...]] = {"referral": ("referral",), "out_of_area": ("out_of_area",),
                                               "poverty": ("person", "poverty"), "low_income": ("person", "low_income"),
                                               "major_disease": ("person", "major_disease")}
# Request fields an estimate may do without when every value gives the same capped figure
# (`Assistant._capped_whatever`), with how the note names them.
_SETTLED_BY_CAP: dict[str, tuple[str, str]] = {"hospital_level": ("医院级别", "级别"), "tier": ("参保档次", "档次")}
# Rule figures a rule set's modifiers change (answered by `Assistant._rule_terms` when one applies).
_TERM_TOPICS = frozenset({"起付线", "报销比例"})
# The supplementary layer a rule set's `major_illness` stage computes (lexicon `scheme` value).
MAJOR_ILLNESS_LAYER = "大病保险"
_QUANTITY_WORDS = ("多少", "几元", "几块", "标准", "交多少", "缴多少", "金额")
# The period a premium question asks for: per month (每月交多少, 一个月扣好多) or per year (一年交多少).
_PER_MONTH = re.compile(r"每个?月|一个?月|月[交缴扣]|按月")
_PER_YEAR = re.compile(r"每年|一年|全年|年[交缴]")


def _cite_once(draft: Draft, citation: Citation) -> int:
    """The [n] of `citation`'s clause in the reply: the one it already cites, else added as the next."""
    for cited in draft.citations:
        if citation.chunk_id and cited.chunk_id == citation.chunk_id:
            return cited.n
    citation.n = len(draft.citations) + 1
    draft.citations.append(citation)
    return citation.n


def asked_period(query: str) -> bool | None:
    """True when the question asks a monthly figure, False a yearly one, None when it says neither."""
    month, year = _PER_MONTH.search(query), _PER_YEAR.search(query)
    if bool(month) == bool(year):
        return None
    return bool(month)


@dataclass
class Draft:
    """A reply before grounding: the text, what it cites and what its numbers may come from."""

    intent: str
    answer: str
    citations: list[Citation] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    clarification: SlotQuestion | None = None
    estimate: dict[str, Any] | None = None
    fallback: str | None = None  # the quote-only answer used if the check fails
    rewritable: bool = False  # an extractive policy answer the LLM may reword
    kind: str | None = None  # "related" when related rules are offered instead of an answer


def _before_last_line(answer: str, line: str) -> str:
    """`line` inserted before the answer's closing line (the calculators' disclaimer)."""
    parts = answer.rsplit("\n", 1)
    return f"{parts[0]}\n{line}\n{parts[1]}" if len(parts) == 2 else f"{answer}\n{line}"


def _policy_infos(policies: Any) -> list[PolicyInfo]:
    if policies is None:
        return []
    if isinstance(policies, CalculatorPort):
        return policies.policies
    items: Iterable[Any] = policies.values() if isinstance(policies, dict) else policies
    out = []
    for p in items:
        data = p if isinstance(p, dict) else (p.model_dump() if hasattr(p, "model_dump") else vars(p))
        out.append(PolicyInfo.model_validate(data))
    return out


def _institution_regions(kb: Any) -> InstitutionRegions:
    """Institutions the library names after their region, from its clauses (none for a stand-in kb)."""
    clauses = getattr(kb, "clauses", None)
    if not isinstance(clauses, (list, tuple)):
        return InstitutionRegions({})
    conf = lexicon().hospital_conf
    return InstitutionRegions.from_clauses(clauses, [*conf["ambiguous"], *conf["level1_facilities"],
                                                     *conf["level2_facilities"]])


def _facet_regions(kb: Any) -> list[str]:
    facets = getattr(kb, "facets", None)
    if facets is None:
        return []
    data = facets()
    regions = data.get("regions") if isinstance(data, dict) else getattr(data, "regions", None)
    if isinstance(regions, dict):
        return [str(r) for r in regions]
    return [r if isinstance(r, str) else str(getattr(r, "value", r)) for r in (regions or [])]


class Assistant:
    def __init__(self, kb: Any, policies: Any, store: SessionStore, nlu: Callable[..., Any] | None = None,
                 llm: Any = None, calculators: CalculatorPort | None = None,
                 max_message_chars: int = MAX_MESSAGE_CHARS) -> None:
        if nlu is None:
            from assistant.nlu import parse as nlu
        self.kb = kb
        self.store = store
        self.max_message_chars = max_message_chars  # the service passes MEDPOLICY_MAX_MESSAGE_CHARS
        self.nlu = nlu
        self.llm = llm
        if calculators is None:
            calculators = policies if isinstance(policies, CalculatorPort) else CalculatorPort.default()
        self.calculators = calculators
        kb_regions = _facet_regions(kb)
        self.policies = [_canonical_region(p, kb_regions) for p in (_policy_infos(policies) or calculators.policies)]
        self.known_regions = tuple(dict.fromkeys([*kb_regions, *(p.region for p in self.policies)]))
        self.library_regions = _library_regions(kb, self.policies) or self.known_regions
        self.institutions = _institution_regions(kb)

    @classmethod
    def create_default(cls, settings: Any = None, store: SessionStore | None = None) -> "Assistant":
        """The real stack: the built knowledge base, the bundled rule sets, a SQLite session file
        under the data directory (or the `store` given, e.g. the service's PostgreSQL one), the LLM
        rewriter only if configured; the message limit from the settings when they carry one."""
        from assistant.llm import LLMRewriter
        from knowledge_base.config import KBSettings
        from knowledge_base.service import KnowledgeBase

        settings = settings or KBSettings()
        kb = KnowledgeBase.open(settings)
        port = CalculatorPort.default()
        store = store or SqliteSessionStore(settings.data_dir / "assistant_sessions.sqlite3")
        return cls(kb, port, store, llm=LLMRewriter.from_env(), calculators=port,
                   max_message_chars=getattr(settings, "max_message_chars", MAX_MESSAGE_CHARS))

    # ---- the one public operation -------------------------------------------------------------

    def ask(self, message: str, session_id: str | None = None, channel: str = "web") -> AssistantReply:
        """Answer one message in a session (a new one when `session_id` is None)."""
        text = (message or "").strip()
        if not text:
            raise ValueError("消息不能为空，请输入您的问题。")
        if len(text) > self.max_message_chars:
            raise ValueError(f"消息过长（超过{self.max_message_chars}字），请简要描述您的问题。")
        sid = session_id or uuid.uuid4().hex
        state = self.store.get(sid) or DialogueState(session_id=sid)
        understanding = self._place_institution(self._reread(self.nlu(text, known_regions=self.known_regions)),
                                                text, state)
        if understanding.intent == "reset":
            state = state.clear()
            draft = Draft("reset", canned.RESET)
            turn = Turn("reset", text, {})
        else:
            turn = interpret(state, understanding, text)
            turn.channel = channel
            draft = self._dispatch(turn, state)
        reply = self._finish(draft, turn, state)
        state.turns += 1
        state.previous_message = text if understanding.intent != "reset" else ""
        self.store.save(state)
        return reply

    def _reread(self, understanding: Understanding) -> Understanding:
        """Two exact corrections of the intent guess, both about what the message carries:
        a "statement" that states no fact (no region, scheme, person, amount…, nor a place where care
        happens: "现在在广州打工" is out of area for the region told, nor a day: "今年3月1号才补交齐"
        tells when) has nothing to
        remember — its words are a question's keywords ("每日清单 病人签字"); and a message taken
        as out of scope or as asking for a person is a policy question after all when the
        library's judge answers it directly ("工伤保险有好多人参了" is answered by a report's
        figures). Only a direct answer overrules: the judge's "related" also fires on messages
        far from any policy ("帮我查下明天天气"), which the intent guess keeps out."""
        if (understanding.intent == "statement" and not new_slots(understanding) and not understanding.slots.care_place
                and not mentions_date(understanding.query)):
            return understanding.model_copy(update={"intent": "policy_question"})
        if understanding.intent in _REREAD_WHEN_ANSWERED and getattr(self.kb, "judged", False):
            found = retrieve(self.kb, understanding.query, {})
            if not found.no_basis and not found.related:
                return understanding.model_copy(update={"intent": "policy_question"})
        return understanding

    def _place_institution(self, understanding: Understanding, text: str, state: DialogueState) -> Understanding:
        """No region told yet, and the message names an institution the library names after its
        region ("新兴医院" for 重庆新兴医院): that region is the user's, read from the name written
        in full — the same region reading as any message, so its evidence shows where it came from."""
        if understanding.slots.region or state.slots.get("region"):
            return understanding
        expanded = self.institutions.expand(text)
        if expanded == text:
            return understanding
        placed = self.nlu(expanded, known_regions=self.known_regions)
        if not placed.slots.region:
            return understanding
        slots = understanding.slots.model_copy(update={"region": placed.slots.region})
        evidence = {**understanding.evidence, "region": placed.evidence.get("region", expanded)}
        return understanding.model_copy(update={"slots": slots, "evidence": evidence})

    # ---- handlers ----------------------------------------------------------------------------

    def _dispatch(self, turn: Turn, state: DialogueState) -> Draft:
        try:
            draft = self._answer(turn, state)
            self._cite_inferred_tier(draft, state)
            self._cite_household_tier(draft, state)
            return draft
        except _AlreadyAsked:
            # The user was asked for this once and went on without it: never ask twice; answer
            # from the clauses and say what would make the answer exact.
            draft = self._policy_question(turn, state, intent=turn.intent)
            draft.answer = canned.not_asked_again() + draft.answer
            return draft

    def _answer(self, turn: Turn, state: DialogueState) -> Draft:
        if turn.intent in {"estimate", "contribution"} and self._outside_rule_sets(turn) is not None:
            # A new question naming what no rule set computes (惠民保's premium, a self-employed
            # payer's rate, a number of years): the clauses answer it, or nothing does.
            return self._policy_question(turn, state, intent=turn.intent)
        if turn.intent == "estimate":
            draft = self._estimate(turn, state)
            if turn.asked_as == "policy_question" and not (draft.citations or draft.clarification or draft.estimate):
                # Read as the estimate of the case told, but the calculators cannot make it: the
                # question as asked ("再次补助能补多少") is answered from the clauses instead.
                return self._policy_question(turn, state)
            return draft
        if turn.intent in {"contribution", "policy_question"} and self._figure_year_not_held(
                turn.slots.get("year"), turn.slots.get("region")):
            # A figure of a year after every rule the library holds (for that region): asking where
            # or which tier first would promise an answer the library cannot give. (An estimate still
            # calculates, saying whose year its rule is.)
            return Draft(turn.intent, canned.YEAR_NOT_HELD)
        if turn.intent == "contribution":
            return self._contribution(turn, state)
        if turn.intent == "policy_question":
            capped = (self._personal_account_credit(turn, state)
                      or self._rule_set_cap(turn, state) or self._wage_relative_deductible(turn)
                      or self._major_illness_deductible(turn) or self._rule_terms(turn, state)
                      or self._fixed_subsidies(turn, state) or self._service_quota(turn))
            if capped is not None:
                return capped
            question = self._region_for_figure(turn, state)
            if question is not None:
                return self._clarify_with_clauses("policy_question", state, question, turn)
            draft = self._policy_question(turn, state)
            if not draft.citations and draft.clarification is None:
                # No clause found for a rule figure the told facts fix in the one rule set
                # ("我交的150那档，能报几成" under 重庆, 一级): the rule set states it, cited.
                return (self._rule_terms(turn, state, modified_only=False)
                        or self._rule_set_cap(turn, state, _CAP_FACTS + _CAP_CHOOSING_FACTS) or draft)
            if draft.kind == "related" and draft.clarification is None:
                # Only related clauses for a deductible the one rule set fixes ("娃儿在二级医院住院，
                # 起付线好多"): that figure alone, cited — not the ratio and cap besides. Likewise the
                # cap of the tier told ("60块钱那个档次" … "那封顶是好多"), and the yearly limit of the kind
                # of care named ("慢病门诊一年最多能报多少钱" under 重庆: 年报销限额1000元).
                return (self._related_deductible(turn) or self._told_tier_cap(turn, state, draft)
                        or self._told_tier_cap(turn, state, draft, stated=True) or draft)
            return draft
        if turn.intent in {"statement", "correction"}:
            # Context is acknowledged and kept, never searched; its figures are the user's own words.
            said = summary(state.facts)
            text = canned.acknowledged(said) if turn.intent == "statement" else canned.corrected(said)
            return Draft(turn.intent, text, sources=[said, turn.query])
        return Draft(turn.intent, _CANNED.get(turn.intent, canned.OUT_OF_SCOPE))

    def _outside_rule_sets(self, turn: Turn) -> Outside | None:
        """What a new calculation question names that the rule sets do not compute
        (`assistant/coverage.py`); a message continuing a told case or answering a question is
        not judged on its words."""
        if turn.follow_up or turn.answered_pending or turn.asked_as is not None:
            return None
        return outside_rule_sets(turn.query, turn.intent, self.policies)

    def _clarify(self, intent: str, state: DialogueState, question: SlotQuestion, answer: str = "",
                 **extra: Any) -> Draft:
        if question.slot in state.asked:
            if answer:  # e.g. each region's rule listed: the answer stands without the question
                return Draft(intent, answer, **extra)
            raise _AlreadyAsked(question)
        ask_pending(state, question)
        return Draft(intent, answer or question.question, clarification=question, **extra)

    def _region_for_figure(self, turn: Turn, state: DialogueState) -> SlotQuestion | None:
        """A rule figure (起付线, 报销比例, 封顶线…) asked without a region, while the rule sets
        state it for several regions: the answer depends on the region, so it is asked (once)."""
        if turn.slots.get("region") or "region" in state.asked:
            return None
        if not query_terms(turn.query, turn.slots).measures:
            return None
        choice = choose_policy(self.policies, turn.slots, turn.slots.get("service") or "inpatient")
        question = choice.question
        return question if question is not None and question.slot == "region" else None

    def _clarify_with_clauses(self, intent: str, state: DialogueState, question: SlotQuestion,
                              turn: Turn) -> Draft:
        """Which region (or scheme) the figure depends on is asked together with what the
        library's clauses say, so the reply is never an empty question: the asker sees each
        region's rule (or the closest rules) with their citations and picks one."""
        draft = self._policy_question(turn, state, intent=intent)
        if draft.clarification is not None:
            return draft  # the clauses themselves differ by region: that question is already asked
        if not draft.citations:
            # Nothing in the library answers it: a policy question's refusal stands (asking where the
            # user lives would promise an answer there is none for); a calculation still needs the region.
            return draft if intent == "policy_question" else self._clarify(intent, state, question)
        if question.slot in state.asked:
            return draft  # asked once and not answered: the clauses, without asking again
        ask_pending(state, question)
        draft.answer = f"{draft.answer}\n{question.question}"
        draft.clarification = question
        draft.sources.append(question.question)
        if draft.fallback:
            draft.fallback = f"{draft.fallback}\n{question.question}"
        draft.rewritable = False
        draft.kind = None
        return draft

    def _year_newer_than_library(self, year: Any, region: str | None) -> bool:
        """The asked year is after every year of the library's clauses (of the region, when one is
        named and the library holds it)."""
        if not year:
            return False
        clauses = getattr(self.kb, "clauses", None)
        clauses = clauses() if callable(clauses) else clauses
        if not clauses:
            return False
        held = [c.year for c in clauses if c.year and (not region or region in (c.region, *c.region_path))]
        held = held or [c.year for c in clauses if c.year]
        return bool(held) and int(year) > max(held)

    def _figure_year_not_held(self, year: Any, region: str | None) -> bool:
        """No clause and no rule set (of the region, when one is named) is as recent as the asked
        year: a rule set's year counts too, as its figures may be newer than the clauses' dates
        (岳池's 2010 contributions sit in a document dated 2009)."""
        if not self._year_newer_than_library(year, region):
            return False
        sets = [p for p in self.policies if p.year and (not region or p.region == region)]
        return not any(int(p.year) >= int(year) for p in sets)

    def _region_unknown(self, region: str | None) -> bool:
        """A region the library holds nothing for, nor for any place inside or around it."""
        if not region or region in self.known_regions:
            return False
        from assistant.nlu.regions import same_area

        return not any(same_area(region, known) for known in self.known_regions)

    def _policy_question(self, turn: Turn, state: DialogueState, intent: str = "policy_question") -> Draft:
        region = turn.slots.get("region")
        if self._region_unknown(region):
            return Draft(intent, canned.region_not_in_library(region, self.library_regions))
        if self._year_newer_than_library(turn.slots.get("year"), region):
            # A year after every rule the library holds (for that region): the figures it has are an
            # earlier year's and may have changed; citing them as that year's would mislead.
            return Draft(intent, canned.YEAR_NOT_HELD)
        shown = related_limit(turn.channel)
        retrieval = retrieve(self.kb, turn.query, turn.slots, words=turn.words, max_related=shown)
        year_note = ""
        if retrieval.no_basis and turn.slots.get("year"):
            # No clause of the asked year: answer from the library's clause, saying plainly whose year it is.
            year = str(turn.slots["year"])
            undated = {k: v for k, v in turn.slots.items() if k != "year"}
            query = turn.query.replace(f"{year}年", "").replace(f"{year[2:]}年", "")
            words = turn.words.replace(f"{year}年", "").replace(f"{year[2:]}年", "")
            retrieval = retrieve(self.kb, query, undated, words=words, max_related=shown)
            if not retrieval.no_basis:
                year_note = canned.other_year(retrieval.selections[0].hit.year) + "\n"
        if retrieval.no_basis and state.previous_message and not turn.follow_up:
            # "那我要等好多天才能报销" after "今年没赶上集中缴费，后来才把钱交齐": a question that leans on
            # the message before it is judged with that message in front of it.
            words = f"{state.previous_message}，{turn.words or turn.query}"
            retrieval = retrieve(self.kb, f"{state.previous_message}，{turn.query}", turn.slots, words=words,
                                 max_related=shown)
        if retrieval.no_basis:
            return Draft(intent, canned.no_basis_for_region(region, self.library_regions) if region else canned.NO_BASIS)
        # A told tier names the fund too: only the residents' scheme has tiers ("交的60块那个").
        fund = turn.slots.get("scheme") or (lexicon().scheme_of_tier if turn.slots.get("tier") else None)
        retrieval.selections = for_scheme(retrieval.selections, fund)
        conflict = find_conflict(retrieval.selections)
        if conflict is None and not fund and not turn.answered_pending:
            # One region's funds differ (职工 vs 城乡居民) and the user has not said which is theirs.
            # Not right after the user answered a clarifying question: one question per question.
            conflict = find_scheme_conflict(retrieval.selections)
        if retrieval.related and not conflict:
            fitting = for_scheme(retrieval.selections + retrieval.alongside, fund)
            retrieval.selections += [s for s in retrieval.alongside if s in fitting]
            citations = [citation_for(n, s) for n, s in enumerate(retrieval.selections, start=1)]
            return Draft(intent, year_note + compose_related(retrieval.selections), citations=citations,
                         sources=[f"{s.hit.citation} {s.hit.year or ''} {s.hit.text}" for s in retrieval.selections],
                         fallback="\n".join(quote_fallback(s, n) for n, s in enumerate(retrieval.selections, start=1)),
                         kind="related")
        if conflict:
            citations = [citation_for(n, s) for n, s in enumerate(conflict.selections, start=1)]
            if conflict.schemes:
                answer = compose_per_scheme(conflict.selections, conflict.schemes)
            else:
                answer = compose_per_region(conflict.selections, by_year=len(conflict.regions) == 1)
            sources = [f"{s.hit.citation} {s.hit.year or ''} {s.hit.text}" for s in conflict.selections]
            fallback = "\n".join(quote_fallback(s, n) for n, s in enumerate(conflict.selections, start=1))
            if conflict.schemes:
                question = question_for("scheme", [(f, f) for f in conflict.schemes])
            elif len(conflict.regions) > 1:
                question = question_for("region", [(r, r) for r in conflict.regions])
            else:
                question = question_for("year", [(f"{y}年", y) for y in conflict.years])
            return self._clarify(intent, state, question, year_note + answer, citations=citations,
                                 sources=sources, fallback=fallback)
        best = retrieval.selections[0]
        answer = year_note + compose_single(best)
        if not turn.slots.get("region") and best.hit.region and len(self.known_regions) > 1:
            answer += "\n" + canned.only_region_found(best.hit.region)
        return Draft(
            intent,
            answer,
            citations=[citation_for(1, best)],
            sources=[f"{best.hit.citation} {best.hit.year or ''} {best.hit.text}"],
            fallback=quote_fallback(best),
            rewritable=True,
        )

    def _estimate(self, turn: Turn, state: DialogueState) -> Draft:
        slots = turn.slots
        service = slots.get("service") or "inpatient"
        if slots.get("self_paid_remainder") is not None:
            return self._second_round(turn, state, service)
        choice = choose_policy(self.policies, slots, service)
        if choice.question:
            return self._clarify_with_clauses("estimate", state, choice.question, turn)
        if choice.policy is None:
            if choice.candidates and slots.get("region"):
                regions = list(dict.fromkeys(p.region for p in choice.candidates))
                question = question_for("region", [(r, r) for r in regions])
                return self._clarify("estimate", state, question,
                                     canned.no_policy_for_region(slots["region"], "报销") + question.question)
            return self._policy_question(turn, state, intent="estimate")  # no rule set: answer from clauses
        request = build_request(choice.policy, service, slots)
        common_note = ""
        try:
            result = _as_dict(self.calculators.estimate(request))
        except ValueError as exc:
            field_name = getattr(exc, "field", "")
            common = common_case_request(request, field_name, slots)
            if common is not None:
                request, common_note = common
                try:
                    result = _as_dict(self.calculators.estimate(request))
                except ValueError as again:
                    return self._calc_refusal("estimate", state, again, slots)
            elif (settled := self._capped_whatever(request, field_name, slots)) is not None:
                request, result, common_note = settled
            else:
                return self._calc_refusal("estimate", state, exc, slots)
        if self._depends_on_doubtful_default(request, result, slots):
            field_name = doubtful_default(result, slots)[0]  # type: ignore[index]
            return self._clarify("estimate", state, question_for(field_name))
        answer, citations = render_estimate(result, choice.policy, service)
        answer = _year_checked(answer, slots, choice.policy)
        self._link_citations(citations)
        estimate = {"request": request, **result}
        if not slots.get("service"):
            answer = answer.replace("\n", "\n（未说明费用类别，按住院测算）\n", 1)
        if common_note:
            answer = answer.replace("\n", f"\n（{common_note}）\n", 1)
        avoided = (self._rules_the_told_fact_avoids(request, result, choice.policy, state, citations)
                   if turn.follow_up else "")
        if avoided:
            answer = _before_last_line(answer, avoided)
        return Draft("estimate", answer, citations=citations, sources=[trace_text(estimate)], estimate=estimate,
                     fallback=canned.ESTIMATE_FALLBACK)

    def _capped_whatever(self, request: dict[str, Any], field_name: str,
                         slots: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str] | None:
        """"花了28万，最多能报好多" with the hospital level unsaid: when the estimate under every value the
        field can take is the same capped figure, asking cannot change the answer — the calculators
        compute each, and the answer shows the last, saying so. None when a value is refused, the
        figures differ or no cap is reached (then the field is asked)."""
        if field_name not in _SETTLED_BY_CAP or _has_value(slots, field_name):
            return None
        question = question_for(field_name)
        tried = []
        for label, value in zip(question.options, question.values, strict=True):
            trial = {**request, field_name: value}
            try:
                tried.append((trial, _as_dict(self.calculators.estimate(trial)), label))
            except ValueError:
                return None
        same = len({r["reimbursed"] for _, r, _ in tried}) == 1
        capped = all(Decimal(str(r["breakdown"].get("above_cap") or 0)) > 0 for _, r, _ in tried)
        if not (same and capped):
            return None
        trial, result, label = tried[-1]
        name, measure = _SETTLED_BY_CAP[field_name]
        return trial, result, f"未说明{name}；无论哪一{measure}，医保支付都到封顶线，结果相同，以下按{label}列出"

    def _rules_the_told_fact_avoids(self, request: dict[str, Any], result: dict[str, Any], policy: PolicyInfo,
                                    state: DialogueState, citations: list[Citation]) -> str:
        """"要是办了转诊呢" (a follow-up): a yes/no fact told on this turn that keeps a rule of the rule set from
        applying (已转诊 → no 起付线提高5%、比例下降5个百分点) — the rule is named and cited, since the
        difference from the case before is the answer's reason. Found by the calculators: the same
        request with that fact the other way round, and the clauses only that estimate rests on."""
        lines = []
        quoted = {step_key(step) for step in result.get("steps", [])}
        for slot, path in _AVOIDING_FACTS.items():
            fact = state.facts.get(slot)
            if fact is None or fact.origin != "said" or fact.turn != state.turns or not isinstance(fact.value, bool):
                continue
            flipped = copy.deepcopy(request)
            target = flipped.setdefault(path[0], {}) if len(path) == 2 else flipped
            if target.get(path[-1]) != fact.value:
                continue
            target[path[-1]] = not fact.value
            try:
                other = _as_dict(self.calculators.estimate(flipped))
            except ValueError:
                continue
            new_steps = [st for st in other.get("steps", []) if "：" in str(st.get("label", ""))
                         and step_key(st) is not None and step_key(st) not in quoted]
            if not new_steps:
                continue
            cited, index = step_citations({"steps": new_steps}, policy, start=len(citations) + 1)
            self._link_citations(cited)
            citations.extend(cited)
            names = list(dict.fromkeys(f"{str(st['label']).split('：')[0]}[{index[step_key(st) or '']}]"
                                       for st in new_steps))
            quoted |= {step_key(st) for st in new_steps}
            lines.append(f"因{fact_label(slot, fact.value)}，不适用：" + "；".join(names))
        return "\n".join(lines) + ("。" if lines else "")

    def _rule_set_cap(self, turn: Turn, state: DialogueState,
                      cap_facts: tuple[str, ...] = _CAP_FACTS, stated: bool = False) -> Draft | None:
        """"统筹基金一年最多付多少" under a rule set whose cap is a multiple of the local average wage
        (湖北: 4倍): the clause gives the multiple, the user's wage gives the figure — computed by the
        calculators when the wage is known, asked for when not. Likewise a cap that depends on a
        told fact (`_CAP_FACTS`: two chronic diseases raise the chronic-outpatient limit) under the
        one rule set the slots choose; with `cap_facts` including the tier, the told tier's cap
        (`_told_tier_cap`). `stated`: the cap the rule set states for the service the user named,
        though no told fact changes it — for when the clauses gave no direct answer. None = answer
        from the clauses."""
        slots = turn.slots
        if slots.get("topic") != "封顶线" or slots.get("amount") is not None or self.calculators.caps is None:
            return None
        if stated and not slots.get("service"):
            return None
        service = slots.get("service") or "inpatient"
        ytd_told = slots.get("ytd_reimbursed") is not None  # "已经报了6万5，还能报多少": what is left
        choice = choose_policy(self.policies, slots, service)
        candidates = [choice.policy] if choice.policy else choice.candidates
        needs_wage = []
        for policy in candidates:
            try:
                self.calculators.caps(caps_request(policy, service, {**slots, "local_avg_wage": None}))
            except ValueError as exc:
                if getattr(exc, "field", "") == "local_avg_wage":
                    needs_wage.append(policy)
        if choice.policy is None and (len(needs_wage) != 1 or slots.get("local_avg_wage") is None):
            return None  # several rule sets and no stated wage to tell them apart: the clauses answer
        if needs_wage:
            policy = needs_wage[0]
        elif (choice.policy is not None and slots.get("region")
              and (stated or any(slots.get(s) is not None for s in cap_facts) or ytd_told)):
            # A told fact the rule set's cap depends on (高血压和糖尿病: two chronic diseases, each
            # adding to the limit): the clause states the base, the rule set computes this person's —
        # for the region the user named (with none, the one rule set holding the service is no answer
        # to "两病门诊用药保障…限额多少": the library's judge decides).
            policy = choice.policy
        else:
            return None
        if policy in needs_wage and slots.get("local_avg_wage") is None:
            # "湖北职工医保最高支付限额咋个算的": the clause's rule (4倍) is the answer by itself; the
            # wage, asked alongside, turns it into a figure.
            # Asked once already, the reply says what is still missing (`_AlreadyAsked`).
            question = question_for("local_avg_wage")
            if question.slot not in state.asked:
                draft = self._clarify_with_clauses("policy_question", state, question, turn)
                if draft.citations:
                    return draft
            return self._clarify("policy_question", state, question)
        request = caps_request(policy, service, slots, keep_ytd=ytd_told)
        try:
            result = _as_dict(self.calculators.caps(request))
        except ValueError:
            return None
        if not result.get("caps"):
            return None
        left = any(c.get("remaining") is not None for c in result["caps"])
        if (not stated and policy not in needs_wage and not left
                and _cap_amounts(result) == self._caps_without(policy, service, slots, cap_facts)):
            return None  # the told fact does not change the cap (岳池's 特殊大病门诊): the clause states it
        answer, citations = render_caps(result, policy)
        answer = _year_checked(answer, slots, policy)
        self._link_citations(citations)
        return Draft("policy_question", answer, citations=citations, sources=[trace_text(result)],
                     estimate={"request": request, **result},
                     fallback=canned.ESTIMATE_FALLBACK)

    def _wage_relative_deductible(self, turn: Turn) -> Draft | None:
        """"起付线大概多少" after the user told the local average wage, under a rule set whose
        deductible is a share of that wage (湖北: 起付标准一般应为当地上年度职工年平均工资的10%左右):
        the clause gives the share, the user's wage gives the figure — computed by the calculators
        (`calculators.caps.deductible`; the ratio the rule set leaves to the local fund is not
        needed). Only with the wage told and one such rule set among those the slots allow; None =
        answer from the clauses (which state the share)."""
        slots = turn.slots
        if (slots.get("topic") != "起付线" or slots.get("amount") is not None or slots.get("local_avg_wage") is None
                or self.calculators.deductible is None):
            return None
        service = slots.get("service") or "inpatient"
        choice = choose_policy(self.policies, slots, service)
        candidates = [choice.policy] if choice.policy else choice.candidates
        relative = []
        for policy in candidates:
            if service not in policy.services:
                continue
            try:
                self.calculators.deductible(caps_request(policy, service, {**slots, "local_avg_wage": None}))
            except ValueError as exc:
                if getattr(exc, "field", "") == "local_avg_wage":
                    relative.append(policy)
        if len(relative) != 1:
            return None
        policy = relative[0]
        request = caps_request(policy, service, slots)
        try:
            result = _as_dict(self.calculators.deductible(request))
        except ValueError:
            return None
        return self._rule_set_draft(render_caps(result, policy), result, request, slots, policy)

    def _major_illness_deductible(self, turn: Turn) -> Draft | None:
        """"大病保险的起付线是好多" where a told fact brings in a modifier of that layer's deductible in
        the one rule set of the region named (桂阳: 建档立卡贫困人员、低保户大病保险补偿起付线降低50%(起付线
        10000×50%)): the clause states the rule, the calculators give this person's figure
        (`calculators.caps.major_illness_deductible`, citing the clause). The layer is the scheme the
        message names (lexicon `scheme`: 大病保险, read before the base scheme it sits on). None = the
        clauses answer (no modifier applies, no such layer, several rule sets, a fact missing)."""
        slots = turn.slots
        if (slots.get("topic") != "起付线" or slots.get("scheme") != MAJOR_ILLNESS_LAYER or slots.get("amount") is not None
                or not slots.get("region") or self.calculators.major_illness_deductible is None):
            return None
        service = slots.get("service") or "inpatient"
        base_slots = {k: v for k, v in slots.items() if k != "scheme"}  # the layer sits on the region's base scheme
        computed = self._one_rule_set(self.calculators.major_illness_deductible, base_slots, service)
        if computed is None or not computed[2].get("modified"):
            return None  # the clause states the figure itself
        policy, request, result = computed
        return self._rule_set_draft(render_caps(result, policy), result, request, slots, policy)

    def _told_tier_cap(self, turn: Turn, state: DialogueState, related: Draft, stated: bool = False) -> Draft | None:
        """The cap of the tier told (`stated`: or the one the rule set states for the kind of care
        named), when the related clauses offered do not show the sentence that states it (if they
        do, the user reads it there, beside what else they say: a newborn's cap is the mother's)."""
        draft = self._rule_set_cap(turn, state, _CAP_FACTS + _CAP_CHOOSING_FACTS, stated=stated)
        if draft is None:
            return None
        shown = re.sub(r"\s", "", related.answer)
        stated = [re.sub(r"\s", "", c.text).split("……")[0] for c in draft.citations[:1]]
        return None if any(text and text in shown for text in stated) else draft

    def _caps_without(self, policy: PolicyInfo, service: str, slots: dict[str, Any],
                      cap_facts: tuple[str, ...] = _CAP_FACTS) -> list[str] | None:
        """The caps the rule set gives without the `cap_facts` told (what the clause itself states)."""
        plain = {k: v for k, v in slots.items() if k not in cap_facts}
        try:
            return _cap_amounts(_as_dict(self.calculators.caps(caps_request(policy, service, plain))))  # type: ignore[misc]
        except ValueError:
            return None

    def _rule_terms(self, turn: Turn, state: DialogueState, modified_only: bool = True) -> Draft | None:
        """"起付线/报销比例是多少" where a told fact brings in a modifier of the one rule set the slots
        choose (市内县外三级未经同意: 起付线提高5%、比例下降5个百分点; 当地第二次住院: 起付线各档下降100元):
        the clause states the base figure, the calculators give this case's, citing both rules.
        None = answer from the clauses (no modifier applies, several rule sets, a field missing).
        `modified_only=False`: also the unmodified figure (when no clause was found for it)."""
        slots = turn.slots
        if slots.get("topic") not in _TERM_TOPICS or slots.get("amount") is not None or self.calculators.terms is None:
            return None
        service = slots.get("service") or "inpatient"
        choice = choose_policy(self.policies, slots, service)
        if choice.policy is None or service not in choice.policy.services or not slots.get("region"):
            return None  # a rule set's figure only for the region the user named
        request = caps_request(choice.policy, service, slots)
        notes: list[str] = []
        result = None
        for _ in range(len(COMMON_CASES) + 1):
            try:
                result = _as_dict(self.calculators.terms(request))
                break
            except ValueError as exc:
                common = common_case_request(request, getattr(exc, "field", ""), slots)
                if common is None or common[1] in notes:
                    return self._deductible_alone(request, slots, choice.policy, modified_only)
                request, note = common
                notes.append(note)
        if result is None or (modified_only and not result.get("modified")):
            return None
        return self._rule_set_draft(render_terms(result, choice.policy, notes), result, request, slots, choice.policy)

    def _related_deductible(self, turn: Turn) -> Draft | None:
        """The one rule set's deductible for the region named, when the clauses found were only related."""
        slots = turn.slots
        if (slots.get("topic") != "起付线" or slots.get("amount") is not None or not slots.get("region")
                or self.calculators.deductible is None):
            return None
        computed = self._one_rule_set(self.calculators.deductible, slots, slots.get("service") or "inpatient")
        if computed is None:
            return None
        policy, request, result = computed
        return self._rule_set_draft(render_caps(result, policy), result, request, slots, policy)

    def _deductible_alone(self, request: dict[str, Any], slots: dict[str, Any], policy: PolicyInfo,
                          modified_only: bool) -> Draft | None:
        """"娃儿在二级医院住院，起付线好多" with the tier untold: the deductible does not depend on what
        the ratio needs, so it is answered alone (`calculators.caps.deductible`), cited."""
        if slots.get("topic") != "起付线" or self.calculators.deductible is None:
            return None
        try:
            result = _as_dict(self.calculators.deductible(request))
        except ValueError:
            return None
        if modified_only and not result.get("modified"):
            return None
        return self._rule_set_draft(render_caps(result, policy), result, request, slots, policy)

    def _fixed_subsidies(self, turn: Turn, state: DialogueState) -> Draft | None:
        """"产前检查和住院分娩一共能补多少" with no bill: the total of a service the rule set pays as
        fixed subsidies (孕产妇: 100元 产前检查 + 400元 住院分娩) is answered with each subsidy and their
        sum, computed by the calculators (`calculators.caps`, every figure in the trace) — the clause
        states the parts, not the sum. Only when the question asks a total (lexicon
        `amounts.roles.total`: 一共, 总共, 合计…) or the service as a whole ("生娃儿医保能补好多钱": none of
        its parts named, lexicon `service.subsidy_parts`, or a part joined to another by
        `service.subsidy_joiners`: "产检和生娃儿"; one subsidy asked is the clause's answer), for a region
        the user named whose one rule set holds the service; None = answer from the clauses."""
        from assistant.nlu.lexicon import lexicon
        from calculators.caps import FIXED_SUBSIDIES_POOL
        from knowledge_base.search.rerank import asks_amount

        slots = turn.slots
        service = slots.get("service")
        lex = lexicon()
        total = any(h.value == "total" for h in lex.amount_roles.find(turn.query))
        parts = lex.subsidy_parts.find(turn.query)
        joints = {e for h in lex.subsidy_joiners.find(turn.query) for e in (h.start, h.end)}
        # the service named with none of its parts, or a part joined to another ("产检和生娃儿")
        whole = not parts or any(h.start in joints or h.end in joints for h in parts)
        if (not service or slots.get("amount") is not None or not slots.get("region")
                or self.calculators.caps is None or not asks_amount(turn.query) or not (total or whole)):
            return None
        computed = self._one_rule_set(self.calculators.caps, slots, service)
        if computed is None or not any(c.get("pool") == FIXED_SUBSIDIES_POOL for c in computed[2].get("caps") or []):
            return None
        policy, request, result = computed
        return self._rule_set_draft(render_caps(result, policy), result, request, slots, policy)

    def _service_quota(self, turn: Turn) -> Draft | None:
        """"普通门诊一年能报好多钱" with no bill, for a region whose one rule set pays that service as a
        fixed yearly quota (重庆: 普通门诊定额 60元/人年, paid in full within it): the quota is the
        answer, given with its cited rule by the calculators (`calculators.caps`). Only for an
        amount asked about the service as a whole (no other topic: its 报销比例 or 起付线 is the
        clauses' answer); None = answer from the clauses."""
        from knowledge_base.search.rerank import asks_amount

        slots = turn.slots
        # Last year's quota balance told ("去年门诊的钱还剩20块没用完") is the ordinary outpatient
        # quota's: "今年门诊最多能用好多" asks that quota, with the balance carried over.
        carried = slots.get("carryover") is not None or bool(slots.get("carryover_unused"))
        service = slots.get("service") or ("general_outpatient" if carried else None)
        if (not service or slots.get("amount") is not None or not slots.get("region")
                or slots.get("topic") not in (None, "封顶线") or self.calculators.caps is None
                or not asks_amount(turn.query)):
            return None
        computed = self._one_rule_set(self.calculators.caps, slots, service)
        if computed is None or not any(c.get("quota") for c in computed[2].get("caps") or []):
            return None
        policy, request, result = computed
        return self._rule_set_draft(render_caps(result, policy), result, request, slots, policy)

    def _one_rule_set(self, compute: Callable[[dict[str, Any]], Any], slots: dict[str, Any], service: str
                      ) -> tuple[PolicyInfo, dict[str, Any], dict[str, Any]] | None:
        """The bill-less figure of the one rule set the slots choose that holds `service`, as
        (policy, request, result); None when no single rule set holds it or the calculators refuse
        (a field missing): the clauses answer then."""
        choice = choose_policy(self.policies, slots, service)
        if choice.policy is None or service not in choice.policy.services:
            return None
        request = caps_request(choice.policy, service, slots)
        try:
            return choice.policy, request, _as_dict(compute(request))
        except ValueError:
            return None

    def _rule_set_draft(self, rendered: tuple[str, list[Any]], result: dict[str, Any], request: dict[str, Any],
                        slots: dict[str, Any], policy: PolicyInfo) -> Draft:
        """A reply whose figure the calculators computed from a rule set: the rendered answer checked
        against the year asked, its clauses linked, the trace kept as its source."""
        answer, citations = rendered
        answer = _year_checked(answer, slots, policy)
        self._link_citations(citations)
        return Draft("policy_question", answer, citations=citations, sources=[trace_text(result)],
                     estimate={"request": request, **result}, fallback=canned.ESTIMATE_FALLBACK)

    def _depends_on_doubtful_default(self, request: dict[str, Any], result: dict[str, Any],
                                     slots: dict[str, Any]) -> bool:
        """A default the message leaves open matters only if the other value changes the amounts;
        then the reply must ask instead of computing the opposite of what the user may have said."""
        doubtful = doubtful_default(result, slots)
        if doubtful is None:
            return False
        field_name, other = doubtful
        try:
            alternative = _as_dict(self.calculators.estimate({**request, field_name: other}))
        except ValueError:
            return True
        return (alternative.get("reimbursed"), alternative.get("out_of_pocket")) != (
            result.get("reimbursed"), result.get("out_of_pocket"))

    def _second_round(self, turn: Turn, state: DialogueState, service: str) -> Draft:
        """"报完了自己还掏了8000 还能再补多少": the second-round subsidy (再次补助) on what the patient
        still paid. A rule set with such a subsidy computes it from that remainder; without one the
        answer quotes the clauses (a 再次补助 clause when the library has it), never nothing."""
        slots = turn.slots
        reliefs = relief_services(self.policies, service)
        for relief in reliefs:
            choice = choose_policy(self.policies, slots, relief)
            if choice.question:
                return self._clarify("estimate", state, choice.question)
            if choice.policy is None:
                continue
            request = build_relief_request(choice.policy, relief, slots)
            try:
                result = _as_dict(self.calculators.estimate(request))
            except ValueError as exc:
                return self._calc_refusal("estimate", state, exc, slots)
            answer, citations = render_relief(result, choice.policy, slots["self_paid_remainder"])
            answer = _year_checked(answer, slots, choice.policy)
            self._link_citations(citations)
            estimate = {"request": request, **result}
            return Draft("estimate", answer, citations=citations, sources=[trace_text(estimate)],
                         estimate=estimate, fallback=canned.ESTIMATE_FALLBACK)
        draft = self._policy_question(turn, state, intent="estimate")
        if reliefs and slots.get("region") and draft.citations:
            draft.answer = canned.no_policy_for_region(slots["region"], "再次补助") + "以下是相关条款：\n" + draft.answer
        return draft

    def _contribution(self, turn: Turn, state: DialogueState) -> Draft:
        from knowledge_base.search.rerank import asks_amount as query_asks_amount

        slots = turn.slots
        # "交好多", "按好多基数交", "退休了还要扣医保钱不": the premium's standard (缴费标准) is asked, as a
        # figure or whether one is due; how to pay (缴费方式) is answered from the clauses.
        # A topic asking when names what is asked instead ("补交了要多少天才能报": 待遇期限 — its 多少
        # counts days, not yuan).
        asks_amount = slots.get("topic") not in _WHEN_TOPICS and (
            any(w in turn.query for w in _QUANTITY_WORDS) or slots.get("topic") == "缴费标准"
            or query_asks_amount(turn.query))
        choice = choose_policy(self.policies, slots, "contribution")
        if not asks_amount or (choice.policy is None and choice.question is None):
            return self._policy_question(turn, state, intent="contribution")
        if choice.question:
            return self._clarify_with_clauses("contribution", state, choice.question, turn)
        request = build_contribution_request(choice.policy, slots)
        per_month = asked_period(turn.query)
        if per_month is not None and choice.policy.contribution_kind == "employee_rates":
            request["per_month"] = per_month
        if slots.get("household_size") and _asks_household_total(turn.query):
            request["household_size"] = slots["household_size"]
        members = _household_members(slots)
        if members and _asks_household_total(turn.query):
            request["members"] = members
        notes: list[str] = []
        try:
            result = _as_dict(self._contribution_with_common_cases(request, slots, notes))
        except ValueError as exc:
            field_name = getattr(exc, "field", "")
            if field_name == "local_avg_wage" and slots.get("wage") is not None:
                conditional = self._conditional_contribution(request, choice.policy, slots)
                if conditional is not None:
                    return conditional
            if missing_slot_question(field_name) and not _has_value(slots, field_name):
                return self._calc_refusal("contribution", state, exc, slots)
            return self._policy_question(turn, state, intent="contribution")
        answer, citations = render_contribution(result, choice.policy)
        for note in notes:
            answer = answer.replace("\n", f"\n（{note}）\n", 1) if "\n" in answer else f"{answer}\n（{note}）"
        answer = _year_checked(answer, slots, choice.policy)
        self._link_citations(citations)
        return Draft("contribution", answer, citations=citations, sources=[trace_text(result)],
                     estimate={"request": request, **result}, fallback=canned.ESTIMATE_FALLBACK)

    def _personal_account_credit(self, turn: Turn, state: DialogueState) -> Draft | None:
        """"每个月划到个人账户多少" once the wage is told, under a rule set of wage-rate premiums
        (湖北: 个人缴费全部 + 单位缴费的30%左右): the clauses state the rates, the user's wage gives the
        figure — computed by the contribution calculator, every rate cited. None = answer from the
        clauses (no wage told, no such rule set, or the rule set credits no personal account)."""
        slots = turn.slots
        if slots.get("topic") != "个人账户" or slots.get("wage") is None:
            return None
        choice = choose_policy(self.policies, slots, "contribution")
        if choice.policy is None or choice.policy.contribution_kind != "employee_rates":
            return None
        draft = self._contribution(turn, state)
        if not (draft.estimate or {}).get("personal_account"):
            return None
        return draft

    def _contribution_with_common_cases(self, request: dict[str, Any], slots: dict[str, Any],
                                        notes: list[str]) -> Any:
        """The contribution, with a rare status the user did not mention (三无人员, 低保) taken as
        not applying — each such reading appended to `notes` — instead of asking about it."""
        for _ in range(len(COMMON_CASES) + 2):
            try:
                return self.calculators.contribution(request)
            except ValueError as exc:
                field_name = getattr(exc, "field", "")
                working = in_work_request(request, field_name, slots)
                if working is not None and IN_WORK_NOTE not in notes:
                    request = working
                    notes.append(IN_WORK_NOTE)
                    continue
                common = common_case_request(request, field_name, slots)
                if common is None or common[1] in notes:
                    raise
                request, note = common
                notes.append(note)
        return self.calculators.contribution(request)

    def _conditional_contribution(self, request: dict[str, Any], policy: PolicyInfo,
                                  slots: dict[str, Any]) -> Draft | None:
        """Wage given, local average wage not: answer the common case (the wage is the base) with
        the condition and the clamp rule stated, instead of only asking for the average wage."""
        conditional, notes = conditional_contribution_request(request)
        try:
            result = _as_dict(self.calculators.contribution(conditional))
        except ValueError:
            return None
        answer, citations = render_conditional_contribution(result, policy, notes)
        answer = _year_checked(answer, slots, policy)
        self._link_citations(citations)
        return Draft("contribution", answer, citations=citations, sources=[trace_text(result)],
                     estimate={"request": conditional, **result}, fallback=canned.ESTIMATE_FALLBACK)

    def _cite_inferred_tier(self, draft: Draft, state: DialogueState) -> None:
        """A calculator reply whose tier is the one the premium the user told implies (交的60块 →
        一档: `facts.infer`, or the answer to "哪一档？") also cites the clause that inference read — the rule set's premium of
        that tier, as the contribution calculator traces it — and says how the tier was taken: every
        parameter the figure rests on is cited, the tier's included."""
        request = (draft.estimate or {}).get("request") or {}
        premium = state.facts.get("contribution_amount")
        region = state.facts["region"].value if "region" in state.facts else None
        if not draft.estimate and draft.citations and premium is not None and "tier" in state.facts:
            # A clause answer read for the tier the premium implies ("我交的150那档，能报几成" → the 二档
            # sentence): the premium clause is as much its basis as for a computed figure.
            tier = state.facts["tier"].value
            tier_word = fact_label("tier", tier) or ""
            choice = choose_policy(self.policies, state.slots, "contribution")
            if not tier_word or tier_word not in draft.answer or choice.policy is None:
                return
            request = {"policy": choice.policy.id, "tier": tier}
        elif not draft.citations or request.get("tier") is None or premium is None:
            return
        else:
            tier_word = fact_label("tier", request["tier"]) or ""
            if not any(tier_word in f"{step.get('label', '')} {step.get('formula', '')}"
                       for step in (draft.estimate or {}).get("steps", [])):
                return  # no parameter of this figure depends on the tier (a fixed subsidy)
        if tier_for_contribution(premium.value, region) != request["tier"]:
            return  # the tier was not read from the premium told
        try:
            result = _as_dict(self.calculators.contribution({"policy": request["policy"], "tier": request["tier"]}))
        except ValueError:
            return
        policy = next((p for p in self.policies if p.id == request["policy"]), None)
        if policy is None:
            return
        start = len(draft.citations) + 1
        cited, index = step_citations(result, policy, start=start)
        self._link_citations(cited)
        renumber: dict[int, int] = {}
        lines = []
        for step in result.get("steps", []):
            n = index.get(step_key(step) or "")
            if n is None:
                continue
            if n not in renumber:
                renumber[n] = _cite_once(draft, cited[n - start])
            lines.append(f"{step['label']}：{step['formula']}[{renumber[n]}]")
        if not lines:
            return
        note = "档次按您所交的金额推定：" + "；".join(lines)
        draft.answer = _before_last_line(draft.answer, note)
        draft.sources.append(trace_text(result))

    def _cite_household_tier(self, draft: Draft, state: DialogueState) -> None:
        """A figure for a family member ("我老汉儿住院…") at the tier told before that member was named
        rests on the rule that a household insures at one tier (重庆: 以家庭为单位选择同一档次): the
        reply cites that clause too, as the contribution calculator traces it, so the tier carried
        from the speaker to the patient has its basis on the page."""
        request = (draft.estimate or {}).get("request") or {}
        tier = state.facts.get("tier")
        if tier is None or request.get("tier") is None or state.patient is None or not draft.citations:
            return
        told = state.facts.get(tier.source) if tier.origin == "inferred" and tier.source else tier
        if told is None or told.turn >= state.patient_turn:
            return  # the tier was told with or after the patient: it is the patient's own
        tier_word = fact_label("tier", request["tier"]) or ""
        if not any(tier_word in f"{step.get('label', '')} {step.get('formula', '')}"
                   for step in (draft.estimate or {}).get("steps", [])):
            return  # no parameter of this figure depends on the tier
        try:
            result = _as_dict(self.calculators.contribution(
                {"policy": request["policy"], "tier": request["tier"], "household_size": 2}))
        except ValueError:
            return
        policy = next((p for p in self.policies if p.id == request["policy"]), None)
        if policy is None:
            return
        household = [step for step in result.get("steps", []) if "以家庭为单位" in step.get("label", "")]
        if not household:
            return  # the rule set states no household rule: members may be at different tiers
        cited, _index = step_citations({"steps": household}, policy, start=len(draft.citations) + 1)
        self._link_citations(cited)
        n = _cite_once(draft, cited[0])
        note = f"档次按家庭计：以家庭为单位选择同一档次参保，按您说的{tier_word}计[{n}]"
        draft.answer = _before_last_line(draft.answer, note)

    def _link_citations(self, citations: list[Citation]) -> None:
        """Fill chunk id and citation path of rule quotes the calculators did not link themselves."""
        for citation in citations:
            if citation.chunk_id:
                continue
            hit = locate_quote(self.kb, citation.text, citation.region)
            if hit is not None:
                citation.chunk_id, citation.citation = hit.chunk_id, hit.citation

    def _calc_refusal(self, intent: str, state: DialogueState, exc: ValueError, slots: dict[str, Any]) -> Draft:
        """A field the policy needs and the user has not given → ask for it; anything else → say why."""
        field_name = getattr(exc, "field", "")
        message = getattr(exc, "message", str(exc))
        question = missing_slot_question(field_name)
        if question and not _has_value(slots, field_name):
            return self._clarify(intent, state, question)
        citations = self._quoted_clauses(message, slots.get("region"))
        return Draft(intent, canned.calculator_refused(message), citations=citations,
                     sources=[message, *(c.text for c in citations)])

    def _quoted_clauses(self, message: str, region: str | None) -> list[Citation]:
        """The clauses a calculator's refusal quotes (原文只说…“提高10%”): its figures are the
        rule text's, so the reply cites where they stand (exact containment, never a search)."""
        from knowledge_base.normalize import normalize_text

        clauses = getattr(self.kb, "clauses", None)
        clauses = clauses() if callable(clauses) else clauses
        out: list[Citation] = []
        for quote in dict.fromkeys(re.findall(r"“([^”]{2,80})”", message)):
            wanted = normalize_text(quote)
            found = [c for c in clauses or () if wanted in normalize_text(c.text)]
            found.sort(key=lambda c: c.region != region)  # the asked region's clause first
            if found and not any(o.chunk_id == found[0].chunk_id for o in out):
                c = found[0]
                out.append(Citation(n=len(out) + 1, chunk_id=c.chunk_id, citation=c.citation,
                                    text=c.text, region=c.region, year=c.year))
        return out

    # ---- grounding, rewriting, rendering ------------------------------------------------------

    def _finish(self, draft: Draft, turn: Turn, state: DialogueState) -> AssistantReply:
        answer, grounded = draft.answer, True
        if draft.clarification:  # the question is the assistant's own words, not a claim
            draft.sources.append(draft.clarification.question)
        check = check_grounding(answer, draft.sources)
        if not check.ok:
            grounded = False
            answer = draft.fallback or canned.NO_BASIS
            if not check_grounding(answer, draft.sources).ok:
                answer = canned.NO_BASIS
        elif draft.rewritable and self.llm is not None:
            rewritten = self.llm.rewrite(turn.query, answer, [c.text for c in draft.citations])
            if rewritten and check_grounding(rewritten, draft.sources).ok:
                answer = rewritten
        reply = AssistantReply(
            session_id=state.session_id,
            answer=answer,
            citations=draft.citations,
            intent=draft.intent,  # type: ignore[arg-type]
            slots=dict(state.slots),
            clarification=draft.clarification.clarification() if draft.clarification else None,
            estimate=draft.estimate,
            grounded=grounded,
            kind=_reply_kind(draft, grounded),
            remembered=remembered(state.facts),
        )
        reply.wechat_text = render_wechat(reply)
        return reply


class _AlreadyAsked(Exception):
    """A clarifying question for a slot the conversation has already asked for."""

    def __init__(self, question: SlotQuestion) -> None:
        super().__init__(question.slot)
        self.question = question


_ANSWERING_INTENTS = ("policy_question", "estimate", "contribution")
# Topics of a premium question that ask no sum of money: how long until the cover works.
_WHEN_TOPICS = frozenset({"待遇期限"})


def _reply_kind(draft: Draft, grounded: bool) -> str:
    if draft.clarification:
        return "clarification"
    if draft.intent not in _ANSWERING_INTENTS:
        return "canned"
    if not draft.citations or (not grounded and not draft.fallback):
        return "refusal"
    if draft.estimate:
        return "estimate"
    return draft.kind or "answer"


def _canonical_region(policy: PolicyInfo, kb_regions: list[str]) -> PolicyInfo:
    """Name a rule set's region as the knowledge base tags it ("四川省岳池县" -> "岳池县"), so one
    region slot filters both clauses and rule sets and the quick replies use one spelling."""
    for region in kb_regions:
        if region != policy.region and region in policy.region:
            return policy.model_copy(update={"region": region})
    return policy


# A region with fewer clauses than this (a passing mention in a work report) is not listed as one
# the library "has" when telling the user which regions it covers.
MIN_CLAUSES_LISTED = 5


def _library_regions(kb: Any, policies: list[PolicyInfo]) -> tuple[str, ...]:
    """Regions the library really covers: those with a rule set or a handful of clauses."""
    clauses = getattr(kb, "clauses", None)
    if callable(clauses):
        clauses = clauses()
    if not clauses:
        return ()
    counts: dict[str, int] = {}
    for clause in clauses:
        if clause.region:
            counts[clause.region] = counts.get(clause.region, 0) + 1
    listed = {p.region for p in policies} | {r for r, n in counts.items() if n >= MIN_CLAUSES_LISTED}
    return tuple(sorted(listed, key=lambda r: -counts.get(r, 0)))


def _year_checked(answer: str, slots: dict[str, Any], policy: PolicyInfo) -> str:
    """A rule set of another year than the one asked answers only with that said first."""
    year = slots.get("year")
    if year and policy.year and int(year) != int(policy.year):
        return canned.other_year(policy.year) + "\n" + answer
    return answer


def _cap_amounts(result: dict[str, Any]) -> list[str]:
    return [str(c.get("amount")) for c in result.get("caps") or []]


def _as_dict(result: Any) -> dict[str, Any]:
    return result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)


def _household_members(slots: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The calculator's `members` from the household the user described ("我和我婆娘都三十几，娃儿4岁"),
    when they are the whole household told (their number is its size, if a size was said)."""
    members = slots.get("household_members")
    if not members:
        return None
    size = slots.get("household_size")
    if size and sum(m["count"] for m in members) != size:
        return None  # "一家四口" but three described: someone's premium is unknown
    # 低保 is granted to a household (低保户): told in an earlier message ("我跟老伴都六十几了，是低保户",
    # then "我们两个一共要交好多"), it is every member's, unless the members were told one by one.
    household_low = slots.get("low_income") is True and not any(m["low_income"] for m in members)
    return [{"person": {"category": m["category"], "low_income": m["low_income"] or household_low},
             "count": m["count"]} for m in members]


def _asks_household_total(query: str) -> bool:
    """"全家一共交多少", "一家人总共要交好多": the household's total asked, not one person's premium."""
    from assistant.nlu.lexicon import lexicon

    lex = lexicon()
    return lex.household_whole.first(query) is not None or any(
        h.value == "total" for h in lex.amount_roles.find(query))


def _has_value(slots: dict[str, Any], field_name: str) -> bool:
    from assistant.estimate_bridge import FIELD_TO_SLOT

    slot = FIELD_TO_SLOT.get(field_name)
    return slot is not None and slots.get(slot) is not None
