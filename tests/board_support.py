"""A real ASGI server in a subprocess, for the tests that need real sockets (browser, scale-out)."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.server import SERVE_ARGS

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**overrides) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE")}
    env.update({"DIEMCAU_ENV": "development", "DEBUG": "1", "JOBS_MODE": "inline", "LOG_LEVEL": "WARNING"})
    env.update({key: value for key, value in overrides.items() if value is not None})
    return env


class ServerProcess:
    """uvicorn serving config.asgi on a free loopback port; stop() ends it (and only it)."""

    def __init__(self, env: dict, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="diemcau-server-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log", *SERVE_ARGS],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30.0) -> "ServerProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as resp:  # noqa: S310 - loopback
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not ready in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        if not self.log.closed:  # stop() closes it; the file on disk still holds what the server said
            self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def manage(*args: str, env: dict, timeout: float = 180) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def organizer_session(username: str = "organizer") -> str:
    """An organizer account and a session logged in as it, as Django's login stores one; returns its key
    (the `sessionid` cookie). For the seed scripts that run in a server's own database through
    `manage("shell", "-c", ...)`: `from tests.board_support import organizer_session`."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bridges.models import Role

    user = get_user_model().objects.create_user(username, password="pw-Secret-123")
    Role.objects.create(user=user, kind=Role.Kind.ORGANIZER)
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
