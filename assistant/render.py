"""Two renderings of one reply: structured for the web, plain text for a WeChat passive reply.

WeChat accepts at most 2048 bytes of UTF-8 in one passive text reply, so the WeChat text abbreviates
citations to their region/year and the last heading, and is cut at a character boundary (never
mid-character) when it would still be too long.
"""

from __future__ import annotations

from typing import Any

from assistant.models import AssistantReply, Citation

WECHAT_MAX_BYTES = 2048
_ELLIPSIS = "…"


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Longest prefix of `text` that fits `max_bytes` of UTF-8 (an ellipsis marks a cut)."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    budget = max_bytes - len(_ELLIPSIS.encode("utf-8"))
    cut = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return cut + _ELLIPSIS


def short_citation(citation: Citation) -> str:
    """"[1] 岳池县 2009 · (二)起付标准" — enough to find the clause, short enough for a phone."""
    last = citation.citation.split("›")[-1].strip() if citation.citation else citation.chunk_id
    place = " ".join(str(x) for x in (citation.region, citation.year) if x)
    return f"[{citation.n}] {place + ' · ' if place else ''}{last[:30]}"


def render_wechat(reply: AssistantReply, max_bytes: int = WECHAT_MAX_BYTES) -> str:
    """Answer, the clarifying question with its options numbered, then abbreviated citations.
    The citations are dropped before the answer is cut, since the answer matters more."""
    body = [reply.answer]
    if reply.estimate and reply.remembered:
        # The figure depends on what was remembered from earlier messages: say so.
        body.append("（按已记住的：" + " · ".join(f.label for f in reply.remembered) + "）")
    if reply.clarification:
        if not reply.answer.endswith(reply.clarification.question):
            body.append(reply.clarification.question)
        if reply.clarification.options:
            body.append("可回复：" + " / ".join(reply.clarification.options))
    main = "\n".join(part for part in body if part)
    sources = "\n".join(short_citation(c) for c in reply.citations)
    full = f"{main}\n—— 出处 ——\n{sources}" if sources else main
    if len(full.encode("utf-8")) <= max_bytes:
        return full
    return truncate_utf8(main, max_bytes)


def render_web(reply: AssistantReply) -> dict[str, Any]:
    """The structured form (`medpolicy ask --json`, `POST /api/chat`)."""
    return {
        "session_id": reply.session_id,
        "answer": reply.answer,
        "citations": [
            {"n": c.n, "chunk_id": c.chunk_id, "citation": c.citation, "text": c.text, "region": c.region, "year": c.year}
            for c in reply.citations
        ],
        "intent": reply.intent,
        "clarification": (
            {"question": reply.clarification.question, "options": reply.clarification.options}
            if reply.clarification else None
        ),
        "estimate": reply.estimate,
        "slots": reply.slots,
        "grounded": reply.grounded,
        "remembered": [f.model_dump(mode="json") for f in reply.remembered],
    }
