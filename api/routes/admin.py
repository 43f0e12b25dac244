"""Admin operations (re-ingest the library, add a document) — only with the admin API key.

Disabled entirely while `MEDPOLICY_ADMIN_API_KEY` is unset. Every call, allowed or refused, is
written to the audit log.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import Services, get_services, to_jsonable
from api.errors import ApiError

router = APIRouter(tags=["admin"])

ALLOWED_SUFFIXES = (".txt", ".html", ".htm", ".md")
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
_SAFE_NAME = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff.()（）-]{0,120}$")


def require_admin(
    request: Request,
    x_api_key: str | None = Header(None, alias="X-API-Key", description="管理密钥（MEDPOLICY_ADMIN_API_KEY）"),
) -> str:
    services: Services = request.app.state.services
    expected = services.settings.admin_api_key
    client = request.client.host if request.client else "unknown"
    if not expected:
        raise ApiError(403, "admin_disabled", "管理功能未启用：服务未配置管理密钥。")
    if not x_api_key or not hmac.compare_digest(x_api_key.encode(), expected.encode()):
        services.get("db").audit(client, "admin_denied", {"path": request.url.path})
        raise ApiError(401, "unauthorized", "管理密钥缺失或错误（请求头 X-API-Key）。", "X-API-Key")
    return client


def uploads_dir(services: Services) -> Path:
    return services.settings.data_dir / "uploads"


async def _ingest(services: Services, paths: list[Path] | None) -> Any:
    """Rebuild the index in place (the knowledge base remembers earlier sources); the assistant
    shares the same object, so it answers from the new index at once."""
    kb = await run_in_threadpool(services.get, "kb")
    try:
        report = await run_in_threadpool(kb.ingest, paths)
    except Exception as exc:
        raise ApiError(422, "ingest_failed", f"导入失败，原有知识库保持不变：{exc}") from exc
    return to_jsonable(report)


@router.post("/api/admin/ingest", summary="重建知识库（需管理密钥）")
async def reingest(actor: str = Depends(require_admin), services: Services = Depends(get_services)) -> Any:
    report = await _ingest(services, None)
    services.get("db").audit(actor, "reingest", {})
    return {"ok": True, "report": report}


class DocumentUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=128, description="文件名，.txt/.html/.htm/.md")
    content: str | None = Field(None, description="UTF-8 文本内容")
    content_base64: str | None = Field(None, description="或：原始字节的 base64（GBK 等编码的文件）")


@router.post("/api/admin/documents", status_code=201, summary="添加一份政策文件并重建知识库（需管理密钥）")
async def add_document(
    body: DocumentUpload, actor: str = Depends(require_admin), services: Services = Depends(get_services)
) -> Any:
    name = body.filename.strip()
    if not _SAFE_NAME.match(name) or ".." in name or not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ApiError(422, "invalid_input", "文件名无效：只允许字母、数字、汉字，扩展名为 .txt/.html/.htm/.md。", "filename")
    if (body.content is None) == (body.content_base64 is None):
        raise ApiError(422, "invalid_input", "请提供 content 或 content_base64 之一。", "content")
    if body.content is not None:
        data = body.content.encode("utf-8")
    else:
        try:
            data = base64.b64decode(body.content_base64 or "", validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "invalid_input", "content_base64 不是有效的 base64。", "content_base64") from None
    if not data.strip():
        raise ApiError(422, "invalid_input", "文件内容为空。", "content")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ApiError(413, "payload_too_large", "文件过大（最大 5 MB）。", "content")
    target_dir = uploads_dir(services)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    if target.exists():
        raise ApiError(409, "document_exists", f"文件“{name}”已存在。", "filename")
    target.write_bytes(data)
    report = await _ingest(services, [target_dir])
    services.get("db").audit(actor, "add_document", {"filename": name, "bytes": len(data)})
    return {"ok": True, "filename": name, "report": report}
