"""The real ASGI server for benchmarks: uvicorn on a free loopback port, its own database, stopped at the end.

    with Server(workers=1) as server:        # temporary SQLite + media unless database_url is given
        server.manage("createsuperuser", "--noinput", "--username", "bench", env={...})
        client = httpx.Client(base_url=server.url)
        ...
    print(server.peak_rss_mb)                 # the server, its workers and the job worker, sampled

`python -m bench.server [--workers N]` starts one by hand and prints its URL (Ctrl-C stops it).
Only loopback addresses are used.
"""

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# How the Makefile serves (UVICORN_WS, kept equal by tests/test_serve_args.py): websockets by wsproto, no
# per-message deflate (bench_idle_sockets). tests/board_support.py serves the browser tests with it too.
SERVE_ARGS = ["--ws", "wsproto", "--ws-per-message-deflate", "false"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Workspace:
    """A temporary database and media folder (or the DATABASE_URL given) with the environment to use them."""

    def __init__(self, *, database_url: str | None = None, redis_url: str | None = None, env: dict | None = None,
                 jobs_mode: str = "inline"):
        self.database_url = database_url
        self.redis_url = redis_url
        self.extra_env = env or {}
        self.jobs_mode = jobs_mode
        self.url = ""
        self._tmp: str | None = None

    @property
    def env(self) -> dict:
        env = dict(os.environ)
        env.update({"DEBUG": "0", "JOBS_MODE": self.jobs_mode, "LOG_LEVEL": "WARNING",
                    "ALLOWED_HOSTS": f"{HOST},localhost", "PYTHONUNBUFFERED": "1"})
        if self.url:
            env["SITE_URL"] = self.url
        if self._tmp:
            env["MEDIA_ROOT"] = str(Path(self._tmp) / "media")
            env["SQLITE_PATH"] = str(Path(self._tmp) / "db.sqlite3")
        for name, value in (("DATABASE_URL", self.database_url), ("REDIS_URL", self.redis_url)):
            if value:
                env[name] = value
            else:
                env.pop(name, None)
        env.update(self.extra_env)
        return env

    @property
    def folder(self) -> Path:
        if self._tmp is None:
            raise RuntimeError("create the workspace first: its temporary database does not exist yet")
        return Path(self._tmp)

    def create(self) -> "Workspace":
        self._tmp = tempfile.mkdtemp(prefix="diemcau-bench-")
        self.manage("migrate", "--noinput")
        return self

    def manage(self, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """Run `manage.py ARGS` against this workspace's database (never the working copy's)."""
        self.folder  # noqa: B018 - refuses before create()
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})},
                              capture_output=True, text=True, check=check, timeout=600)

    def timed(self, *args: str) -> tuple[float, float, str]:
        """Run `manage.py ARGS`; return (wall seconds, peak RSS in MB, output). Raises when it fails."""
        with (self.folder / "command.out").open("w+") as out:
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT)
            # wait4 gives this child's own peak RSS, exactly, with its exit status.
            _pid, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            output = out.read()
        if proc.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} exited with {proc.returncode}:\n{output[-3000:]}")
        return seconds, round(usage.ru_maxrss / 1024, 1), output

    def create_organizer(self, username: str = "bench", password: str | None = None) -> tuple[str, str]:
        """A superuser, which bridges.scope treats as an organizer. Returns (username, password)."""
        password = password or secrets.token_urlsafe(16)
        self.manage("createsuperuser", "--noinput", "--username", username, "--email", f"{username}@example.vn",
                    env={"DJANGO_SUPERUSER_PASSWORD": password})
        return username, password

    def remove(self) -> None:
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> "Workspace":
        return self.create()

    def __exit__(self, *exc) -> None:
        self.remove()


class Server(Workspace):
    def __init__(self, *, workers: int = 1, database_url: str | None = None, redis_url: str | None = None,
                 env: dict | None = None, jobs_mode: str = "database", startup_timeout: float = 60.0,
                 uvicorn_args: list[str] | None = None):
        super().__init__(database_url=database_url, redis_url=redis_url, env=env, jobs_mode=jobs_mode)
        self.workers = workers
        self.uvicorn_args = list(uvicorn_args or ())  # e.g. ["--ws-per-message-deflate", "false"]
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.peak_rss = 0
        self._log = None
        self._sampling = threading.Event()
        self._sampler: threading.Thread | None = None

    # --- life cycle ----------------------------------------------------------------------------
    def start(self) -> "Server":
        self.create()
        command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", HOST, "--port",
                   str(self.port), "--log-level", "warning", "--no-access-log"]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        command += SERVE_ARGS + self.uvicorn_args  # a later option wins
        self._log = (Path(self._tmp) / "server.log").open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=self._log)
        if self.jobs_mode == "database":
            # Jobs run in a db_worker beside the server, never in it: the same two processes as `make demo`.
            self.worker = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
                cwd=ROOT, env=self.env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=self._log)
        self._wait_healthy()
        self._sampling.set()
        self._sampler = threading.Thread(target=self._sample_rss, daemon=True)
        self._sampler.start()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz within {self.startup_timeout}s")

    def _sample_rss(self) -> None:
        try:
            roots = [psutil.Process(proc.pid) for proc in (self.process, self.worker) if proc is not None]
        except psutil.NoSuchProcess:
            return
        while self._sampling.is_set():
            try:
                total = 0
                for root in roots:
                    total += root.memory_info().rss
                    for child in root.children(recursive=True):
                        try:
                            total += child.memory_info().rss
                        except psutil.NoSuchProcess:
                            continue
            except psutil.NoSuchProcess:
                return
            self.peak_rss = max(self.peak_rss, total)
            time.sleep(0.1)

    def client(self, username: str, password: str, timeout: float = 120.0) -> httpx.Client:
        """An httpx client logged in through the real login form; client.csrf holds the CSRF token."""
        client = httpx.Client(base_url=self.url, timeout=timeout)
        client.get("/accounts/login/").raise_for_status()
        token = client.cookies["csrftoken"]
        resp = client.post("/accounts/login/", data={"username": username, "password": password,
                                                     "csrfmiddlewaretoken": token})
        if resp.status_code != 302:
            raise RuntimeError(f"login failed with {resp.status_code}")
        client.csrf = client.cookies["csrftoken"]
        client.headers["X-CSRFToken"] = client.csrf
        return client

    @property
    def peak_rss_mb(self) -> float:
        return round(self.peak_rss / 1024 / 1024, 1)

    def log_tail(self, lines: int = 20) -> str:
        if not self._tmp:
            return ""
        log = Path(self._tmp) / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""

    def stop(self) -> None:
        self._sampling.clear()
        for proc in (self.process, self.worker):
            if proc is not None and proc.poll() is None:
                # Only the process groups this object started.
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)
        if self._sampler is not None:
            self._sampler.join(timeout=2)
        if self._log is not None:
            self._log.close()
            self._log = None
        self.remove()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Start the ASGI server on a free loopback port with a temporary database.")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    args = parser.parse_args(argv)
    with Server(workers=args.workers, database_url=args.database_url, redis_url=args.redis_url) as server:
        print(f"serving {server.url} (Ctrl-C stops)", flush=True)
        try:
            while server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        print(f"peak RSS {server.peak_rss_mb} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
