"""Who is signed in, as a signed cookie: the rules, without I/O.

A session names the agency (or the administrator), the digest of the key it was opened with, a CSRF token
and when it was opened. Every request checks the key again, so a revoked key ends its sessions at once.
"""

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "kinerja_sesi"
SIGN_IN_CSRF_COOKIE = "kinerja_csrf_masuk"
LANGUAGE_COOKIE = "kinerja_bahasa"
_SALT = "kinerja-dashboard-session"


@dataclass(frozen=True)
class Session:
    agency_id: str | None  # None for the administrator
    key_digest: str
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.agency_id is None

    def may_see(self, agency_id: str) -> bool:
        return self.is_admin or self.agency_id == agency_id


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def new_session(agency_id: str | None, key_digest: str) -> Session:
    return Session(agency_id=agency_id, key_digest=key_digest, csrf=new_csrf_token())


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def seal(session: Session, secret: str) -> str:
    return _serializer(secret).dumps({"a": session.agency_id, "k": session.key_digest, "c": session.csrf})


def unseal(cookie: str | None, secret: str, max_age_s: float) -> Session | None:
    """The session a cookie carries, or None when it is absent, forged, tampered with or too old."""
    if not cookie:
        return None
    try:
        data: Any = _serializer(secret).loads(cookie, max_age=max_age_s)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str) or not isinstance(data.get("c"), str):
        return None
    agency = data.get("a")
    return Session(agency_id=agency if isinstance(agency, str) else None, key_digest=data["k"], csrf=data["c"])


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def safe_return_path(path: str | None) -> str:
    """Only a path on this site: never another host (an open redirect would help phishing)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
