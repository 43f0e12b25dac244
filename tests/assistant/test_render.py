from assistant.models import AssistantReply, Citation, Clarification
from assistant.render import WECHAT_MAX_BYTES, render_web, render_wechat, truncate_utf8


def reply(answer, n_citations=1, clarification=None):
    cites = [Citation(n=i + 1, chunk_id=f"c{i}", citation="文件 › 第二篇 › (二)起付标准", text="条款", region="重庆", year=2013)
             for i in range(n_citations)]
    return AssistantReply(session_id="s", answer=answer, citations=cites, intent="policy_question",
                          clarification=clarification)


def test_truncate_never_splits_a_character():
    text = "医保" * 2000
    cut = truncate_utf8(text, 2048)
    assert len(cut.encode("utf-8")) <= 2048
    assert cut.endswith("…") and cut[:-1] == text[: len(cut) - 1]


def test_wechat_text_abbreviates_citations():
    text = render_wechat(reply("起付线300元[1]"))
    assert "[1] 重庆 2013 · (二)起付标准" in text


def test_wechat_text_fits_one_passive_reply():
    text = render_wechat(reply("很长的答复。" * 400, n_citations=5))
    assert len(text.encode("utf-8")) <= WECHAT_MAX_BYTES


def test_wechat_lists_quick_replies():
    text = render_wechat(reply("规定不同", clarification=Clarification(question="哪个地区？", options=["重庆", "岳池县"])))
    assert "哪个地区？" in text and "重庆 / 岳池县" in text


def test_web_rendering_has_the_cli_shape():
    data = render_web(reply("答复[1]"))
    assert set(data) >= {"session_id", "answer", "citations", "intent", "clarification", "estimate"}
    assert data["citations"][0] == {"n": 1, "chunk_id": "c0", "citation": "文件 › 第二篇 › (二)起付标准",
                                    "text": "条款", "region": "重庆", "year": 2013}
