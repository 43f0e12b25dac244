"""POST /api/chat — one assistant turn, stored (PII-masked) with a turn id for feedback."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import to_jsonable_python

from api.deps import Services, get_services
from api.errors import ApiError
from api.pii import mask_pii
from assistant.models import AssistantReply
from assistant.render import render_web

router = APIRouter(tags=["chat"])

SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"example": {"message": "住院起付线是多少"}})

    session_id: str | None = Field(None, pattern=SESSION_ID_PATTERN, description="省略则开始新会话")
    message: str = Field(min_length=1, description="用户的问题（身份证号、电话、银行卡号会被隐去）")
    channel: str = Field("web", pattern=r"^[a-z_]{1,16}$")


def is_refusal(exc: ValueError) -> bool:
    """The assistant's own refusal of a message (plain ValueError with a Chinese reason), as
    opposed to a pydantic ValidationError, which is a bug and must surface as a 500."""
    return not isinstance(exc, ValidationError)


@dataclass(frozen=True)
class Turn:
    reply: AssistantReply
    turn_id: str
    pii_masked: bool  # the message had personal data that was masked before anyone saw it


def run_turn(services: Services, message: str, session_id: str | None, channel: str) -> Turn:
    """Ask the assistant and store the turn.

    Synchronous on purpose: it runs in the assistant's worker pool, for the JSON API and the
    WeChat handler alike, so both record turns the same way and the event loop never blocks.
    The message is PII-masked before the assistant (and its session store) or the database see it.
    """
    masked = mask_pii(message.strip())
    assistant = services.get("assistant")
    started = time.perf_counter()
    reply: AssistantReply = assistant.ask(masked, session_id=session_id, channel=channel)
    latency_ms = (time.perf_counter() - started) * 1000
    turn_id = services.get("db").record_turn(
        session_id=reply.session_id,
        channel=channel,
        message=masked,
        answer=reply.answer,
        intent=reply.intent,
        citations=[c.chunk_id for c in reply.citations],
        grounded=reply.grounded,
        latency_ms=latency_ms,
    )
    return Turn(reply, turn_id, masked != message.strip())


@router.post("/api/chat", summary="向助手提问（一轮对话）")
async def chat(body: ChatRequest, services: Services = Depends(get_services)) -> JSONResponse:
    message = body.message.strip()
    if not message:
        raise ApiError(422, "invalid_input", "字段“message”内容不能为空。", "message")
    if len(message) > services.settings.max_message_chars:
        raise ApiError(
            422, "invalid_input", f"字段“message”内容过长（最多 {services.settings.max_message_chars} 字）。", "message"
        )
    loop = asyncio.get_running_loop()
    try:
        turn = await loop.run_in_executor(services.executor, run_turn, services, message, body.session_id, body.channel)
    except ValueError as exc:
        if not is_refusal(exc):
            raise
        raise ApiError(422, "invalid_input", str(exc), "message") from exc  # e.g. too long, in Chinese
    # The object `medpolicy ask --json` prints, plus the turn id (for feedback) and the masking flag.
    data = {**render_web(turn.reply), "turn_id": turn.turn_id, "pii_masked": turn.pii_masked}
    return JSONResponse(to_jsonable_python(data))  # pydantic's rules: Decimal stays an exact string
