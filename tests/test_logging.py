import logging

from core.logging import RedactSecrets, redact


def test_console_tokens_qr_codes_and_certificate_codes_are_redacted():
    line = 'GET /c/AbCdEf_123-xyz/checkin 403; GET /a/signed.qr:code 400; /verify/7K3M-9QXD-2H8T-F 200 /api/console/tok/x'
    cleaned = redact(line)
    for secret in ("AbCdEf_123-xyz", "signed.qr:code", "7K3M-9QXD-2H8T-F", "/tok/"):
        assert secret not in cleaned
    assert "/c/[redacted]/checkin" in cleaned


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "%s: %s", ("Forbidden", "/c/secret123/"), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "Forbidden: /c/[redacted]/"


def test_uvicorn_access_lines_are_redacted_in_uvicorns_own_format():
    from uvicorn.logging import AccessFormatter

    access = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, RedactSecrets) for f in access.filters), "core.apps did not filter uvicorn's access log"
    record = access.makeRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/c/AbCdEf_123-xyz/roster", "1.1", 200), None)
    assert all(f.filter(record) for f in access.filters)
    line = AccessFormatter(use_colors=False).format(record)
    assert "AbCdEf_123-xyz" not in line
    assert '"GET /c/[redacted]/roster HTTP/1.1" 200' in line


def _served_lines(tmp_path, *flags: str) -> str:
    """What a real uvicorn serving the project prints for two requests, started with these flags."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / f"served-{port}.txt"
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    with out.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
                                   "--port", str(port), *flags], stdout=sink, stderr=subprocess.STDOUT, env=env)
        try:
            for _ in range(150):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            httpx.get(f"http://127.0.0.1:{port}/nothing/c/AbCdEf_123-xyz/", timeout=5)
            time.sleep(0.3)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return out.read_text()


def test_a_server_started_without_access_log_prints_none_and_one_with_it_prints_paths_redacted(tmp_path):
    # Django's LOGGING once configured the access logger itself: --no-access-log was ignored (issue 13).
    quiet = _served_lines(tmp_path, "--no-access-log")
    assert "GET /healthz" not in quiet and "AbCdEf_123-xyz" not in quiet
    loud = _served_lines(tmp_path)
    assert '"GET /healthz HTTP/1.1" 200' in loud
    assert "GET /nothing/c/[redacted]/ HTTP/1.1" in loud
    assert "AbCdEf_123-xyz" not in loud
