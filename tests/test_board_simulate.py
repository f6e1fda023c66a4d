"""simulate_day drives a real server: consoles connect and drop out, bridges check in, three roll
calls open and close, teachers check in. Everything lands in the database through the server."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import CommandError, call_command
from django.db import connection

from attendance.models import BridgeCheckIn, CheckIn, ConnectionInterval, RollCall
from bridges.models import Role
from tests.attendance_support import confirmed_live_event
from tests.board_support import ServerProcess, server_env


@pytest.fixture
def server(transactional_db):
    if connection.vendor != "sqlite":
        pytest.skip("the server subprocess shares the SQLite test database file")
    process = ServerProcess(server_env(SQLITE_PATH=connection.settings_dict["NAME"])).wait_ready()
    yield process
    process.stop()


def test_a_simulated_day_fills_the_board(server, small_tree, make_user):
    event = confirmed_live_event(small_tree, title="Ngày mô phỏng", started_ago=timedelta(minutes=5),
                                 lasts=timedelta(hours=3, minutes=5))
    organizer = make_user("tochuc-test", Role.Kind.ORGANIZER)
    # The tests hash with MD5 for speed; the server only knows the production hashers.
    organizer.password = PBKDF2PasswordHasher().encode("pw-Secret-123", PBKDF2PasswordHasher().salt())
    organizer.save()

    out = StringIO()
    call_command("simulate_day", str(event.pk), "--url", server.url, "--speed", "400", "--user", "tochuc-test",
                 "--password", "pw-Secret-123", "--drop", "1", "--max-minutes", "2", stdout=out)
    output = out.getvalue()
    assert "Simulated day over" in output, output + server.output()

    roll_calls = list(RollCall.objects.filter(session__event=event).order_by("opened_at"))
    assert [rc.label for rc in roll_calls] == ["Đầu buổi", "Giữa buổi", "Cuối buổi"]
    assert all(rc.closed_at is not None for rc in roll_calls)
    assert all(CheckIn.objects.filter(roll_call=rc).exists() for rc in roll_calls)
    # Each teacher checks in from a phone of their own (its device cookie), not as one device per school.
    assert not CheckIn.objects.filter(roll_call__in=roll_calls, same_client=True).exists()
    assert BridgeCheckIn.objects.filter(event=event).exists()
    # Every console dropped out once and came back: more connections than bridges, all closed now.
    intervals = ConnectionInterval.objects.filter(event=event, source="console")
    connected_bridges = intervals.values("bridge").distinct().count()
    assert intervals.count() > connected_bridges > 0
    deadline = time.monotonic() + 5  # the server ends the last intervals as it handles the closes
    while intervals.filter(ended_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not intervals.filter(ended_at__isnull=True).exists()


def test_simulate_day_drives_only_a_server_on_this_machine(db):
    with pytest.raises(CommandError, match="this machine only"):
        call_command("simulate_day", "1", "--url", "http://example.org:8000")
