"""The board page in group mode (issue 13), in a real browser against a real server whose BOARD_TILES_MAX is
3: the organizer's board of 5 bridges shows its groups as a list with counts and no tiles; picking a group
shows that group's tiles (and puts ?group= in the address), a bridge of another group moves only its group's
counts, and picking another group swaps the tiles."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from bridges.models import Role
from tests.attendance_support import confirmed_live_event
from tests.board_support import ServerProcess, server_env
from tests.browser_support import BROWSER_MARKS, logged_in_page

pytestmark = [*BROWSER_MARKS, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """uvicorn on the test database, with a tile limit small enough for the test tree's 5 bridges."""
    settings = connection.settings_dict
    limit = {"BOARD_TILES_MAX": "3"}
    if connection.vendor == "sqlite":
        env = server_env(SQLITE_PATH=settings["NAME"], **limit)
    else:
        env = server_env(DATABASE_URL=f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
                                      f"{settings['NAME']}", **limit)
    process = ServerProcess(env).wait_ready()
    yield process
    process.stop()


@pytest.fixture
def scene(transactional_db, small_tree, server):
    event = confirmed_live_event(small_tree, title="Lễ phát động", started_ago=timedelta(minutes=10),
                                 lasts=timedelta(hours=2, minutes=10))
    organizer = get_user_model().objects.create_user("organizer", password="pw-Secret-123")
    Role.objects.create(user=organizer, kind=Role.Kind.ORGANIZER)
    return {"event": event, "organizer": organizer, "server": server, **small_tree}


def console_check_in(page, server, bridge):
    """The bridge's console says it is there, through the server (which tells its own boards)."""
    answer = page.request.post(f"{server.url}/api/console/{bridge.console_token}/checkin",
                               data={"nonce": str(uuid.uuid4())})
    assert answer.status in (200, 201), answer.text()


def test_a_nation_sized_board_lists_its_groups_and_shows_the_tiles_of_the_one_picked(browser, scene):
    server, event = scene["server"], scene["event"]
    bs1, bs2, tn1, tn2 = (scene[c] for c in ("BS-S1", "BS-S2", "TN-S1", "TN-S2"))
    with translation.override("vi"):
        pick_hint = gettext("Choose a unit in the table above to see its bridges.")
    with logged_in_page(browser, server, scene["organizer"]) as page:
        page.goto(f"{server.url}/attendance/events/{event.pk}/board/")
        page.wait_for_selector("#board-connection[data-state=live]", timeout=10000)
        assert page.locator("#group-table .group-pick").count() == 3
        assert page.locator("#board-groups .tile").count() == 0
        assert page.locator("#board-view-hint").text_content() == pick_hint
        assert page.locator("[data-total=invited]").first.text_content() == "5"

        page.click('#group-table .group-pick[data-group-code="BS"]')
        page.wait_for_selector(f'#board-groups [data-bridge-id="{bs1.pk}"]', timeout=5000)
        assert page.locator("#board-groups .tile").count() == 2
        assert "group=BS" in page.url
        assert page.locator(f'#group-table tr.viewed[data-group-id="{scene["BS"].pk}"]').count() == 1
        assert scene["BS"].name in page.locator("#board-view-hint").text_content()

        # A bridge of another group: its group's counts move, the tiles shown do not change.
        console_check_in(page, server, tn2)
        tn_row = f'#group-table tr[data-group-id="{scene["TN"].pk}"] td:nth-child(3)'
        page.wait_for_function(f"() => document.querySelector('{tn_row}').textContent === '1'", timeout=5000)
        assert page.locator('[data-total="checked_in"]').first.text_content() == "1"
        assert page.locator("#board-groups .tile").count() == 2
        bs_row = f'#group-table tr[data-group-id="{scene["BS"].pk}"] td:nth-child(3)'
        assert page.locator(bs_row).text_content() == "0"
        # A bridge of the group looked at: its tile changes too.
        console_check_in(page, server, bs2)
        page.wait_for_function(f"""() => document.querySelector('#board-groups [data-bridge-id="{bs2.pk}"]')
                                   .dataset.state === "offline" """, timeout=5000)
        assert page.locator(bs_row).text_content() == "1"

        page.click('#group-table .group-pick[data-group-code="TN"]')
        page.wait_for_selector(f'#board-groups [data-bridge-id="{tn1.pk}"]', timeout=5000)
        page.wait_for_function(f"""() => !document.querySelector('#board-groups [data-bridge-id="{bs1.pk}"]')""", timeout=5000)
        assert page.locator(f'#board-groups [data-bridge-id="{tn2.pk}"]').get_attribute("data-state") == "offline"
        assert "group=TN" in page.url
        assert page.errors == []
