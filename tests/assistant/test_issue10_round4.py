"""Issue 10, round 4: classes found in the dev conversations after the annotator rounds were added."""

from __future__ import annotations

from assistant.conversation_eval import _figure_found


def test_a_figure_in_wan_is_found_by_value():
    assert _figure_found("24万元", "最高支付限额 240000.00 元。")
    assert _figure_found("7万元", "医保支付 70,000 元")
    assert not _figure_found("24万元", "最高支付限额 24 个月")
    assert _figure_found("30000元", "全年最高3万元")
