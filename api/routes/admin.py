"""Admin operations (re-ingest the library, add documents) — only with the admin API key.

Disabled entirely while `MEDPOLICY_ADMIN_API_KEY` is unset. Every call, allowed or refused, is
written to the audit log — refused ones only up to the per-address limit on failed attempts
(`MEDPOLICY_RATE_LIMIT_ADMIN_FAILURES`): beyond it the address gets 429 without the key being
compared and without an audit row, so guessing is slow and cannot grow the database. `POST /api/admin/documents` takes a multipart file upload (one or more
`files`) or, for scripts, JSON with the text or its base64 bytes; both go through
`api.documents.add_documents`, so the rules for a good file are the same.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from api.abuse import client_address, get_limits
from api.deps import Services, get_services, to_jsonable
from api.documents import (
    INGEST_LOCK,
    MAX_DOCUMENT_BYTES,
    MAX_FILES_PER_REQUEST,
    Incoming,
    add_documents,
    library_file_names,
)
from api.errors import ApiError
from api.heap import resettle_heap
from knowledge_base.ingest.versions import parse_date

log = logging.getLogger("medpolicy.api")
router = APIRouter(tags=["admin"])


def require_admin(
    request: Request,
    x_api_key: str | None = Header(None, alias="X-API-Key", description="管理密钥（MEDPOLICY_ADMIN_API_KEY）"),
) -> str:
    services: Services = request.app.state.services
    expected = services.settings.admin_api_key
    client = client_address(request)
    if not expected:
        raise ApiError(403, "admin_disabled", "管理功能未启用：服务未配置管理密钥。")
    limits = get_limits(request)
    blocked = limits.blocked("admin_failures", client)
    if not blocked.allowed:
        raise limits.refusal("admin_failures", blocked)
    if not x_api_key or not hmac.compare_digest(x_api_key.encode(), expected.encode()):
        counted = limits.hit("admin_failures", client)
        if counted.allowed:
            services.db.audit(client, "admin_denied", {"path": request.url.path})
        raise ApiError(401, "unauthorized", "管理密钥缺失或错误（请求头 X-API-Key）。", "X-API-Key")
    return client


def uploads_dir(services: Services) -> Path:
    return services.settings.data_dir / "uploads"


def ingest_failed(exc: Exception, what: str = "") -> ApiError:
    """The rebuild failed: the previous index is still served. The knowledge base's own
    IngestError carries a Chinese reason meant for the operator; anything else is logged only."""
    from knowledge_base.service import IngestError

    log.exception("ingest failed")
    reason = str(exc) if isinstance(exc, IngestError) else "重建索引时出错（详情见服务日志）"
    return ApiError(422, "ingest_failed", f"导入失败，原有知识库保持不变{what}：{reason}")


@router.post("/api/admin/ingest", summary="重建知识库（需管理密钥）")
async def reingest(actor: str = Depends(require_admin), services: Services = Depends(get_services)) -> Any:
    """Rebuild from every known source (the knowledge base remembers earlier ones); the assistant
    shares the same object, so it answers from the new index at once."""
    kb = await run_in_threadpool(lambda: services.kb)

    def run() -> Any:
        with INGEST_LOCK:
            return kb.ingest(None, isolated=True)  # a child process: /healthz stays fast

    try:
        report = await run_in_threadpool(run)
    except Exception as exc:
        services.db.audit(actor, "reingest_failed", {})
        raise ingest_failed(exc) from exc
    services.db.audit(actor, "reingest", {})
    await run_in_threadpool(resettle_heap)  # the old index's objects were frozen (api.heap)
    return {"ok": True, "report": to_jsonable(report)}


class DocumentUpload(BaseModel):
    """The JSON form, for scripts; a browser or curl uses the multipart form."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=128, description="文件名，.txt/.md/.html/.htm")
    content: str | None = Field(None, description="文本内容（UTF-8）")
    content_base64: str | None = Field(None, description="或：原始字节的 base64（GB18030、Big5 等编码的文件）")
    effective_date: str | None = Field(None, description="可选：生效日期（2015-01-01），优先于正文中的“自…起施行”")


def _effective(value: object) -> date | None:
    """The upload's effective date, or a 422 naming the field."""
    if value is None or value == "":
        return None
    try:
        return parse_date(str(value))
    except ValueError as exc:
        raise ApiError(422, "invalid_input", str(exc), "effective_date") from None


_UPLOAD_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": ".txt/.md/.html/.htm（任意常见编码）、.pdf、.docx、.png/.jpg 等",
                        },
                        "effective_date": {"type": "string", "description": "可选：生效日期（2015-01-01）"},
                    },
                }
            },
            "application/json": {"schema": DocumentUpload.model_json_schema()},
        },
    }
}


async def _read_upload(upload: UploadFile) -> bytes:
    """Read at most one byte more than the limit, so an oversized file is refused, not buffered."""
    data = await upload.read(MAX_DOCUMENT_BYTES + 1)
    await upload.close()
    return data


