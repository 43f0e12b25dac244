import json

import pytest
from typer.testing import CliRunner

from api.cli import app
from assistant.service import Assistant
from assistant.session_store import InMemorySessionStore
from assistant_fakes import default_kb, fake_parse, fake_port


@pytest.fixture(autouse=True)
def fake_stack(monkeypatch):
    store = InMemorySessionStore()  # shared across invocations, like the SQLite file
    monkeypatch.setattr(Assistant, "create_default",
                        classmethod(lambda cls, settings=None: cls(default_kb(), fake_port(), store, nlu=fake_parse)))


def test_ask_json_has_the_documented_shape():
    result = CliRunner().invoke(app, ["ask", "岳池县住院起付线是多少", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"session_id", "answer", "citations", "intent", "clarification", "estimate"}
    assert data["intent"] == "policy_question"
    assert set(data["citations"][0]) >= {"chunk_id", "citation", "text", "region", "year"}


def test_ask_continues_a_session():
    runner = CliRunner()
    first = json.loads(runner.invoke(app, ["ask", "住院3万能报销多少", "--json"]).output)
    assert first["clarification"]["options"] == ["一级医院", "二级医院", "三级医院"]
    second = json.loads(runner.invoke(app, ["ask", "三级医院", "--session", first["session_id"], "--json"]).output)
    assert second["estimate"]["reimbursed"] == "17670.00"


def test_stdin_gives_one_json_per_line_each_a_fresh_session():
    result = CliRunner().invoke(app, ["ask", "--stdin"], input="你好\n岳池县住院起付线\n\n谢谢\n")
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [x["intent"] for x in lines] == ["greeting", "policy_question", "thanks"]
    assert len({x["session_id"] for x in lines}) == 3


def test_ask_without_question_is_a_clear_error():
    result = CliRunner().invoke(app, ["ask"])
    assert result.exit_code == 2


def test_chat_holds_a_conversation():
    result = CliRunner().invoke(app, ["chat"], input="住院3万能报销多少\n三级医院\n退出\n")
    assert result.exit_code == 0
    assert "请问在哪一级医院就诊？" in result.output and "17670.00" in result.output
