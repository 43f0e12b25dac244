"""The answer evaluation's own re-check of grounding (no knowledge base needed)."""

from __future__ import annotations

from types import SimpleNamespace

from assistant.evaluate_answers import independently_grounded


def _reply(answer: str, intent: str) -> SimpleNamespace:
    return SimpleNamespace(answer=answer, intent=intent, citations=[], estimate=None, clarification=None)


def test_an_acknowledgement_may_repeat_the_users_own_figures():
    """"好的，已记住：三级医院" after "三级医院住的院": the 三 is the user's, the reply claims nothing."""
    assert independently_grounded(_reply("好的，已记住：三级医院。想了解什么？", "statement"), message="在三级医院住的院")
    assert independently_grounded(_reply("好的，已改为：二档。", "correction"), message="不对，是二档")


def test_an_answer_may_not_take_its_figures_from_the_question():
    """A policy answer's numbers must stand in a cited clause, whatever the user typed."""
    assert not independently_grounded(_reply("起付线是300元。", "policy_question"), message="起付线是300元吗")
    assert not independently_grounded(_reply("好的，已记住：三级医院。", "statement"), message="医院住的院")


def test_an_acknowledgement_may_name_the_grade_it_inferred():
    """卫生院 is remembered as 一级医院 (the lexicon's grade): the 一 names a category the reply lists as
    a remembered fact, so it is not an invented figure; a figure beyond the listed facts still is."""
    reply = _reply("好的，已记住：一级医院。想了解什么？", "statement")
    reply.remembered = [SimpleNamespace(label="一级医院")]
    assert independently_grounded(reply, message="我在乡卫生院住的院")
    invented = _reply("好的，已记住：一级医院，起付线300元。", "statement")
    invented.remembered = [SimpleNamespace(label="一级医院")]
    assert not independently_grounded(invented, message="我在乡卫生院住的院")
