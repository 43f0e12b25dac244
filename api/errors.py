"""One error shape for every endpoint: `{"error": {"code", "message", "field"?}}`.

Messages are Chinese because end users read them; `code` is a stable English identifier for
programs. Unhandled exceptions are logged and turned into a generic 500 so that no stack trace
ever reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("medpolicy.api")

_STATUS_CODES = {
    400: ("bad_request", "请求有误。"),
    401: ("unauthorized", "未授权。"),
    403: ("forbidden", "无权执行此操作。"),
    404: ("not_found", "请求的内容不存在。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    413: ("payload_too_large", "请求内容过大。"),
    415: ("unsupported_media_type", "请求格式不受支持，请发送 JSON。"),
    429: ("rate_limited", "请求过于频繁，请稍后再试。"),
    503: ("not_ready", "服务正在启动，请稍后再试。"),
}

# pydantic error type -> Chinese explanation
_VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "string_too_short": "内容不能为空",
    "string_too_long": "内容过长",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "float_parsing": "应为数字",
    "string_type": "应为文本",
    "bool_parsing": "应为是/否",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "extra_forbidden": "不认识的字段",
    "value_error": "取值无效",
    "string_pattern_mismatch": "格式不正确",
    "too_long": "项目过多",
    "too_short": "项目过少",
    "url_parsing": "不是有效的网址",
}


class ApiError(Exception):
    """Raise anywhere in a route to answer with the common error shape."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details: list[dict[str, Any]] | None = None  # e.g. every rejected file, not just the first
        self.headers: dict[str, str] | None = None  # e.g. Retry-After on a 429


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if field:
        err["field"] = field
    return {"error": err}


def error_response(
    status: int, code: str, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def body_parse_reason(exc: StarletteHTTPException) -> tuple[str, str] | None:
    """Why FastAPI could not parse a body, in words, for the 400 it raises with a generic detail
    (the underlying error is the exception's cause): bytes that are not UTF-8, or an integer
    longer than Python converts (thousands of digits)."""
    if exc.status_code != 400:
        return None
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, UnicodeDecodeError):
        return "invalid_encoding", "请求体不是有效的 UTF-8 文本，请以 UTF-8 编码发送 JSON。"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "number_too_long", "请求中的数字位数过多，无法处理；请填写正常的数值。"
    return None


def field_path(loc: Sequence[Any]) -> str:
    """`("body", "filters", "year")` -> `"filters.year"` (the request part is implied)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts)


def validation_error_response(errors: list[dict[str, Any]], prefix: str = "") -> JSONResponse:
    """422 naming the first offending field in Chinese (the full list goes in `details`)."""
    first = errors[0] if errors else {"loc": (), "type": "value_error", "msg": ""}
    if first.get("type") == "json_invalid":
        # The location is a character offset into the body, not a field.
        body = error_body("invalid_input", "请求体不是有效的 JSON，请检查引号、逗号和括号。")
        return JSONResponse(body, status_code=422)
    field = field_path(first.get("loc", ()))
    if prefix:
        field = f"{prefix}.{field}" if field else prefix
    reason = _VALIDATION_MESSAGES.get(str(first.get("type")), "取值无效")
    message = f"字段“{field}”{reason}。" if field else f"请求{reason}。"
    body = error_body("invalid_input", message, field or None)
    body["error"]["details"] = [
        {"field": field_path(e.get("loc", ())), "type": e.get("type")} for e in errors[:10]
    ]
    return JSONResponse(body, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        body = error_body(exc.code, exc.message, exc.field)
        if exc.details:
            body["error"]["details"] = exc.details
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error_response(list(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        reason = body_parse_reason(exc)
        if reason is not None:
            return error_response(400, *reason)
        code, message = _STATUS_CODES.get(exc.status_code, ("http_error", "请求无法处理。"))
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        hotline = request.app.state.services.settings.hotline
        return error_response(500, "internal_error", f"服务内部错误，请稍后再试。如需帮助请拨打 {hotline}。")
