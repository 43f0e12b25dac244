"""POST /api/feedback — the five-level satisfaction rating (1 很不满意 … 5 很满意) per answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.abuse import limit_feedback
from api.db import ServiceDatabase
from api.deps import get_db
from api.errors import ApiError
from api.observability import count_feedback
from api.pii import mask_pii
from api.routes.chat import SESSION_ID_PATTERN, WEB_CHANNEL

router = APIRouter(tags=["feedback"])


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    turn_id: str = Field(min_length=1, max_length=64)
    rating: int = Field(ge=1, le=5, description="1 很不满意 · 2 不满意 · 3 一般 · 4 满意 · 5 很满意")
    comment: str | None = Field(None, max_length=500)


@router.post("/api/feedback", status_code=201, summary="对一条回答评价（1–5）", dependencies=[Depends(limit_feedback)])
async def feedback(body: FeedbackRequest, db: ServiceDatabase = Depends(get_db)) -> dict[str, Any]:
    owner = await run_in_threadpool(db.turn_session, body.turn_id)
    channel = await run_in_threadpool(db.session_channel, body.session_id)
    if owner is None or owner != body.session_id or channel != WEB_CHANNEL:
        raise ApiError(404, "turn_not_found", "未找到该会话中的这条回答，无法评价。", "turn_id")
    comment = mask_pii(body.comment.strip()) if body.comment else None
    feedback_id = await run_in_threadpool(
        lambda: db.record_feedback(session_id=body.session_id, turn_id=body.turn_id, rating=body.rating, comment=comment)
    )
    count_feedback(body.rating)
    return {"ok": True, "feedback_id": feedback_id}
