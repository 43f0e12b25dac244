"""How many related rules a reply offers depends on where it is read: five as citation cards on the
web and the operator console, three in a WeChat reply (one phone screen, 2048 bytes)."""

from assistant.retrieve import MAX_RELATED, related_limit
from assistant.service import Assistant
from assistant.session_store import InMemorySessionStore
from assistant_fakes import fake_parse, fake_port, hit
from knowledge_base.models import SearchResponse

_TEXTS = ["参保人员持社保卡到定点医院办理入院手续。", "出院时在医院窗口直接结算。", "转诊需经参保地经办机构备案。",
          "异地就医的先备案再就医。", "门诊特殊疾病需提出申请并经审核。", "大病保险由商业保险机构承办。",
          "医疗救助对象包括特困供养人员。", "个人账户可用于支付门诊费用。"]


class _RelatedOnlyKB:
    """A judged library that finds eight relevant clauses and trusts none to answer."""

    judged = True

    def search(self, query, top_k=5, filters=None):
        hits = [hit(f"c{n}", text, None, None, 2.0 - n / 10) for n, text in enumerate(_TEXTS)]
        return SearchResponse(results=hits[:top_k], decision="related")

    def facets(self):
        return {"regions": []}


def _citations(channel: str) -> int:
    assistant = Assistant(_RelatedOnlyKB(), fake_port(), InMemorySessionStore(), nlu=fake_parse)
    reply = assistant.ask("住院了要办些啥手续", channel=channel)
    return len(reply.citations)


def test_web_and_console_offer_more_related_rules_than_wechat():
    assert related_limit("web") == MAX_RELATED == 5
    assert related_limit("wechat") == 3
    assert _citations("web") == 5
    assert _citations("cli") == 5
    assert _citations("wechat") == 3
