"""Idle console websockets: 10,000 on one uvicorn process, memory per socket (issue 13: under 30 KB each).

bench.server starts one uvicorn process (no --workers) on a temporary SQLite database; a child seeds the
province of bench_live (614 bridges, a live event every bridge is invited to). A client process (spawned,
sharing nothing) opens N console websockets, /ws/console/<token>/, several per console as a school's
phones and laptops would (the console consumer takes any number per token), with the websockets library's
defaults (it offers per-message deflate, as browsers do), and holds them without a word. The server's RSS
is read from /proc/<pid>/status (VmRSS) once warm (WARM sockets opened and closed first, the server quiet
again) and 5 s after the last socket opened; per socket is the growth divided by the sockets held.

Each uvicorn setting runs on a fresh server (a heap that has held sockets reuses what they freed):

- uvicorn's default (`--ws auto`: websockets' sans-I/O implementation in uvicorn 0.55, per-message deflate
  accepted);
- `--ws websockets-sansio --ws-per-message-deflate false`;
- the same with MALLOC_ARENA_MAX=2 (glibc keeps fewer per-thread heaps: the database threads' garbage);
- `--ws wsproto --ws-per-message-deflate false` (what `make serve` / `make demo` pass, bench.server.SERVE_ARGS);
- the same with `--no-proxy-headers` (what `make serve` adds when TRUSTED_PROXIES is empty);
- `wsproto-redis`: the Makefile's setting on channels_redis (REDIS_URL, the production layer:
  core.redis_outage.RecoveringRedisChannelLayer) instead of the in-memory layer, against the Redis at
  BENCH_REDIS_URL (default redis://127.0.0.1:6379/10, a database of its own); skipped, with the reason, when
  it does not answer. What the sockets hold in Redis (the groups' members) is reported beside it: the
  growth of MEMORY USAGE summed over that database's keys (not INFO used_memory: the instance is shared).

Both processes raise their open-file limit (RLIMIT_NOFILE) to the hard limit.

    .venv/bin/python -m bench.run --only idle_sockets [--quick]
    .venv/bin/python -m bench.bench_idle_sockets [--sockets 10000] [--setups default,nodeflate,arenas,wsproto,wsproto-noproxy,wsproto-redis]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path

from bench.bench_live import Child, _child, wait_until_quiet
from bench.server import Server

SOCKETS = {False: 10_000, True: 2_000}
TARGET_KB = 30
WARM = 100  # sockets opened and closed first: code paths, caches and the database's pages warmed
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
WSPROTO = ["--ws", "wsproto", "--ws-per-message-deflate", "false"]
# name: (label, uvicorn arguments, environment, channel layer: "memory" or "redis")
SETUPS = {
    "default": ("uvicorn's default (--ws auto: websockets-sansio, per-message deflate on)",
                ["--ws", "websockets-sansio", "--ws-per-message-deflate", "true"], {}, "memory"),
    "nodeflate": ("--ws websockets-sansio --ws-per-message-deflate false",
                  ["--ws", "websockets-sansio", "--ws-per-message-deflate", "false"], {}, "memory"),
    "arenas": ("--ws websockets-sansio --ws-per-message-deflate false, MALLOC_ARENA_MAX=2",
               ["--ws", "websockets-sansio", "--ws-per-message-deflate", "false"], {"MALLOC_ARENA_MAX": "2"},
               "memory"),
    "wsproto": ("--ws wsproto --ws-per-message-deflate false (the Makefile's UVICORN_WS)", WSPROTO, {}, "memory"),
    "wsproto-noproxy": ("--ws wsproto --ws-per-message-deflate false --no-proxy-headers (make serve without "
                        "TRUSTED_PROXIES)", [*WSPROTO, "--no-proxy-headers"], {}, "memory"),
    "wsproto-redis": ("--ws wsproto --ws-per-message-deflate false on channels_redis (REDIS_URL, the production "
                      "layer)", WSPROTO, {}, "redis"),
}


def redis_reason(url: str = REDIS_URL) -> str | None:
    """Why the Redis setting cannot run (None: the Redis at `url` answers)."""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as exc:  # the library absent, refused, timed out: all say "not here"
        return f"Redis ({url}) not reachable: {type(exc).__name__}: {exc}"
    return None


def redis_members(url: str) -> int:
    """Group memberships in `url`'s database (channels_redis keeps each group as a sorted set of channels)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    return sum(client.zcard(key) for key in client.scan_iter("asgi:group:*", count=1000))


