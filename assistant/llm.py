"""Optional LLM rewriter: smooths an extractive answer through an OpenAI-compatible endpoint.

Off unless MEDPOLICY_LLM_BASE_URL and MEDPOLICY_LLM_MODEL are set. Whatever it returns goes through
the same grounding check as every answer; any failure (network, timeout, bad shape, an ungrounded
number) leaves the extractive answer in place, so the rewriter can only ever make wording nicer.
"""

from __future__ import annotations

import logging

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "你是医保政策助手。请把给定的答复改写得更口语、简短（不超过150字），面向老年人。"
    "只能使用答复和条款中出现的数字，不得增加任何新的数字或事实；保留[1]这样的引用标记。"
)


class LLMSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDPOLICY_LLM_", env_file=".env", extra="ignore")

    base_url: str | None = None  # e.g. http://127.0.0.1:8080/v1
    model: str | None = None
    api_key: str | None = None
    timeout_s: float = 3.0

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)


class LLMRewriter:
    """Calls `POST {base_url}/chat/completions`; returns None whenever it cannot help."""

    def __init__(self, settings: LLMSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._client = httpx.Client(
            base_url=(settings.base_url or "").rstrip("/"), timeout=settings.timeout_s,
            headers=headers, transport=transport,
        )

    @classmethod
    def from_env(cls) -> "LLMRewriter | None":
        settings = LLMSettings()
        return cls(settings) if settings.enabled else None

    def rewrite(self, question: str, answer: str, clauses: list[str]) -> str | None:
        payload = {
            "model": self.settings.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": f"问题：{question}\n答复：{answer}\n条款：\n" + "\n".join(clauses)},
            ],
        }
        try:
            response = self._client.post("/chat/completions", json=payload)
            response.raise_for_status()
            text = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            log.warning("LLM rewriter unavailable, keeping the extractive answer: %s", exc)
            return None
        return text.strip() if isinstance(text, str) and text.strip() else None
