"""Cursor pages for an agency's listings: the cursor is the last reference of the previous page, encoded.

References start with "<agency_id>/", so a cursor that decodes to another agency's reference (or to nothing)
is refused: one agency's key can never page into another's data.
"""

import base64

from shared.http_errors import ApiError

INVALID_CURSOR = "cursor tidak valid; gunakan next_cursor dari halaman sebelumnya"


def agency_cursor(value: str | None, agency_id: str) -> str | None:
    """The last reference of the previous page, only ever one of this agency's; 422 `invalid_cursor` else."""
    if value is None:
        return None
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        decoded = ""
    if not decoded.startswith(f"{agency_id}/"):
        detail = {"field": "cursor", "code": "invalid_cursor", "message": INVALID_CURSOR}
        raise ApiError(422, "invalid_cursor", INVALID_CURSOR, [detail])
    return decoded


def next_cursor(last_reference: str | None) -> str | None:
    """The cursor of the next page: the last reference of a full page, none after the last page."""
    if last_reference is None:
        return None
    return base64.urlsafe_b64encode(last_reference.encode()).decode().rstrip("=")