def redis_used_kb(url: str) -> float:
    """What the keys of `url`'s database take (MEMORY USAGE summed), in KB."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    keys = list(client.scan_iter(count=1000))
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.memory_usage(key, samples=0)  # samples=0: every member of a group counted, not a sample
    return sum(size or 0 for size in pipe.execute()) / 1024


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def vm_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def _hold(url: str, tokens: list[str], count: int, conn) -> None:
    """Open `count` console websockets round the tokens, hold them until told, report what stayed open."""
    raise_fd_limit()
    from websockets.asyncio.client import connect

    ws_url = "ws" + url[4:]

    async def main():
        sockets, failures, first_error = [], 0, ""
        slots = asyncio.Semaphore(100)

        async def one(token: str):
            nonlocal failures, first_error
            async with slots:
                try:
                    ws = await connect(f"{ws_url}/ws/console/{token}/", origin=url, open_timeout=180,
                                       ping_interval=None, close_timeout=2)
                    await asyncio.wait_for(ws.recv(), timeout=180)  # the hello: the consumer has connected
                    sockets.append(ws)
                except Exception as exc:
                    failures += 1
                    first_error = first_error or repr(exc)

        started = time.monotonic()
        await asyncio.gather(*(one(tokens[i % len(tokens)]) for i in range(count)))
        conn.send({"open": len(sockets), "failed": failures, "error": first_error,
                   "seconds": time.monotonic() - started})
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        still_open = sum(1 for ws in sockets if ws.state.name == "OPEN")
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        conn.send({"still_open": still_open})

    asyncio.run(main())


def measure(setup: str, count: int, log=print) -> dict:
    label, args, env, layer = SETUPS[setup]
    redis_url = REDIS_URL if layer == "redis" else None
    with Server(workers=1, jobs_mode="inline", uvicorn_args=args, env=env, redis_url=redis_url) as server:
        seed_file = server.folder / "seed.json"
        _child(server, "prepare", str(seed_file), "1")
        tokens = [token for _bridge, token in json.loads(seed_file.read_text())["consoles"]]
        pid = server.process.pid
        fresh = vm_rss_kb(pid)
        warm = Child(_hold, server.url, tokens, WARM)
        warm.recv(300)
        warm.conn.send("stop")
        warm.recv(120)
        warm.join()
        wait_until_quiet(server)
        before = vm_rss_kb(pid)
        redis_before = redis_used_kb(redis_url) if redis_url else None
        members_before = redis_members(redis_url) if redis_url else None
        holder = Child(_hold, server.url, tokens, count)
        opened = holder.recv(1800)
        time.sleep(5)
        held = vm_rss_kb(pid)
        redis_held = redis_used_kb(redis_url) if redis_url else None
        holder.conn.send("stop")
        still = holder.recv(300)
        holder.join()
        members_left = None
        if redis_url:
            # The consumers' disconnects leave their groups (stopped before that, the members would stay in
            # Redis until the groups expire, a day); what is still there then was never discarded.
            wait_until_quiet(server)
            members_left = redis_members(redis_url) - members_before
        per_socket = (held - before) / max(1, opened["open"])
        redis_per_socket = (redis_held - redis_before) / max(1, opened["open"]) if redis_url else None
        log(f"   [{setup}] {opened['open']:,} open in {opened['seconds']:.0f}s ({opened['failed']} failed"
            f"{': ' + opened['error'] if opened['error'] else ''}), {still['still_open']:,} still open; "
            f"VmRSS {before / 1024:.0f} -> {held / 1024:.0f} MB = {per_socket:.1f} KB a socket"
            + (f"; Redis keys {redis_before:.0f} -> {redis_held:.0f} KB = {redis_per_socket:.2f} KB a socket, "
               f"{members_left:,} group memberships left after the sockets closed" if redis_url else ""))
        return {"setup": setup, "label": label, **opened, **still, "rss_fresh_kb": fresh, "rss_before_kb": before,
                "rss_held_kb": held, "per_socket_kb": per_socket, "redis_per_socket_kb": redis_per_socket,
                "redis_members_left": members_left}


def run(quick: bool = False, sockets: int | None = None, setups: list[str] | None = None) -> dict:
    limit = raise_fd_limit()  # the server inherits it
    count = sockets or SOCKETS[quick]
    if limit < count + 1000:
        raise RuntimeError(f"the open-file limit is {limit}: {count:,} sockets need more (ulimit -Hn)")
    chosen = setups or list(SETUPS)
    skipped = {setup: redis_reason() for setup in chosen if SETUPS[setup][3] == "redis"}
    skipped = {setup: reason for setup, reason in skipped.items() if reason}
    results = [measure(setup, count) for setup in chosen if setup not in skipped]
    figures = []
    for setup, reason in skipped.items():
        print(f"   [{setup}] skipped: {reason}", flush=True)
        figures.append({"name": f"{SETUPS[setup][0]}: skipped", "value": reason})
    for r in results:
        figures += [
            {"name": f"{r['label']}: console websockets held by one process", "value": r["still_open"],
             "target": f">= {count:,}", "ok": r["still_open"] >= count},
            {"name": f"{r['label']}: server memory per idle socket (VmRSS growth / sockets)",
             "value": round(r["per_socket_kb"], 1), "unit": "KB", "target": f"< {TARGET_KB} KB",
             "ok": r["per_socket_kb"] < TARGET_KB},
            {"name": f"{r['label']}: server VmRSS fresh / warmed / with the sockets",
             "value": f"{r['rss_fresh_kb'] / 1024:.0f} / {r['rss_before_kb'] / 1024:.0f} / "
                      f"{r['rss_held_kb'] / 1024:.0f} MB"},
        ]
        if r["redis_per_socket_kb"] is not None:
            figures.append({"name": f"{r['label']}: Redis memory per idle socket (its keys' MEMORY USAGE growth / "
                                    "sockets)",
                            "value": round(r["redis_per_socket_kb"], 2), "unit": "KB"})
            # A mass close can exhaust the layer's connection pool: a discard that failed leaves its member
            # behind, and the next group_send to that group still writes to the dead channel.
            figures.append({"name": f"{r['label']}: group memberships left in Redis after every socket closed",
                            "value": r["redis_members_left"], "target": "0", "ok": r["redis_members_left"] == 0})
    notes = [
        "One uvicorn process on SQLite (the Redis setting too: only the channel layer differs); the client (websockets library, per-message deflate offered as browsers "
        "do) in another process on the same machine; each socket counted once its hello arrived (the consumer "
        "connected: connection interval row written, groups joined).",
        "Per-message deflate costs a zlib compressor and decompressor per socket for as long as it is open "
        "(websockets' server defaults: 2^12 window, memLevel 5), whether or not a frame is ever sent; consoles "
        "and boards send small JSON. wsproto's protocol object holds less than websockets' sans-I/O one, so the "
        "Makefile serves with `--ws wsproto --ws-per-message-deflate false` (bench.server.SERVE_ARGS).",
        "Console and launch sockets skip channels' cookie/session/auth middleware (they authenticate by their "
        "token; config/asgi.py, attendance/routing.py). What stays (tracemalloc, 1,000 sockets, 2026-12-02): "
        "some 31 KB of Python objects a socket, none large: asyncio queues and events (uvicorn's, the channel "
        "layer's), websockets' handshake headers and uvicorn's ASGI copy, the protocol object, the ping timer, "
        "the tasks and frames of the ASGI chain. MALLOC_ARENA_MAX=2 changed nothing.",
        "Since 2026-12-03 a socket waiting on its channel holds one future: on Redis one reader task per process "
        "hands each message to its socket (core.redis_receive; channels_redis kept an asyncio.Queue, four deques "
        "of ~760 B, and two tasks per waiting socket), in memory a message goes straight to its waiter "
        "(core.memory_layer). Measured at 5,000 sockets before and after on one machine: 33.7 -> 26.9 KB on "
        "Redis, 30.1 -> 26.7 KB in memory. The same day's fix of Redis reads timing out during the blocking "
        "pop (redis-py 8's 5 s default, core.redis_outage.READ_MARGIN_SECONDS) ended the false outages whose "
        "rejoins put back members of closed sockets (4,801 left after 10,000 closed).",
    ]
    return {
        "title": f"Idle console websockets: {count:,} on one process" + (" (quick)" if quick else ""),
        "command": "N idle /ws/console/<token>/ sockets held by a client process; server VmRSS from /proc before "
                   "and with them, one fresh uvicorn per setting (bench/bench_idle_sockets.py).",
        "figures": figures,
        "notes": "\n".join(f"- {n}" for n in notes),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=SOCKETS[False])
    parser.add_argument("--setups", default=",".join(SETUPS), help=f"comma-separated, of {', '.join(SETUPS)}")
    args = parser.parse_args(argv)
    result = run(sockets=args.sockets, setups=[s for s in args.setups.split(",") if s])
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.exit(main())
