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


@router.post("/wechat", summary="接收微信消息并被动回复")
async def receive(request: Request) -> Response:
    handler = _handler(request)
    params = dict(request.query_params)
    handler.check_signature(params)  # before reading or parsing anything
    body = await request.body()  # capped by the BodySizeLimit middleware (MEDPOLICY_WECHAT_MAX_BODY_BYTES)
    reply = await handler.handle(params, body)
    if reply is None:
        return PlainTextResponse("success")
    return Response(reply, media_type="application/xml; charset=utf-8")
