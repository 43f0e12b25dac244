"""Parse WeChat's message XML safely and build passive replies.

Parsing forbids DTDs, entity declarations and external references (defusedxml), so external
entities and "billion laughs" are rejected before any expansion. Replies wrap text in CDATA with
`]]>` split across sections, and drop characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

_INVALID_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_FIELDS = 64


class WeChatXmlError(ValueError):
    """The body is not a well-formed, flat WeChat `<xml>` message."""


def parse_message(body: bytes) -> dict[str, str]:
    """`<xml><ToUserName>…</ToUserName>…</xml>` → {"ToUserName": "…", …} (flat, text only)."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise WeChatXmlError(f"forbidden XML construct: {type(exc).__name__}") from exc
    except Exception as exc:  # ParseError and friends
        raise WeChatXmlError("malformed XML") from exc
    if root.tag != "xml":
        raise WeChatXmlError("root element must be <xml>")
    fields: dict[str, str] = {}
    for child in list(root)[:MAX_FIELDS]:
        fields[child.tag] = (child.text or "").strip() if len(child) == 0 else ""
    return fields


def cdata(text: str) -> str:
    clean = _INVALID_XML_CHARS.sub("", text)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str, create_time: int) -> str:
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def transfer_reply(to_user: str, from_user: str, create_time: int) -> str:
    """Hand the conversation to the Official Account's human customer-service desk."""
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        f"<MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>"
    )


def encrypted_envelope(encrypted: str, signature: str, timestamp: str, nonce: str) -> str:
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt><MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{cdata(timestamp)}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
