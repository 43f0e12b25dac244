"""One assistant turn, stored: shared by the JSON chat route and the WeChat handler.

It lives here, not in a route, so the WeChat handler depends on the service layer only and both
channels record turns the same way (PII-masked, with a turn id for feedback).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from api.observability import count_reply
from api.pii import mask_pii
from assistant.models import AssistantReply

if TYPE_CHECKING:
    from api.deps import Services


def is_refusal(exc: ValueError) -> bool:
    """The assistant's own refusal of a message (plain ValueError with a Chinese reason), as
    opposed to a pydantic ValidationError, which is a bug and must surface as a 500."""
    return not isinstance(exc, ValidationError)


@dataclass(frozen=True)
class Turn:
    reply: AssistantReply
    turn_id: str
    pii_masked: bool  # the message had personal data that was masked before anyone saw it


def run_turn(services: Services, message: str, session_id: str, channel: str) -> Turn:
    """Ask the assistant and store the turn.

    Synchronous on purpose: it runs in the assistant's worker pool, for the JSON API and the
    WeChat handler alike, so the event loop never blocks. The message is PII-masked before the
    assistant (and its session store) or the database see it. `session_id` is always one the
    server issued or derived (never the client's choice). The turn is committed before this
    returns, so an acknowledged turn survives the process being killed.
    """
    masked = mask_pii(message.strip())
    started = time.perf_counter()
    reply: AssistantReply = services.assistant.ask(masked, session_id=session_id, channel=channel)
    latency_ms = (time.perf_counter() - started) * 1000
    turn_id = services.db.record_turn(
        session_id=reply.session_id,
        channel=channel,
        message=masked,
        answer=reply.answer,
        intent=reply.intent,
        citations=[c.chunk_id for c in reply.citations],
        grounded=reply.grounded,
        latency_ms=latency_ms,
    )
    count_reply(channel, reply)
    return Turn(reply, turn_id, masked != message.strip())
