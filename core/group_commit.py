"""Group commit: writes that arrive together are made in one transaction by one of the waiting threads.

A hall of phones sends hundreds of check-ins a second. Written one by one, each pays a transaction,
a dozen round trips and a notification; the database (one writer at a time on SQLite) becomes the
limit long before the CPU. Here every request thread queues its item and waits. One of them, the
leader, takes everything queued so far (at most `max_batch`), hands the whole batch to `write_batch`
and wakes the owners with their answers; it goes on until its own item is answered, then passes the
lead to the oldest waiting item. Under light load a batch is one item, written at once in the
request's own thread (and connection: tests running inside a transaction see their data); under
load batches grow by themselves, without a timer adding delay.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any


class _Entry:
    __slots__ = ("item", "wake", "done", "result", "error")

    def __init__(self, item):
        self.item = item
        self.wake = threading.Event()
        self.done = False
        self.result = None
        self.error: BaseException | None = None


class GroupCommit:
    def __init__(self, write_batch: Callable[[list], list], max_batch: int = 100):
        """`write_batch(items)` returns one answer per item, in order, or raises for the whole batch."""
        self.write_batch = write_batch
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: deque[_Entry] = deque()
        self._leading = False
        self.batches = 0  # how many batches were written; the tests read it

    def submit(self, item) -> Any:
        """The answer for `item`, once it is written (or the exception its batch raised)."""
        entry = _Entry(item)
        with self._lock:
            self._queue.append(entry)
        while True:
            with self._lock:
                if entry.done:
                    break
                lead = not self._leading
                self._leading = True
            if not lead:
                entry.wake.wait()
                entry.wake.clear()
                continue
            try:
                self._lead(entry)
            finally:
                with self._lock:
                    self._leading = False
                    successor = self._queue[0] if self._queue else None
                if successor is not None:
                    successor.wake.set()
        if entry.error is not None:
            raise entry.error
        return entry.result

    def _lead(self, own: _Entry) -> None:
        while True:
            with self._lock:
                if own.done:
                    return
                batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
            try:
                answers = self.write_batch([entry.item for entry in batch])
                if len(answers) != len(batch):
                    raise RuntimeError(f"write_batch gave {len(answers)} answers for {len(batch)} items")
            except BaseException as exc:  # noqa: BLE001 - handed to every owner, re-raised in their threads
                for entry in batch:
                    entry.error = exc
            else:
                for entry, answer in zip(batch, answers, strict=True):
                    entry.result = answer
            with self._lock:
                self.batches += 1
                for entry in batch:
                    entry.done = True
            for entry in batch:
                if entry is not own:
                    entry.wake.set()
