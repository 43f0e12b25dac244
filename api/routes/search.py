"""Clause search for operators: POST /api/search, GET /api/clauses/{id}, GET /api/facets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import KnowledgeBasePort, get_kb, to_jsonable
from api.errors import ApiError
from knowledge_base.models import SearchFilters

router = APIRouter(tags=["search"])


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"example": {"query": "门槛费", "top_k": 5}})

    query: str = Field(min_length=1, max_length=200)
    top_k: int = Field(5, ge=1, le=50)
    filters: SearchFilters | None = None


@router.post("/api/search", summary="检索政策条款")
async def search(body: SearchRequest, kb: KnowledgeBasePort = Depends(get_kb)) -> Any:
    query = body.query.strip()
    if not query:
        raise ApiError(422, "invalid_input", "字段“query”内容不能为空。", "query")
    filters = body.filters or SearchFilters()
    try:
        result = await run_in_threadpool(kb.search, query, top_k=body.top_k, filters=filters)
    except ValueError as exc:  # the knowledge base's EmptyQueryError (e.g. only punctuation)
        raise ApiError(422, "invalid_input", str(exc), "query") from exc
    return to_jsonable(result)


@router.get("/api/clauses/{chunk_id}", summary="取一条完整条款及其全部出处")
async def clause(chunk_id: str, kb: KnowledgeBasePort = Depends(get_kb)) -> Any:
    try:
        found = await run_in_threadpool(kb.get, chunk_id)
    except KeyError:
        found = None
    if found is None:
        raise ApiError(404, "clause_not_found", f"未找到编号为“{chunk_id}”的条款。", "chunk_id")
    return to_jsonable(found)


@router.get("/api/facets", summary="可用的地区、年份、险种筛选项")
async def facets(kb: KnowledgeBasePort = Depends(get_kb)) -> Any:
    facets = kb.facets  # a property on the real knowledge base, a method on simpler ones
    return to_jsonable(await run_in_threadpool(facets) if callable(facets) else facets)
