"""POST /api/chat — one assistant turn, stored (PII-masked) with a turn id for feedback.

The server issues the session id (on the first turn, when the request names none) and the route
sets the channel ("web"): a client can neither choose an id nor reach a WeChat session.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python
from starlette.concurrency import run_in_threadpool

from api.abuse import limit_chat
from api.deps import Services, get_services
from api.errors import ApiError
from api.observability import in_context
from api.sessions import new_web_session_id
from api.turns import is_refusal, run_turn
from assistant.render import render_web

router = APIRouter(tags=["chat"])

SESSION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


WEB_CHANNEL = "web"
UNKNOWN_SESSION = "会话不存在或已失效：会话编号由服务端分配，请不要自行指定。省略 session_id 即开始新会话，之后沿用回答中返回的 session_id。"


class ChatRequest(BaseModel):
    # Unknown fields, including a former client-set `channel`, are ignored: the route sets it.
    model_config = ConfigDict(extra="ignore", json_schema_extra={"example": {"message": "住院起付线是多少"}})

    session_id: str | None = Field(
        None, pattern=SESSION_ID_PATTERN, description="服务端分配的会话编号（上一轮回答中的 session_id）；省略则开始新会话"
    )
    message: str = Field(min_length=1, description="用户的问题（身份证号、电话、银行卡号会被隐去）")


async def resolve_web_session(services: Services, session_id: str | None) -> str:
    """A new server-issued id, or the given one if the server issued it for the web channel."""
    if session_id is None:
        return new_web_session_id()
    channel = await run_in_threadpool(services.db.session_channel, session_id)
    if channel != WEB_CHANNEL:
        raise ApiError(422, "unknown_session", UNKNOWN_SESSION, "session_id")
    return session_id


@router.post("/api/chat", summary="向助手提问（一轮对话）", dependencies=[Depends(limit_chat)])
async def chat(body: ChatRequest, services: Services = Depends(get_services)) -> JSONResponse:
    message = body.message.strip()
    if not message:
        raise ApiError(422, "invalid_input", "字段“message”内容不能为空。", "message")
    if len(message) > services.settings.max_message_chars:
        raise ApiError(
            422, "invalid_input", f"字段“message”内容过长（最多 {services.settings.max_message_chars} 字）。", "message"
        )
    session_id = await resolve_web_session(services, body.session_id)
    loop = asyncio.get_running_loop()
    try:
        turn = await loop.run_in_executor(services.executor, in_context(run_turn, services, message, session_id, WEB_CHANNEL))
    except ValueError as exc:
        if not is_refusal(exc):
            raise
        raise ApiError(422, "invalid_input", str(exc), "message") from exc  # e.g. too long, in Chinese
    # The object `medpolicy ask --json` prints, plus the turn id (for feedback) and the masking flag.
    data = {**render_web(turn.reply), "turn_id": turn.turn_id, "pii_masked": turn.pii_masked}
    return JSONResponse(to_jsonable_python(data))  # pydantic's rules: Decimal stays an exact string
