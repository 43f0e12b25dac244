"""Held-out scripted conversations (data/conversations_heldout.yaml), written blind by another
author. Same machinery as test_conversations.py — its `assistant` fixture and `check_turn` — so the
two sets are judged by exactly the same rules; only the data differs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_conversations import assistant, check_turn  # noqa: F401  (fixture re-exported for pytest)

HELDOUT = yaml.safe_load((Path(__file__).parent / "data" / "conversations_heldout.yaml").read_text(encoding="utf-8"))


def test_heldout_covers_every_persona():
    assert len(HELDOUT) >= 12
    assert {c["persona"] for c in HELDOUT} == {"citizen", "operator", "front_desk"}


@pytest.mark.parametrize("conversation", HELDOUT, ids=[c["id"] for c in HELDOUT])
def test_heldout_conversation(assistant, conversation):  # noqa: F811
    session_id = None
    for i, turn in enumerate(conversation["turns"], start=1):
        reply = assistant.ask(turn["say"], session_id=session_id)
        session_id = reply.session_id
        check_turn(reply, turn.get("expect", {}), f"{conversation['id']} turn {i} ({turn['say']})")
