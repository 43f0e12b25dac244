"""Cleaning: each step on its own, then the chain; original line numbers are preserved."""

from __future__ import annotations

from knowledge_base.ingest import boilerplate as bp
from knowledge_base.ingest.clean import (
    CleanLine,
    clean_document,
    collapse_spaces,
    drop_title_repeats,
    drop_trailing_teasers,
    normalize_script,
    remove_boilerplate,
    split_lines,
)
from knowledge_base.ingest.linejoin import join_bare_enumerators, rejoin_broken_lines, split_glued_headings


def texts(lines: list[CleanLine]) -> list[str]:
    return [cl.text for cl in lines]


def test_split_lines_numbers_from_one_and_skips_blanks():
    lines = split_lines("标题\n\n第一段。\r\n  \n第二段。")
    assert [(cl.text, cl.line) for cl in lines] == [("标题", 1), ("第一段。", 3), ("第二段。", 5)]


def test_script_normalisation_removes_pinyin_and_traditional():
    out = normalize_script([CleanLine("醫(yī)療保險定點醫(yī)療機(jī)構(gòu)", 7)])
    assert out == [CleanLine("医疗保险定点医疗机构", 7)]


def test_width_is_folded_and_spaces_collapsed():
    out = collapse_spaces([CleanLine("（一）起付线为３００元，于2022 年3 月1 日起执行。 副主任 XX 同志", 2)])
    assert out[0].text == "(一)起付线为300元,于2022年3月1日起执行。副主任XX同志"
    assert out[0].line == 2


def test_site_chrome_lines_are_dropped_by_kind():
    lines = split_lines(
        "电脑桌面\n添加某某文库-分享文档到电脑桌面\n安装后可以在桌面快捷访问\n"
        "来源:某某文库作者:张三2025-09-17\n时间:2024-04-07 17:50:24\n"
        "导语:这里是某某之家为你推荐的十篇范文,欢迎参考。\n"
        "前言:想要写出一篇好文章吗?我们为您整理了5篇医保范文,相信会为您的写作带来帮助。\n"
        "下面是小编为大家整理的报告6篇,供大家参考。\n"
        "某某期刊网 精选范文 医疗保险工作总结范文\n点击下载文档文档内容为doc格式\n"
        "声明:除非特别标注,否则均为本站原创文章。\n推荐访问:医保 征收 基金\n确认删除?\n"
        "参保人员住院费用按规定报销。"
    )
    assert texts(remove_boilerplate(lines)) == ["参保人员住院费用按规定报销。"]


def test_copyright_glued_to_a_heading_or_sentence_is_cut_out():
    assert bp.strip_inline_chrome("一、医疗保险政策宣传力度进一步加大版权所有!") == "一、医疗保险政策宣传力度进一步加大"
    assert bp.strip_inline_chrome("要求,某某之家版权所有,全国公务员共同的天地!依据办法") == "要求,依据办法"
    assert bp.strip_inline_chrome("提高“五种能力版权所有!”的要求") == "提高“五种能力”的要求"


def test_excerpt_terminator_marks_an_article_boundary():
    out = remove_boilerplate(split_lines("第一篇正文。\n查看全文\n第二篇标题\n正文。"))
    assert [(cl.text, cl.boundary) for cl in out] == [("第一篇正文。", ""), ("第二篇标题", "excerpt"), ("正文。", "")]
    out = remove_boilerplate(split_lines("正文。\n【关键词】医疗保险;城乡\n前言"))
    assert out[-1].boundary == "paper"


def test_template_placeholders_and_credits_are_removed():
    out = remove_boilerplate(
        split_lines("院医保自查报告 [键入文档副标题]\n李 李 A 谢老师制作 [ 选取日期]\n[在此处键入文档的摘要。]\n正文。")
    )
    assert [t.strip() for t in texts(out)] == ["院医保自查报告", "正文。"]


def test_bare_enumerator_joins_the_next_line():
    out = join_bare_enumerators([CleanLine("一、", 3), CleanLine("二、三级医院补偿比例分别为80%、60%和40%。", 5)])
    assert out == [CleanLine("一、二、三级医院补偿比例分别为80%、60%和40%。", 3)]
    out = join_bare_enumerators([CleanLine("一", 9), CleanLine("广东省社会保险费征收现状", 11)])
    assert out == [CleanLine("一、广东省社会保险费征收现状", 9)]


def test_enumeration_after_colon_continues_the_sentence():
    lines = [CleanLine("(三)住院补偿标准。一档:", 97), CleanLine("一、", 99), CleanLine("二、三级医院补偿比例为80%。", 101),
             CleanLine("一、", 107), CleanLine("二、三级医院起付线为100元。", 109)]
    out = rejoin_broken_lines(lines)
    assert out == [
        CleanLine("(三)住院补偿标准。一档:一、二、三级医院补偿比例为80%。", 97),
        CleanLine("一、二、三级医院起付线为100元。", 107),  # after "。" a new sentence starts
    ]


