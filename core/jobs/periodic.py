"""Work every `manage.py db_worker` does on a clock, registered by the apps that own it.

A lower app cannot call a higher one, so the apps register here in their `AppConfig.ready()`
(`every(60, "training.tallies", fn)`) and core/management/commands/db_worker.py runs each one in a daemon
thread of its own: now, then every `seconds`. Several workers may run the same work at once: each piece
must claim what it does (a conditional UPDATE) or be harmless twice. Web processes never run it.
"""

import logging
import threading
from collections.abc import Callable

from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

_WORK: dict[str, tuple[float, Callable[[], object]]] = {}


def every(seconds: float, name: str, fn: Callable[[], object]) -> None:
    """Register `fn` to run every `seconds` in each db_worker (a second registration of `name` replaces it)."""
    _WORK[name] = (seconds, fn)


def registered() -> dict[str, tuple[float, Callable[[], object]]]:
    return dict(_WORK)


def watch() -> threading.Event:
    """Start every registered piece of work in a daemon thread; set the returned event to stop them."""
    stop = threading.Event()
    for name, (seconds, fn) in _WORK.items():
        threading.Thread(target=_loop, args=(name, seconds, fn, stop), name=f"periodic-{name}", daemon=True).start()
    return stop


def _loop(name: str, seconds: float, fn: Callable[[], object], stop: threading.Event) -> None:
    try:
        while True:
            try:
                fn()
            except DatabaseError:
                log.warning("periodic %s failed; trying again later", name, exc_info=True)
            except Exception:
                log.exception("periodic %s failed", name)
            if stop.wait(seconds):
                return
    finally:
        connections.close_all()