def _multipart_reason(detail: object) -> str:
    """Starlette's multipart errors in Chinese (the limits are the ones passed to `form`)."""
    text = str(detail)
    if "Too many fields" in text:
        return f"表单字段过多（最多 {MAX_FILES_PER_REQUEST} 个）。"
    if "boundary" in text.lower():
        return "缺少或错误的 multipart 分隔符（boundary）。"
    return "不是有效的 multipart/form-data。"


async def _incoming_multipart(request: Request) -> list[Incoming]:
    try:
        form = await request.form(max_files=MAX_FILES_PER_REQUEST, max_fields=MAX_FILES_PER_REQUEST)
    except HTTPException as exc:
        if exc.status_code == 400 and "Too many files" in str(exc.detail):
            raise ApiError(
                422, "too_many_files", f"一次最多上传 {MAX_FILES_PER_REQUEST} 个文件，请分批上传。", "files"
            ) from exc
        if exc.status_code == 400:
            raise ApiError(422, "invalid_input", f"上传内容无法解析：{_multipart_reason(exc.detail)}", "files") from exc
        raise  # e.g. the body passed the size cap: 413, not a parse error
    except Exception as exc:  # malformed multipart, too many parts
        raise ApiError(422, "invalid_input", f"上传内容无法解析（最多 {MAX_FILES_PER_REQUEST} 个文件）。", "files") from exc
    when = _effective(form.get("effective_date"))
    items = [
        Incoming((value.filename or "").strip(), await _read_upload(value), when)
        for _, value in form.multi_items()
        if isinstance(value, UploadFile)
    ]
    if not items:
        raise ApiError(422, "invalid_input", "请选择要上传的文件（表单字段 files）。", "files")
    return items


async def _incoming_json(request: Request) -> list[Incoming]:
    try:
        body = DocumentUpload.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    if (body.content is None) == (body.content_base64 is None):
        raise ApiError(422, "invalid_input", "请提供 content 或 content_base64 之一。", "content")
    if body.content is not None:
        data = body.content.encode("utf-8")
    else:
        try:
            data = base64.b64decode(body.content_base64 or "", validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "invalid_input", "content_base64 不是有效的 base64。", "content_base64") from None
    return [Incoming(body.filename.strip(), data, _effective(body.effective_date))]


def _incremental(kb: Any, uploads: Path) -> Any:
    """The library's one-change add (seconds, whatever the library's size), falling back to a
    full rebuild when the library on disk predates generations; None for a library without it."""
    add = getattr(kb, "add_documents", None)
    if add is None:
        return None
    from knowledge_base.index.library import NoGenerationError

    def run(paths: list[Path]) -> Any:
        try:
            return add(paths)
        except NoGenerationError:
            return kb.ingest([uploads], isolated=True)

    return run


@router.post(
    "/api/admin/documents",
    status_code=201,
    summary="添加政策文件并重建知识库（需管理密钥）",
    openapi_extra=_UPLOAD_OPENAPI,
)
async def add_document(
    request: Request, actor: str = Depends(require_admin), services: Services = Depends(get_services)
) -> Any:
    """Multipart `files` (one or more) or JSON `{filename, content | content_base64}`.

    201 when at least one file went in (bad ones listed under `rejected` with the reason);
    422 naming the file and the reason when none did; the previous index stays served if the
    rebuild fails."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        items, field = await _incoming_multipart(request), "files"
    elif content_type.startswith("application/json"):
        items, field = await _incoming_json(request), "filename"
    else:
        raise ApiError(415, "unsupported_media_type", "请以 multipart/form-data（字段 files）或 JSON 上传文件。")
    kb = await run_in_threadpool(lambda: services.kb)
    existing = await run_in_threadpool(library_file_names, kb)
    try:
        outcome, report = await run_in_threadpool(
            add_documents, items, uploads_dir(services), existing, kb.ingest, _incremental(kb, uploads_dir(services))
        )
    except Exception as exc:
        services.db.audit(actor, "add_documents_failed", {"files": [i.filename for i in items]})
        raise ingest_failed(exc, "，本次上传的文件未保存") from exc
    services.db.audit(actor, "add_documents", {"added": outcome.added, "rejected": outcome.rejected})
    if not outcome.added:
        first = outcome.rejected[0]
        more = f"（另有 {len(outcome.rejected) - 1} 个文件也未导入，见 details）" if len(outcome.rejected) > 1 else ""
        err = ApiError(422, "document_rejected", f"文件“{first['file']}”未导入：{first['reason']}。{more}", field)
        err.details = outcome.rejected
        raise err
    await run_in_threadpool(resettle_heap)  # the old index's objects were frozen (api.heap)
    return {
        "ok": True,
        "added": outcome.added,
        "rejected": outcome.rejected,
        "report": to_jsonable(report),
    }
