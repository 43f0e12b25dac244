"""Deduplication: exact copies, synonym-spun copies, and the number guard."""

from __future__ import annotations

from knowledge_base.ingest.dedupe import group_duplicates, is_near_duplicate, quality

ORIGINAL = ("从源头上控制不合理的费用支出,要根据不同医疗机构和疾病发生的特点,细化和完善医疗费用结算办法,目前我市普遍使用"
            "定额结算办法。我们可积极探索实行总额预付、按病种付费、按人头付费等鼓励医疗机构主动降低成本的费用结算办法。")
# A "spun" copy: sentences reordered, 办法->方法, 成本->本钱, a phrase dropped.
SPUN = ("要根据不同医疗机构和疾病发生的特点,从源头上控制不合理的费用支出。细化和完善医疗费用结算办法,目前我市普遍使用"
        "定额结算方法。可积极探索实行总额预付、按病种付费、按人头付费等鼓励医疗机构主动降低本钱的费用结算方法。")
FEE_A = "学龄前儿童以及18周岁以下未在校且未就业的城镇居民,2009个人缴费5元,2010个人缴费10元。属于低保对象的,个人不缴费。"
FEE_B = "学龄前儿童以及18周岁以下未在校且未就业的城镇居民,2009个人缴费15元,2010个人缴费20元。属于低保对象的,个人不缴费。"


def test_exact_copies_ignoring_punctuation_and_spaces_merge():
    groups = group_duplicates(["住院起付线为300元。", "其他内容,毫不相关的一句话。", "住院起付线为 300 元"])
    assert [g.members for g in groups] == [[0, 2], [1]]


def test_synonym_spun_copy_merges_and_the_original_is_canonical():
    assert is_near_duplicate(ORIGINAL, SPUN)
    assert quality(ORIGINAL) > quality(SPUN)
    groups = group_duplicates([SPUN, "一段无关的文字,讲的是别的事情。", ORIGINAL])
    merged = next(g for g in groups if len(g.members) == 2)
    assert merged.canonical == 2 and merged.members == [2, 0]  # canonical first, every copy kept


def test_clauses_whose_numbers_differ_are_not_merged():
    assert not is_near_duplicate(FEE_A, FEE_B)
    assert not is_near_duplicate("起付线为2012年标准300元。", "起付线为2013年标准300元。")
    assert len(group_duplicates([FEE_A, FEE_B])) == 2


def test_truncated_reprint_merges_with_the_full_copy():
    full = ORIGINAL + "各统筹地区要加强对定点医疗机构的考核。"
    assert is_near_duplicate(ORIGINAL, full)


def test_unrelated_texts_of_one_template_stay_apart():
    a = "(一)报销范围。参保城镇居民住院医疗费用的报销范围与城镇职工基本医疗保险报销范围一致。"
    b = "(五)待遇期限。一般非从业城镇居民医疗保险待遇有效期为每年的1月1日至12月31日。"
    assert len(group_duplicates([a, b])) == 2


def test_three_reprints_become_one_group_in_input_order():
    groups = group_duplicates([FEE_A, "别的内容。", FEE_A, FEE_A])
    assert groups[0].members == [0, 2, 3]
