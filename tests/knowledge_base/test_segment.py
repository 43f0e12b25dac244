"""Segmentation: articles, numbering families, heading/body split, size bound, stable ids."""

from __future__ import annotations

from knowledge_base.ingest.chunking import split_long
from knowledge_base.ingest.clean import CleanLine
from knowledge_base.ingest.markers import match_marker
from knowledge_base.ingest.segment import chunk_ids, match_article, segment_document


def seg(*texts: str, title: str = "测试文件", max_chars: int = 400, boundaries: dict[int, str] | None = None):
    boundaries = boundaries or {}
    lines = [CleanLine(t, i + 1, boundaries.get(i, "")) for i, t in enumerate(texts)]
    return segment_document("doc", lines, title, max_chars)


def paths(sd) -> list[str]:
    return [" › ".join(c.heading_path) for c in sd.clauses]


def test_article_markers_of_every_form():
    assert match_article("城乡居民医保政策宣传范文第3篇") == 3
    assert match_article("第1篇:医疗保险工作总结范文") == 1
    assert match_article("篇六:医保基金的征收报告") == 6
    assert match_article("根据第3篇的规定,参保人员应当缴费。") is None


def test_citation_path_document_article_section_subsection():
    sd = seg(
        "城乡居民医保政策宣传范文第2篇",
        "四、医保待遇:各档待遇如下。",
        "(三)住院补偿标准。一档:一、二、三级医院补偿比例分别为80%、60%和40%。",
        "一、二、三级医院住院起付线分别为100元/次、300元/次、800元/次。",
        title="城乡居民医保政策宣传范文",
    )
    last = sd.clauses[-1]
    assert last.citation == "城乡居民医保政策宣传范文 › 第2篇 › 四、医保待遇 › (三)住院补偿标准"
    # the heading's own sentence and the "一、二、三级" line are its body, not new sections
    assert last.text == "一档:一、二、三级医院补偿比例分别为80%、60%和40%。\n一、二、三级医院住院起付线分别为100元/次、300元/次、800元/次。"
    assert sd.clauses[0].heading_path == ["第2篇", "四、医保待遇"] and sd.clauses[0].text == "各档待遇如下。"


def test_numbering_families_nest_in_canonical_order():
    sd = seg("一、总体要求", "(一)目标", "1.扩大覆盖面。", "(1)城镇职工全部参保。", "①单位缴费,个人缴费。", "二、保障措施",
             "a、加强宣传。")
    # headings with children carry no text of their own; leaf headings are their own content
    assert paths(sd) == [
        "一、总体要求 › (一)目标 › 1.扩大覆盖面 › (1)城镇职工全部参保 › ①单位缴费,个人缴费",
        "二、保障措施 › a、加强宣传",
    ]
    assert [c.text for c in sd.clauses] == ["①单位缴费,个人缴费。", "a、加强宣传。"]


def test_regulation_articles_and_their_items():
    sd = seg("第一章总则", "第一条为加强管理,制定本办法。", "第三条遵循以下原则:", "(一)公平、公正、公开;", "(二)方便参保人员就医。")
    assert paths(sd) == ["第一章总则 › 第一条", "第一章总则 › 第三条"]
    # items of a 条 stay inside it (the article is the citable unit of a regulation)
    assert sd.clauses[1].text == "遵循以下原则:\n(一)公平、公正、公开;\n(二)方便参保人员就医。"


def test_cross_reference_and_numbers_in_sentences_are_not_headings():
    sd = seg(
        "一、参保范围",
        "根据第三条规定,本市户籍居民均可参保。",
        "三、本款所称的居民不含在校学生。",  # jumps from 一 to 三 after prose: out of sequence? no — tolerated gap
        "2018年参保人数为697600人。",
        "1.5万元以上的部分由大病保险支付。",
    )
    heads = {c.heading_path[-1] for c in sd.clauses}
    assert "2018年参保人数为697600人" not in " ".join(heads)
    assert all(not p.startswith("1.5") for c in sd.clauses for p in c.heading_path)
    assert sd.clauses[0].text == "根据第三条规定,本市户籍居民均可参保。"
    assert match_marker("根据第三条规定") is None


def test_out_of_sequence_number_is_body_text():
    sd = seg("一、缴费标准", "(一)成年居民每人每年缴费180元。", "(七)这一行的编号不接续前文,是正文。")
    assert paths(sd) == ["一、缴费标准 › (一)成年居民每人每年缴费180元"]
    assert "(七)这一行" in sd.clauses[0].text


def test_unnumbered_title_line_opens_a_section_and_article_title():
    sd = seg("医疗保险定点医疗制度", "第一条为加强管理,制定本办法。", "2007年工作思路", "1、加大宣传力度。", "顾县镇劳动保障站")
    assert paths(sd) == ["医疗保险定点医疗制度 › 第一条", "医疗保险定点医疗制度 › 2007年工作思路 › 1、加大宣传力度"]


def test_excerpt_boundary_with_title_starts_an_implicit_article():
    sd = seg("医疗救助试点意见", "一、试点目标。各地开展试点。", "医保工作要点", "一、加强党建。坚持理论学习。",
             boundaries={2: "excerpt"})
    assert paths(sd) == ["医疗救助试点意见 › 一、试点目标", "医保工作要点 › 一、加强党建"]


def test_restart_of_top_numbering_separates_glued_texts():
    sd = seg("一、扩面工作。全县新增参保单位60个。", "二、协议管理。加强定点医疗机构管理。", "一、强化医保管理机制。", "(一)稳步推进三项制度。")
    assert [c.article for c in sd.clauses] == [0, 0, 1]
    assert sd.clauses[-1].heading_path == ["一、强化医保管理机制", "(一)稳步推进三项制度"]


