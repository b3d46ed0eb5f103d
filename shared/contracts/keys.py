"""Agency API keys as other services learn them from intake: the digest and its state, never the key.

Intake issues keys and keeps them; every service with routes for agencies keeps a
copy of these events so an agency's key works there too, without any service
reading intake's database. The digest is the SHA-256 of a long random key: it
cannot be turned back into the key, and only the key itself authenticates.
"""

from datetime import datetime

from pydantic import Field

from .common import AgencyId, Contract


class ApiKeyChanged(Contract):
    key_digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex digest of the key")
    agency_id: AgencyId
    created_at: datetime
    expires_at: datetime | None = Field(default=None, description="The key stops working at this moment")
    revoked_at: datetime | None = Field(default=None, description="The key stopped working at this moment")
    changed_at: datetime = Field(description="When this state was recorded: a later state replaces an earlier one")
