"""The conversation evaluator reads a citation as the clause it names, not only the quote it shows."""

from types import SimpleNamespace

from assistant.conversation_eval import run_conversation
from assistant.dialogue_annotations import AnnotatedConversation
from assistant.models import Citation

CLAUSE = "职工医保:起付线低,门槛费只要200元,退休报销95%,在职报销90%。"


class _Kb:
    def get(self, chunk_id: str):
        if chunk_id == "doc-1":
            return SimpleNamespace(text=CLAUSE, index_text="新兴医院 职工医保 " + CLAUSE)
        raise KeyError(chunk_id)


class _Assistant:
    """Answers every turn with one estimate whose citation shows fragments joined by "……"."""

    def __init__(self, chunk_id: str) -> None:
        self.kb = _Kb()
        self.chunk_id = chunk_id

    def ask(self, text: str, session_id=None):
        citation = Citation(n=1, chunk_id=self.chunk_id, citation="新兴医院 › 职工医保",
                            text="门槛费只要200元……退休报销95%")
        return SimpleNamespace(session_id="s", intent="estimate", slots={}, clarification=None,
                               answer="报销 5510 元 [1]", citations=[citation])


def _conversation(snippet: str) -> AnnotatedConversation:
    return AnnotatedConversation.model_validate({
        "id": "t-1", "split": "dev", "author": "T", "prompt": "dialogue-v1",
        "turns": [{"say": "我是新兴医院的退休职工"},
                  {"say": "住院花了6000能报好多", "expect": {"figure": "5510元", "cites": [snippet]}}]})


def test_a_snippet_split_by_the_displayed_fragments_is_found_in_the_cited_clause():
    result = run_conversation(_Assistant("doc-1"), _conversation("门槛费只要200元,退休报销95%"))
    assert result.right and not result.right_shown


def test_a_snippet_of_a_clause_not_cited_is_still_wrong():
    result = run_conversation(_Assistant("doc-1"), _conversation("在职报销90%,个人账户"))
    assert not result.right and not result.right_shown


def test_a_citation_the_library_lacks_is_read_by_its_displayed_text():
    result = run_conversation(_Assistant("rule-set-only"), _conversation("门槛费只要200元"))
    assert result.right and result.right_shown
    assert not run_conversation(_Assistant("rule-set-only"), _conversation("门槛费只要200元,退休报销95%")).right


def test_a_snippet_running_from_the_clause_s_heading_into_its_text_is_found():
    # Annotators read headings with their text: "职工医保。起付线低" spans both.
    assert run_conversation(_Assistant("doc-1"), _conversation("职工医保。职工医保:起付线低")).right