def test_long_clause_is_split_at_items_within_the_bound():
    items = "".join(f"{n}是加强第{n}项工作,确保各项措施落实到位并取得明显成效,群众满意度持续提升。" for n in "一二三四五六七八九十")
    sd = seg("(一)工作措施", items, max_chars=120)
    assert len(sd.clauses) > 1
    assert all(len(c.text) <= 120 for c in sd.clauses)
    assert all(c.text[1] == "是" for c in sd.clauses)  # every chunk starts at an item
    assert "".join(c.text for c in sd.clauses) == items


def test_split_long_falls_back_to_sentences_then_hard_cut():
    text = "这是一句没有条目的话。" * 30
    assert all(len(p) <= 50 for p in split_long(text, 50)) and "".join(split_long(text, 50)) == text
    blob = "无" * 130
    assert [len(p) for p in split_long(blob, 50)] == [50, 50, 30]


def test_chunk_ids_are_stable_and_collisions_disambiguated():
    a = seg("一、参保对象", "本市户籍居民。", "二、缴费", "每人每年180元。")
    b = seg("一、参保对象", "本市户籍居民。", "二、缴费", "每人每年180元。")
    assert chunk_ids(a.clauses) == chunk_ids(b.clauses)
    assert all(i.startswith("doc-") for i in chunk_ids(a.clauses))
    twice = seg("一、说明", "同一句话。", "同一句话。", max_chars=5)
    ids = chunk_ids(twice.clauses)
    assert len(ids) == 2 and ids[1] == ids[0] + "-2"


def test_chunk_id_does_not_depend_on_other_clauses():
    alone = seg("一、参保对象", "本市户籍居民。")
    more = seg("前言的一段话,与后文无关。", "一、参保对象", "本市户籍居民。")
    assert chunk_ids(alone.clauses)[-1] == chunk_ids(more.clauses)[-1]


def test_sentence_heading_gets_a_short_label_and_keeps_its_sentence():
    sd = seg("二、1-4月份主要工作完成情况",
             "(一)进一步搞好城镇职工和城镇居民基本医疗保险扩覆和基金征缴工作,确保全年任务完成。",
             "(二)加强领导,密切配合,确保试点工作顺利进行。")
    assert paths(sd) == ["二、1-4月份主要工作完成情况 › (一)进一步搞好城镇职工和城镇居民基本医疗保险…",
                         "二、1-4月份主要工作完成情况 › (二)加强领导,密切配合…"]
    assert sd.clauses[0].text == "进一步搞好城镇职工和城镇居民基本医疗保险扩覆和基金征缴工作,确保全年任务完成。"


def test_titled_headings_stay_as_written():
    sd = seg("四、医保待遇", "(三)住院补偿标准。一档:一、二、三级医院补偿比例分别为80%、60%和40%。",
             "(四)最高支付限额:2009为30000元。")
    assert paths(sd) == ["四、医保待遇 › (三)住院补偿标准", "四、医保待遇 › (四)最高支付限额"]


def test_title_glued_to_its_first_subheading_is_split():
    sd = seg("一、试点的指导思想和基本原则(一)指导思想:以人为本,帮助群众解决就医困难。", "(二)总体目标:用2年时间试点。")
    assert paths(sd) == ["一、试点的指导思想和基本原则 › (一)指导思想", "一、试点的指导思想和基本原则 › (二)总体目标"]


def test_new_topic_after_the_last_one_line_item_is_its_own_clause_under_the_section():
    sd = seg("四、保险待遇",
             "(一)最高支付限额。2009为30000元。",
             "(二)待遇期限。待遇有效期为每年的1月1日至12月31日。",
             "对在县境外异地定点医院住院的城镇居民,起付标准上浮300元,报销比例下浮5%。",
             "五、与新农合比较",
             "报销范围更大。")
    assert paths(sd) == ["四、保险待遇 › (一)最高支付限额", "四、保险待遇 › (二)待遇期限",
                         "四、保险待遇 › 对在县境外异地定点医院住院的城镇居民…", "五、与新农合比较"]
    assert sd.clauses[1].text == "待遇有效期为每年的1月1日至12月31日。"
    assert sd.clauses[2].text == "对在县境外异地定点医院住院的城镇居民,起付标准上浮300元,报销比例下浮5%。"
    assert sd.clauses[2].line == 4


def test_paragraph_continuing_the_last_item_stays_with_it():
    items = ("二、缴费标准", "(一)成年居民。每人每年缴费85元。", "(二)学生。每人每年缴费10元。")
    leaning = seg(*items, "其中低保对象个人不缴费。")  # opens with a word that leans on the item
    assert paths(leaning)[-1] == "二、缴费标准 › (二)学生"
    assert leaning.clauses[-1].text == "每人每年缴费10元。\n其中低保对象个人不缴费。"
    announced = seg("二、缴费标准", "(一)成年居民。每人每年缴费85元。", "(二)学生缴费分两档:", "一档每人10元,二档每人20元。")
    assert paths(announced)[-1] == "二、缴费标准 › (二)学生缴费分两档"
    # items that already run over several paragraphs give no shape to break: nothing moves
    loose = seg("二、缴费标准", "(一)成年居民。每人每年缴费85元。", "另有补助。", "(二)学生。每人每年缴费10元。",
                "学校统一代收代缴。")
    assert paths(loose) == ["二、缴费标准 › (一)成年居民", "二、缴费标准 › (二)学生"]
