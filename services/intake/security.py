"""Agency API keys and the admin token.

Keys are shown once at registration and stored only as SHA-256 digests: they
are long random secrets, so a fast hash is enough and lookups stay indexed.
"""

import hashlib
import secrets
from typing import Annotated, Any

from fastapi import Depends, Header

from shared.http_errors import ApiError
from shared.service import RuntimeDep

from .repository import AGENCIES

KEY_PREFIX = "kin_"


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "unauthorized", "Sertakan header Authorization: Bearer <kunci API>")
    return authorization[7:].strip()


async def current_agency(runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    key = _bearer(authorization)
    agency = await runtime.db[AGENCIES].find_one({"api_key_sha256": digest(key)})
    if agency is None:
        raise ApiError(401, "unauthorized", "Kunci API tidak valid")
    return agency


async def require_admin(runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> None:
    token = _bearer(authorization)
    expected = runtime.settings.admin_token.get_secret_value()
    if not secrets.compare_digest(token.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "Token admin tidak valid")


AgencyDep = Annotated[dict[str, Any], Depends(current_agency)]
AdminDep = Annotated[None, Depends(require_admin)]
