"""Minutes connected: the union of a bridge's connection intervals, clipped to a time window."""

from collections import defaultdict
from datetime import datetime

from .models import ConnectionInterval


def _merged_seconds(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    clipped = sorted((max(s, start), min(e, end)) for s, e in spans if e > start and s < end)
    total = 0.0
    current_start = current_end = None
    for s, e in clipped:
        if current_end is None or s > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = s, e
        else:
            current_end = max(current_end, e)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total


def connected_seconds_by_bridge(event_id: int, start: datetime, end: datetime, bridge_ids=None) -> dict[int, float]:
    """Seconds each bridge was connected (console or video, overlaps counted once) within [start, end).

    An interval still open counts up to its last heartbeat, not to now: a console that vanished
    without closing its socket stops counting when it stopped talking.
    """
    rows = ConnectionInterval.objects.filter(event_id=event_id, started_at__lt=end, last_seen_at__gt=start)
    if bridge_ids is not None:
        rows = rows.filter(bridge_id__in=list(bridge_ids))
    spans: dict[int, list] = defaultdict(list)
    for bridge_id, started, last_seen, ended in rows.values_list("bridge_id", "started_at", "last_seen_at", "ended_at"):
        spans[bridge_id].append((started, ended or last_seen))
    return {bridge_id: _merged_seconds(items, start, end) for bridge_id, items in spans.items()}


def connected_minutes_by_bridge(session, bridge_ids=None) -> dict[int, float]:
    seconds = connected_seconds_by_bridge(session.event_id, session.starts_at, session.ends_at, bridge_ids)
    return {bridge_id: round(value / 60, 1) for bridge_id, value in seconds.items()}
