"""Bearer tokens on every service: the administrator's token, and how a token is read from a request."""

import secrets
from typing import Annotated

from fastapi import Depends, Header

from shared.http_errors import ApiError
from shared.service import RuntimeDep
from shared.settings import ServiceSettings


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "unauthorized", "Sertakan header Authorization: Bearer <kunci API>")
    return authorization[7:].strip()


def is_admin_token(token: str, settings: ServiceSettings) -> bool:
    """Constant-time, so the time an answer takes says nothing about how much of the token was right."""
    return secrets.compare_digest(token.encode(), settings.admin_token.get_secret_value().encode())


async def require_admin(runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> None:
    if not is_admin_token(bearer_token(authorization), runtime.settings):
        raise ApiError(401, "unauthorized", "Token admin tidak valid")


AdminDep = Annotated[None, Depends(require_admin)]
