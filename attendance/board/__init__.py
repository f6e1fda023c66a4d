"""The live board as one package: `state` (what a board shows, read from the rows), `coalescer` (one
listener per event and process, at most a few frames a second), `consumer` (a board's socket), and
its page (`views`) and API (`api`). The state's names are the package's, for the apps that read a
board's numbers (reports, districts).
"""

from .state import (  # noqa: F401
    CHECKED_IN,
    CONFIRMED,
    FEED_SIZE,
    LAUNCH_SCREEN_SECONDS,
    NOT_CONFIRMED,
    OFFLINE,
    ONLINE,
    ONLINE_STALE_SECONDS,
    PARTIAL_REFRESH_LIMIT,
    STATES,
    BridgeLive,
    EventBoard,
    bridge_state,
    epoch_ms,
    expected_teachers,
    feed_item,
    feed_line,
    in_scope,
    is_missing,
    launch_payload_for,
    now_ms,
    recent_feed,
    scope_path_of,
    snapshot,
    summarise_checkins,
)
