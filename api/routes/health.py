"""Liveness (/healthz: the process answers) and readiness (/readyz: index and rule sets loaded)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.deps import Services, get_services
from api.errors import error_body

router = APIRouter(tags=["health"])

COMPONENTS = ("db", "kb", "calculators", "assistant")


@router.get("/healthz", summary="进程存活")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="索引与规则集已加载")
async def readyz(services: Services = Depends(get_services)) -> Any:
    components = {
        name: "ready" if services.loaded(name) else ("error" if services.error(name) else "loading")
        for name in COMPONENTS
    }
    if all(state == "ready" for state in components.values()):
        return {"status": "ready", "components": components}
    body = error_body("not_ready", "服务尚未就绪：知识库索引或测算规则仍在加载（或加载失败）。")
    body["components"] = components
    return JSONResponse(body, status_code=503)
