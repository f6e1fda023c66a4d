"""Times sent by clients: queued offline writes carry the time they were made, which we trust only
when it is plausible."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

# Consoles' clocks drift; a few tens of seconds either way is normal, more is a wrong clock.
CLIENT_SKEW = timedelta(seconds=60)


def epoch_ms(moment) -> int | None:
    """A stored time as live messages carry it: milliseconds since the epoch."""
    return int(moment.timestamp() * 1000) if moment is not None else None


def parse_client_time(value) -> datetime | None:
    """ISO 8601 (what JS `toISOString()` gives) or epoch milliseconds; anything else is None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def plausible_past(client_time: datetime | None, now: datetime) -> datetime | None:
    """The client time when it is not in the future (beyond the skew), else None."""
    if client_time is None or client_time > now + CLIENT_SKEW:
        return None
    return min(client_time, now)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
