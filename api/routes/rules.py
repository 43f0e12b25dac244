"""Rule-set drafting for operators (admin key): draft from an ingested document, review beside
its clauses on the /rules page, save.

The calculators do the work (`calculators.drafter`, `calculators.rule_store`); this module only
speaks HTTP. A save that does not compile is refused with the loader's reason and changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import Services, get_services
from api.errors import ApiError
from api.routes.admin import require_admin

router = APIRouter(tags=["admin"])


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: str = Field(min_length=1, max_length=200, description="已导入文档的文件名")
    region: str = Field(min_length=1, max_length=40, description="地区（知识库地名表中的名称）")
    scheme: str = Field(min_length=1, max_length=20, description="险种：城乡居民、城镇居民、职工…")
    year: int = Field(ge=1990, le=2100, description="政策年度")
    id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{1,60}$", description="规则文件 id")
    title: str | None = Field(None, max_length=80)


class SaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    yaml: str = Field(min_length=10, max_length=200_000, description="审核后的规则文件（YAML）")


@router.post("/api/admin/rules/draft", summary="从已导入文档起草规则文件（需管理密钥）")
async def draft_rules(body: DraftRequest, actor: str = Depends(require_admin),
                      services: Services = Depends(get_services)) -> Any:
    from calculators.drafter import draft, to_yaml

    try:
        d = await run_in_threadpool(draft, body.document, body.region, body.scheme, body.year, body.id)
    except ValueError as exc:
        raise ApiError(422, "draft_failed", str(exc), "document") from None
    services.db.audit(actor, "rules_draft", {"document": body.document, "region": d.region})
    return {"draft": d.model_dump(), "yaml": to_yaml(d, body.title)}


@router.post("/api/admin/rules", status_code=201, summary="校验并保存规则文件（需管理密钥）")
async def save_rules(body: SaveRequest, actor: str = Depends(require_admin),
                     services: Services = Depends(get_services)) -> Any:
    from calculators.errors import RuleFileError
    from calculators.rule_store import save_rule_text

    try:
        path = await run_in_threadpool(save_rule_text, body.yaml)
    except RuleFileError as exc:
        raise ApiError(422, "rules_invalid", f"规则文件未保存：{exc}", "yaml") from None
    services.db.audit(actor, "rules_save", {"file": path.name})
    from calculators.registry import load_series

    series = load_series()[path.stem]
    return {"ok": True, "id": series.id, "periods": [p.id for p in series.periods]}
