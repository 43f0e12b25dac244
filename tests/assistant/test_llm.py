import httpx

from assistant.llm import LLMRewriter, LLMSettings
from assistant.service import Assistant
from assistant.session_store import InMemorySessionStore
from assistant_fakes import default_kb, fake_parse, fake_port

SETTINGS = LLMSettings(base_url="http://llm.test/v1", model="m", api_key="k")


def rewriter(content=None, status=200):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"choices": [{"message": {"content": content}}]})

    return LLMRewriter(SETTINGS, transport=httpx.MockTransport(handler)), seen


def test_disabled_without_settings(monkeypatch):
    monkeypatch.delenv("MEDPOLICY_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("MEDPOLICY_LLM_MODEL", raising=False)
    assert LLMRewriter.from_env() is None


def test_calls_openai_compatible_endpoint():
    llm, seen = rewriter("改写后的答复")
    assert llm.rewrite("问", "答", ["条款"]) == "改写后的答复"
    assert seen[0].url.path == "/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer k"


def test_errors_give_none():
    llm, _ = rewriter("x", status=500)
    assert llm.rewrite("问", "答", []) is None


def ask(llm):
    assistant = Assistant(default_kb(), fake_port(), InMemorySessionStore(), nlu=fake_parse, llm=llm)
    return assistant.ask("岳池县住院起付线是多少")


def test_grounded_rewrite_is_used():
    llm, _ = rewriter("岳池县二级医院起付线350元[1]。")
    assert ask(llm).answer == "岳池县二级医院起付线350元[1]。"


def test_rewrite_with_an_invented_number_is_discarded():
    llm, _ = rewriter("岳池县二级医院起付线只要300元[1]。")
    reply = ask(llm)
    assert "300" not in reply.answer and "350元" in reply.answer
