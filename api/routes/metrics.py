"""GET /metrics — Prometheus exposition (see api/observability.py for what is counted)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.observability import metrics_payload

router = APIRouter(tags=["health"])


@router.get("/metrics", summary="Prometheus 指标（无个人信息）", include_in_schema=True)
async def metrics() -> Response:
    payload, content_type = metrics_payload()
    return Response(payload, media_type=content_type)
