"""Turn pydantic validation errors on a request into one CalcError with a Chinese message."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from calculators.errors import CalcError

_TYPE_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本或数字",
    "literal_error": "取值无效",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为 JSON 数组",
    "model_type": "应为 JSON 对象",
    "value_error": "取值无效",
}


def parse_model(model: type[BaseModel], data: object) -> BaseModel:
    """Validate `data` against `model`; the first problem becomes a CalcError naming the field."""
    if not isinstance(data, dict):
        raise CalcError("request", "请求应为 JSON 对象。")
    try:  # the core validator directly: model_validate only adds a Python frame around it
        return model.__pydantic_validator__.validate_python(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "request"
        kind = err["type"]
        text = _TYPE_MESSAGES.get(kind, "取值无效")
        if kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            text = f"取值无效，可选：{expected}"
        got = err.get("input")
        shown = "" if kind in ("missing", "extra_forbidden") else f"（收到 {got!r}）"
        if kind == "missing":
            raise CalcError(field, f"缺少必填字段 {field}。") from None
        if kind == "extra_forbidden":
            raise CalcError(field, f"不认识的字段 {field}（请检查拼写）。") from None
        raise CalcError(field, f"字段 {field} {text}{shown}。") from None
