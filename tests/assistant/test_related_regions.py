"""Related rules offered with no region named show more than one region's rules when the pool has them."""

from assistant.retrieve import other_region
from assistant.select import Selection
from assistant_fakes import hit


def _sel(chunk_id, region, kind="rule", rank=0):
    h = hit(chunk_id, "参保登记到户籍所在地办理。", region, 2013 if region else None, 1.0).model_copy(update={"kind": kind})
    return Selection(hit=h, sentences=[h.text], score=1.0, rank=rank)


def test_one_regions_related_rules_bring_the_best_rule_of_another_region():
    pool = [_sel("a", "岳池县"), _sel("b", "岳池县"), _sel("c", None, kind="report"), _sel("d", "重庆", kind="report"),
            _sel("e", "重庆"), _sel("f", "湖北")]
    assert [s.hit.chunk_id for s in other_region(pool, 3)] == ["e"]


def test_two_regions_already_offered_or_no_other_region_rule_add_nothing():
    assert other_region([_sel("a", "岳池县"), _sel("b", "重庆"), _sel("c", None), _sel("d", "湖北")], 3) == []
    assert other_region([_sel("a", "岳池县"), _sel("b", "岳池县"), _sel("c", None), _sel("d", "岳池县")], 3) == []
    # with nothing tagged offered, two regions' rules are added
    added = other_region([_sel("a", None), _sel("b", None), _sel("c", None), _sel("d", "湖北"), _sel("e", "重庆")], 3)
    assert [s.hit.chunk_id for s in added] == ["d", "e"]


class _Judged:
    """A knowledge base whose judge answers with one region's rule far ahead of another's."""

    judged = True

    def __init__(self, dependent):
        self.dependent = dependent

    def search(self, query, top_k=5, filters=None):
        from knowledge_base.models import SearchResponse

        hits = [hit("a", "住院比例:二级医疗机构60%。", "岳池县", 2009, 1.15),
                hit("b", "报销比例为X%。", None, None, 0.25).model_copy(update={"kind": "report"}),
                hit("c", "一档:二级医院补偿比例60%;二档65%。", "重庆", 2013, 0.1)]
        return SearchResponse(results=hits, decision="answer", region_dependent=self.dependent)


def test_a_region_dependent_answer_lists_each_regions_rule_however_far_it_ranks():
    from assistant.retrieve import retrieve

    listed = retrieve(_Judged(True), "那二级医院呢", {"hospital_level": 2}, words="住院报销比例 二级")
    assert [s.hit.region for s in listed.selections] == ["岳池县", None, "重庆"]
    first_only = retrieve(_Judged(False), "那二级医院呢", {"hospital_level": 2}, words="住院报销比例 二级")
    assert [s.hit.region for s in first_only.selections] == ["岳池县", None]
