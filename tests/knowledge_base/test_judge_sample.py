"""The judge learns from a bounded sample per clause: every near-domain question, at most `limit`
answerable questions of each gold clause, the same sample whatever the file order."""

from __future__ import annotations

from knowledge_base.learned.annotations import AnnotatedQuestion, GoldRef, GoldResolver
from knowledge_base.learned.train import judge_sample
from tests.conftest import make_clause

CLAUSES = [make_clause("c1", "住院起付线为300元。"), make_clause("c2", "门诊统筹年度限额为400元。")]


def _answerable(n: int, quote: str) -> AnnotatedQuestion:
    return AnnotatedQuestion(id=f"a{n}", split="train", author="T", prompt="p", type="answerable",
                             question=f"问题{n}", gold=[GoldRef(file="test.txt", quote=quote)])


def _items() -> list[AnnotatedQuestion]:
    items = [_answerable(n, "住院起付线") for n in range(10)] + [_answerable(100 + n, "门诊统筹") for n in range(2)]
    items.append(AnnotatedQuestion(id="n1", split="train", author="T", prompt="p", type="no_basis", question="工伤怎么报"))
    items.append(_answerable(200, "书里没有的句子"))  # its quote resolves to no clause
    return items


def test_each_clause_keeps_at_most_the_limit_and_everything_else_stays():
    items = _items()
    keep = judge_sample(items, GoldResolver(CLAUSES), limit=3)
    kept = [i.id for i, k in zip(items, keep, strict=True) if k]
    assert sum(1 for i in kept if i.startswith("a") and int(i[1:]) < 10) == 3
    assert {"a100", "a101", "n1", "a200"} <= set(kept)
    assert len(kept) == 7


def test_the_sample_does_not_depend_on_file_order():
    items = _items()
    resolver = GoldResolver(CLAUSES)
    forward = {i.id for i, k in zip(items, judge_sample(items, resolver, limit=3), strict=True) if k}
    backward = {i.id for i, k in zip(items[::-1], judge_sample(items[::-1], resolver, limit=3), strict=True) if k}
    assert forward == backward