def test_page_break_mid_word_is_rejoined():
    lines = [CleanLine("截止年底,全市参保人数达到一定规模(其中城镇居民若干人,农", 15), CleanLine("村居民若干人),参保率97%。", 17),
             CleanLine("通过这次自查活动,我院无论在政策把握上还是医院管理", 197), CleanLine("上都有了新的进步和提高。", 199)]
    assert texts(rejoin_broken_lines(lines)) == [
        "截止年底,全市参保人数达到一定规模(其中城镇居民若干人,农村居民若干人),参保率97%。",
        "通过这次自查活动,我院无论在政策把握上还是医院管理上都有了新的进步和提高。",
    ]


def test_titles_headings_and_finished_sentences_are_not_joined():
    lines = [CleanLine("市医保基金管理存在的问题及对策建议的调研报告", 11), CleanLine("为推进全市医保基金管理工作健康发展。", 13),
             CleanLine("一、基本情况", 15), CleanLine("截止年底参保人数稳定。", 15),
             CleanLine("起付线为300元", 20), CleanLine("(四)最高支付限额。", 21)]
    assert texts(rejoin_broken_lines(lines)) == texts(lines)


def test_space_glued_pdf_headings_are_split_keeping_line_numbers():
    lines = [CleanLine(" 一、基本情况 截止 XX 年底,全市医疗保险共参保 X 人,其中城镇职工参保 X 人。", 15),
             CleanLine(" (二)抽查科室病历 (三)重点检查 2021 年审计问题 三、自查结果 经自查发现,个别患者存在出院带药超量问题。", 221)]
    out = split_glued_headings(lines)
    assert [(cl.text.strip(), cl.line) for cl in out] == [
        ("一、基本情况", 15), ("截止 XX 年底,全市医疗保险共参保 X 人,其中城镇职工参保 X 人。", 15),
        ("(二)抽查科室病历", 221), ("(三)重点检查 2021 年审计问题", 221), ("三、自查结果", 221),
        ("经自查发现,个别患者存在出院带药超量问题。", 221),
    ]


def test_parenthesised_space_is_not_a_heading_split():
    out = split_glued_headings([CleanLine("(四)外伤病人提供由所在村(居) 委会出具的外伤证明及本人承诺书。", 125)])
    assert len(out) == 1


def test_title_repeats_and_trailing_teasers_are_dropped():
    lines = [CleanLine("城乡居民医保政策宣传范文", 5), CleanLine("正文第一段。", 9), CleanLine("城乡居民医保政策宣传范文", 279),
             CleanLine("城乡居民医保政策宣传范文第1篇一、主要工作成效…(一)提升参保覆盖率:2018年...", 281)]
    assert texts(drop_trailing_teasers(drop_title_repeats(lines))) == ["城乡居民医保政策宣传范文", "正文第一段。"]


def test_clean_document_end_to_end_keeps_original_line_numbers():
    raw = (
        "電腦桌面\n\n醫(yī)療保險政策\n\n來源:某某文庫作者:某人2025-09-17\n\n"
        "第一條為加強(qiáng)管理,制定本辦法。\n\n查看全文\n\n住院起付線為300元,\n\n報銷比例為70%。"
    )
    out = clean_document(raw)
    assert [(cl.text, cl.line) for cl in out] == [
        ("医疗保险政策", 3),
        ("第一条为加强管理,制定本办法。", 7),
        ("住院起付线为300元,报销比例为70%。", 11),
    ]
    assert out[2].boundary == "excerpt"


def test_keyword_stuffing_is_removed_and_a_real_faq_kept():
    from knowledge_base.ingest.boilerplate import strip_keyword_stuffing

    stuffed = ("三、参保缴费标准: 某市居民医保(新农合)怎么报销?某市居民医保(新农合)报销比例?"
               "某市居民医保(新农合)报销多少?某市居民医保(新农合)政策?一档:个人筹资60元/人年。")
    assert strip_keyword_stuffing(stuffed) == "三、参保缴费标准: 一档:个人筹资60元/人年。"
    faq = "问:门诊怎么报销?答:凭卡结算。问:住院怎么报销?答:直接结算。问:异地怎么报销?答:先备案。"
    assert strip_keyword_stuffing(faq) == faq
    two = "门诊怎么报销?门诊报销多少?请咨询医保窗口。"  # two questions are a question, not stuffing
    assert strip_keyword_stuffing(two) == two


def test_citation_marks_leave_running_text_but_not_the_reference_list():
    from knowledge_base.ingest.clean import drop_reference_marks

    lines = [CleanLine("基金收入占全省的79.81%。[2] 同年,支出1398.31亿元。", 3),
             CleanLine("也是医保管理工作重点内容[3]。首先,针对服务对象[4-6]进行分析。", 4),
             CleanLine("[1]许海茹:社会医疗保险政策对医疗服务的影响[J].2015,5(7).", 9)]
    assert [cl.text for cl in drop_reference_marks(lines)] == [
        "基金收入占全省的79.81%。同年,支出1398.31亿元。",
        "也是医保管理工作重点内容。首先,针对服务对象进行分析。",
        "[1]许海茹:社会医疗保险政策对医疗服务的影响[J].2015,5(7).",
    ]
    assert [cl.line for cl in drop_reference_marks(lines)] == [3, 4, 9]
