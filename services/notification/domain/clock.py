"""Asia/Jakarta time, in which agencies read deadlines and the daily digest goes out."""

from datetime import date, datetime, timedelta, timezone

# Asia/Jakarta (WIB) has been UTC+7 without daylight saving since 1964; a fixed offset needs no tz database.
WIB = timezone(timedelta(hours=7), "WIB")


def wib_date(moment: datetime) -> date:
    """The calendar day in Jakarta: 23:30 UTC on 1 October is already 2 October there."""
    return moment.astimezone(WIB).date()
