"""Notifications from a thread the server's loop started (a check-in batch's writer, a request's thread)
are started on that loop and not waited for (attendance.live._on_server_loop), at most IN_FLIGHT batches
at once; without a running server loop they are run to the end, as before."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync

from attendance import live


def test_a_writer_thread_does_not_wait_for_its_notifications_and_they_are_delivered():
    async def run():
        released, delivered = asyncio.Event(), []

        async def send_all():
            await released.wait()
            delivered.append("sent")

        def writer():
            live._on_server_loop(send_all)
            return "answered"

        pool = ThreadPoolExecutor(max_workers=1)
        answer = await SyncToAsync(writer, thread_sensitive=False, executor=pool)()
        assert answer == "answered" and delivered == []  # answered while the send still waits
        released.set()
        for _ in range(50):
            await asyncio.sleep(0.01)
            if delivered:
                break
        assert delivered == ["sent"]
        pool.shutdown()

    asyncio.run(run())


def test_past_in_flight_batches_the_writer_waits_for_one_to_finish(monkeypatch):
    monkeypatch.setattr(live, "IN_FLIGHT_WAIT_SECONDS", 5.0)

    async def run():
        released, started = asyncio.Event(), []

        async def send_all():
            started.append(1)
            await released.wait()

        returned = []

        def writer():
            for n in range(live.IN_FLIGHT + 1):
                live._on_server_loop(send_all)
                returned.append(n)

        pool = ThreadPoolExecutor(max_workers=1)
        running = asyncio.ensure_future(SyncToAsync(writer, thread_sensitive=False, executor=pool)())
        await asyncio.sleep(0.3)
        assert len(returned) == live.IN_FLIGHT  # the last one waits for a free slot
        released.set()
        await asyncio.wait_for(running, 5)
        assert len(returned) == live.IN_FLIGHT + 1
        pool.shutdown()

    asyncio.run(run())


def test_without_a_server_loop_the_notification_runs_to_the_end():
    delivered = []

    async def send_all():
        delivered.append(threading.current_thread().name)

    thread = threading.Thread(target=live._on_server_loop, args=(send_all,))
    thread.start()
    thread.join(5)
    assert len(delivered) == 1
