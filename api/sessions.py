"""Session ids: issued by the server, bound to one channel, never derived from what a client says.

- Web sessions get a random token on their first turn (`new_web_session_id`); a later request may
  only name a session the server issued for the web channel (checked against the service
  database by the chat route). A client can therefore not pick an id — not a guessable one, not
  an ID number that would then be a key in every table.
- WeChat sessions are keyed by an HMAC of the OpenID under a server secret
  (`wechat_session_id`): stable per follower, unlinkable to the OpenID without the secret, and
  recorded with channel "wechat", which the web routes refuse.
- The secret is `MEDPOLICY_SESSION_SECRET`, or else one generated on first start and kept in
  `<data_dir>/session_secret` (mode 0600) so sessions survive restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

WEB_PREFIX = "w-"
WECHAT_PREFIX = "wx-"
SECRET_FILE = "session_secret"
_DIGIT_RUN = re.compile(r"\d{6}")


def new_web_session_id() -> str:
    """A fresh random web session id (192 bits). Tokens with a long digit run are drawn again so
    that no id can look like a phone or ID number in a log."""
    while True:
        token = WEB_PREFIX + secrets.token_urlsafe(24)
        if not _DIGIT_RUN.search(token):
            return token


def wechat_session_id(secret: bytes, openid: str) -> str:
    """The follower's session id: HMAC-SHA256(secret, OpenID), base64url, prefixed."""
    digest = hmac.new(secret, openid.encode("utf-8"), hashlib.sha256).digest()
    return WECHAT_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def load_or_create_secret(configured: str | None, data_dir: Path) -> bytes:
    """The configured secret, else the one persisted under the data dir (created once, 0600,
    complete or not at all; when two processes start together the first link wins and both read it)."""
    if configured:
        return configured.encode("utf-8")
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # atomic and never overwrites: a complete file or none
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    value = path.read_text(encoding="ascii").strip()
    if len(value) < 32:
        raise RuntimeError(f"{path} holds no usable session secret; delete it to generate a new one")
    return value.encode("ascii")
