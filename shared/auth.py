"""Bearer tokens on every service: the administrator's token, and how a token is read from a request."""

import secrets
from typing import Annotated

from fastapi import Depends, Header

from shared.http_errors import ApiError
from shared.service import RuntimeDep


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "unauthorized", "Sertakan header Authorization: Bearer <kunci API>")
    return authorization[7:].strip()


async def require_admin(runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> None:
    token = bearer_token(authorization)
    expected = runtime.settings.admin_token.get_secret_value()
    if not secrets.compare_digest(token.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "Token admin tidak valid")


AdminDep = Annotated[None, Depends(require_admin)]
