"""Playing a conversation against the assistant in one session."""

from __future__ import annotations


def talk(assistant, *messages):
    """The replies to `messages`, said one after another in one new session."""
    session, replies = None, []
    for m in messages:
        reply = assistant.ask(m, session_id=session)
        session = reply.session_id
        replies.append(reply)
    return replies
