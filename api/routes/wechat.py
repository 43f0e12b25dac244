"""GET/POST /wechat — the WeChat Official Account server endpoint (see api/wechat/handler.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from api.errors import ApiError
from api.wechat.handler import WeChatHandler

router = APIRouter(tags=["wechat"])


def _handler(request: Request) -> WeChatHandler:
    handler: WeChatHandler = request.app.state.wechat
    if not handler.enabled:
        raise ApiError(404, "wechat_disabled", "未配置微信公众号接入（MEDPOLICY_WECHAT_TOKEN）。")
    return handler


@router.get("/wechat", summary="微信服务器验证（回显 echostr）")
async def verify(request: Request) -> Response:
    handler = _handler(request)
    echo = handler.verify_server(dict(request.query_params))
    return PlainTextResponse(echo)


async def _read_capped(request: Request, limit: int) -> bytes:
    """Read the body, refusing as soon as it exceeds `limit` (Content-Length may be absent or lie)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "payload_too_large", "消息过大。")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "payload_too_large", "消息过大。")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/wechat", summary="接收微信消息并被动回复")
async def receive(request: Request) -> Response:
    handler = _handler(request)
    params = dict(request.query_params)
    handler.check_signature(params)  # before reading or parsing anything
    body = await _read_capped(request, handler.settings.wechat_max_body_bytes)
    reply = await handler.handle(params, body)
    if reply is None:
        return PlainTextResponse("success")
    return Response(reply, media_type="application/xml; charset=utf-8")
