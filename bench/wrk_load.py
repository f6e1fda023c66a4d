"""wrk (the C load generator, Debian's package) over prepared teacher check-ins: shared by bench_floor
(check-ins per server CPU-second) and bench_live (the province's replay, burst and yardstick).

A check-in is prepared in advance, on the server's database (a bench child), as one line
"path TAB cookie TAB body": the roll-call code a console shows at the scan's time, the phone's device
cookie (each teacher their own phone, as on a roll call: attendance.services.teacher_checkin.DEVICE_COOKIE)
and the single-use page token the teacher page would carry (attendance.services.qr), a fresh nonce and the
teacher's identifier, so that every request wrk sends is one valid check-in and wrk spends no time building it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

SERVER_CORE, CLIENT_CORE = 0, 1
ALL_ANSWERED = "ALL_ANSWERED"  # a script's line on stderr: stop wrk now (see wrk)


def missing() -> str | None:
    """Why wrk cannot drive a bench here, or None."""
    if shutil.which("wrk") is None:
        return "needs wrk (Debian package wrk)"
    return None


def wrk(url: str, *, seconds: float, connections: int, script: Path, args=(), timeout: float | None = None) -> dict:
    """One wrk run (one thread, pinned to CLIENT_CORE when taskset is there); what its summary says.

    wrk's main thread sleeps the whole duration even when the script's thread has stopped: a script that
    writes ALL_ANSWERED to stderr is interrupted then (SIGINT, as Ctrl-C), and wrk sums up at once."""
    pin = ["taskset", "-c", str(CLIENT_CORE)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []
    command = [*pin, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
               *([f"--timeout={timeout}s"] if timeout else []), url, *(["--", *args] if args else [])]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stderr = []
        for line in proc.stderr:  # until the script says so, or wrk ends by itself (its duration)
            if line.strip() == ALL_ANSWERED:
                proc.send_signal(signal.SIGINT)
                break
            stderr.append(line)
        text, rest = proc.communicate(timeout=seconds + 120)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {(''.join(stderr) + rest)[-500:]}")
    found = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", text)
    latency = {p: _ms(m.group(1)) for p in ("50", "99")
               if (m := re.search(rf"^\s+{p}(?:\.000)?%\s+(\S+)", text, re.M))}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {"requests": int(found.group(1)), "seconds": _ms(found.group(2) + found.group(3)) / 1000,
            "p50_ms": latency.get("50"), "p99_ms": latency.get("99"),
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True))
            if sockets else {}, "stdout": text}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def checkin_lines(roll_call, scans) -> list[str]:
    """'path TAB cookie TAB body' of one valid check-in per scan (bridge id, teacher identifier, scanned_at, page_at):
    the code the bridge's console shows at `scanned_at` and a page token signed as if the page were
    loaded at `page_at` (epoch seconds; None: now). Runs in a child with Django set up."""
    from unittest import mock

    from django.core import signing

    from attendance.services import qr
    from attendance.services.teacher_checkin import DEVICE_COOKIE

    clock = _Clock()
    scanned: dict[int, object] = {}  # bridge -> its ScannedCode (the page token names the roll call and bridge)
    lines = []
    with mock.patch.object(signing, "time", clock):  # the page token's timestamp (django.core.signing)
        for bridge_id, teacher_id, scanned_at, page_at in scans:
            code = qr.make_token(roll_call, bridge_id, int(_now(scanned_at)) // roll_call.window_seconds)
            if bridge_id not in scanned:
                scanned[bridge_id] = qr.authenticate(code)
            clock.at = page_at
            body = {"nonce": str(uuid.uuid4()), "page_token": qr.make_page_token(scanned[bridge_id]),
                    "identifier": teacher_id}
            # Without its own device every teacher after the third would be flagged as one phone's
            # (teacher_checkin.same_client_flag_after) and counted against one client's rows.
            cookie = f"{DEVICE_COOKIE}={uuid.uuid4().hex[:16]}"
            lines.append(f"/api/attendance/qr/{code}/checkin\t{cookie}\t{json.dumps(body)}")
    return lines


def _now(at: float | None) -> float:
    import time

    return time.time() if at is None else at


class _Clock:
    """Stands for the time module inside django.core.signing while page tokens are signed."""

    at: float | None = None

    def time(self) -> float:
        return _now(self.at)
