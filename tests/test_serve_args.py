"""The Makefile's uvicorn websocket options (UVICORN_WS) and bench.server.SERVE_ARGS, which bench/ and the
browser tests' server (tests/board_support.py) pass, are one setting written twice: they must agree."""

import re
import shlex
from pathlib import Path

from bench.server import SERVE_ARGS

ROOT = Path(__file__).resolve().parent.parent


def test_makefile_serves_websockets_as_bench_and_tests_do():
    match = re.search(r"^UVICORN_WS\s*=\s*(.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match is not None, "the Makefile no longer sets UVICORN_WS"
    assert shlex.split(match.group(1)) == SERVE_ARGS
