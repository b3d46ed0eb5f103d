"""Agency API keys.

Keys are shown once at registration and stored only as SHA-256 digests: they
are long random secrets, so a fast hash is enough and lookups stay indexed.
In development mode (`make run`, loopback only) a key is derived from the
agency id, so the demo's keys are the same at every start and the README's
examples work as written.
"""

import hashlib
import secrets
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from shared.auth import bearer_token
from shared.http_errors import ApiError
from shared.service import RuntimeDep
from shared.settings import ServiceSettings

from .repository import AGENCIES

KEY_PREFIX = "kin_"


DEV_KEY_PREFIX = KEY_PREFIX + "dev_"


def new_api_key(agency_id: str, settings: ServiceSettings) -> str:
    if settings.development:
        return DEV_KEY_PREFIX + agency_id
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def current_agency(
    request: Request, runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    key = bearer_token(authorization)
    agency = await runtime.db[AGENCIES].find_one({"api_key_sha256": digest(key)})
    if agency is None:
        raise ApiError(401, "unauthorized", "Kunci API tidak valid")
    request.state.agency_id = agency["_id"]  # for the access log: who called, never the key
    return agency


AgencyDep = Annotated[dict[str, Any], Depends(current_agency)]
