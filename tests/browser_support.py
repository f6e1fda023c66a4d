"""What the browser tests share: Debian's chromium through Playwright, and a real server on the test database.

tests/conftest.py loads the fixtures (pytest_plugins); a browser test module sets `pytestmark = BROWSER_MARKS`.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.board_support import ServerProcess, server_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """uvicorn on loopback, on the database the tests write (SQLite file or PostgreSQL)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        env = server_env(SQLITE_PATH=settings["NAME"])
    else:
        env = server_env(DATABASE_URL=f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}")
    process = ServerProcess(env).wait_ready()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls of these tests
    # are ordinary blocking ones between browser steps, which is what this switch allows.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


DESKTOP = {"width": 1366, "height": 768}  # the province office's screen


@contextmanager
def logged_in_page(browser, server, user, viewport=DESKTOP):
    """A page of a fresh browser context with `user`'s session (made by Django's test client) on `server`;
    the page's script errors are collected in `page.errors`."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
