"""The calculators answer only what the library's learned judge does not refuse (issue 9).

A premium or an estimate asked about something the library holds no basis for (惠民保's premium, a
carer's daily fee, a drug's price) used to get a calculation or a slot question before any judge
decided; the judge's refusal of a new question as typed now stands on those paths too, while a
question continuing a case told earlier, or answering a clarifying question, is not judged on its
words alone.
"""

from __future__ import annotations

from assistant.retrieve import judge_refuses
from assistant.service import Assistant
from assistant.session_store import InMemorySessionStore
from assistant_fakes import default_kb, fake_parse, fake_port
from knowledge_base.models import SearchResponse


class JudgedKB:
    """`default_kb`'s clauses behind a stand-in judge that refuses the messages holding `refused`
    and finds every other message related to the library."""

    judged = True

    def __init__(self, refused: str, scope: dict | None = None) -> None:
        self.inner = default_kb()
        self.refused = refused
        self.scope = scope or {}
        self.calls: list[str] = []

    def search(self, query, top_k=5, filters=None):
        self.calls.append(query)
        if self.refused in query:
            return SearchResponse(results=[], no_basis=True, decision="none", **self.scope)
        found = self.inner.search(query, top_k, filters)
        return found.model_copy(update={"decision": "related", "no_basis": False})

    def facets(self):
        return self.inner.facets()


def _assistant(kb) -> Assistant:
    return Assistant(kb, fake_port(), InMemorySessionStore(), nlu=fake_parse)


def test_an_estimate_the_judge_refuses_is_refused_not_asked_for_a_slot():
    reply = _assistant(JudgedKB("护工")).ask("住院请护工一天300能报多少")
    assert reply.kind == "refusal" and reply.clarification is None and reply.estimate is None
    assert "12393" in reply.answer


def test_an_estimate_the_judge_does_not_refuse_still_calculates():
    assistant = _assistant(JudgedKB("护工"))
    first = assistant.ask("住院3万能报销多少")
    assert first.clarification is not None and first.clarification.slot == "hospital_level"
    second = assistant.ask("三级医院", first.session_id)
    assert second.estimate["reimbursed"] == "17670.00"


def test_a_question_continuing_a_told_case_is_not_judged_on_its_words():
    kb = JudgedKB("能报多少")  # the judge would refuse these words alone
    assistant = _assistant(kb)
    first = assistant.ask("在三级医院住的院")
    second = assistant.ask("花了3万能报多少", first.session_id)
    assert second.kind == "estimate" and second.estimate["reimbursed"] == "17670.00"


def test_a_year_the_library_does_not_hold_is_left_to_the_calculation():
    kb = JudgedKB("2030", scope={"out_of_scope_year": 2030})
    assert not judge_refuses(kb, "2030年住院3万能报多少", {})
    kb = JudgedKB("成都", scope={"out_of_scope_region": "成都"})
    assert judge_refuses(kb, "成都住院3万能报多少", {})


def test_without_a_trained_judge_nothing_is_refused_before_the_calculators():
    kb = default_kb()  # the hand-set pipeline: no `judged`
    assert not judge_refuses(kb, "住院请护工一天300能报多少", {})
    assert kb.calls == []
