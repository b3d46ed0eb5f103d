"""The quiet daily digest: one e-mail a day at 16:00 WIB, near the end of the working day, instead of one each.

Only e-mail is gathered; the inbox shows each message as it comes (reading it is already quiet).
"""

from datetime import datetime, timedelta

from .clock import WIB
from .deliveries import Channel, Recipient

DIGEST_HOUR_WIB = 16


def goes_to_digest(recipient: Recipient, channel: Channel) -> bool:
    return channel is Channel.EMAIL and recipient.preferences.digest


def latest_digest_time(now: datetime, hour_local: int = DIGEST_HOUR_WIB) -> datetime:
    """The last digest moment at or before `now`: today's at `hour_local` WIB once passed, else yesterday's."""
    local = now.astimezone(WIB)
    moment = local.replace(hour=hour_local, minute=0, second=0, microsecond=0)
    return moment if moment <= local else moment - timedelta(days=1)


def next_digest_time(now: datetime, hour_local: int = DIGEST_HOUR_WIB) -> datetime:
    """The first digest moment after `now` (for a worker that sleeps until then)."""
    return latest_digest_time(now, hour_local) + timedelta(days=1)


def digest_due(last_sent: datetime | None, now: datetime, hour_local: int = DIGEST_HOUR_WIB) -> bool:
    """Whether a digest goes out now: none has been sent since the latest digest moment.

    Never sent before: due once today's moment has passed, so the first digest waits for 16:00 like the others.
    """
    latest = latest_digest_time(now, hour_local)
    if last_sent is None:
        return latest.date() == now.astimezone(WIB).date()
    return last_sent < latest
