"""Every live message a service sends is in its written shape (attendance.messages).

The channel layer's sender is replaced by a recorder; each service that notifies boards or consoles
is run through its real entry point; every recorded message must parse back into its type, and the
kinds of feed line the board knows must all have been sent by somebody.
"""

import datetime as dt

import pytest
from django.utils import timezone

from attendance import launch, live, messages
from attendance.services import bridge_checkin, connections, console_writes, rollcall, teacher_checkin
from tests.attendance_support import make_event, teacher_page
from video.models import PresenceEvent


@pytest.fixture
def sent(monkeypatch):
    recorded: list[tuple[str, dict]] = []
    monkeypatch.setattr(live, "_send_after_commit", lambda group, message: recorded.append((group, message)))
    monkeypatch.setattr(live, "_send_all_after_commit", lambda outgoing: recorded.extend(outgoing))
    return recorded


def test_every_service_message_parses_into_its_type(small_tree, sent, organizer):
    env = make_event(small_tree)
    school, now = env.school, timezone.now()
    bridge_checkin.check_in(school, env.event, method="button", client_time=None, ip="127.0.0.1", now=now)
    bridge_checkin.set_headcount(school, env.event, 12, client_time=None, ip="127.0.0.1", now=now)
    roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ", user=organizer)
    console_writes.write(school, "tick", {"nonce": "tick-nonce-0001", "person_id": env.people[0].pk,
                                          "roll_call_id": roll_call.pk})
    console_writes.write(school, "untick", {"nonce": "untick-nonce-01", "person_id": env.people[0].pk,
                                            "roll_call_id": roll_call.pk})
    code, page = teacher_page(roll_call, school)
    teacher_checkin.self_check_in(code, page_token=page, identifier=env.people[1].teacher_id, nonce="scan-nonce-0001")
    connection = connections.console_connected(school.console_token, "channel-1")
    connections.console_disconnected(connection)
    for kind, minutes in ((PresenceEvent.Kind.OCCUPANT_JOINED, 1), (PresenceEvent.Kind.OCCUPANT_LEFT, 2)):
        PresenceEvent.objects.create(dedupe_key=f"{kind}-1", kind=kind, room_name="phong-1", event=env.event,
                                     bridge=school, occupant_id="jid-1", occurred_at=now + dt.timedelta(minutes=minutes))
    rollcall.close_roll_call(roll_call, user=organizer)
    launch.press(env.event, actor_label=organizer.username)

    typed = [messages.parse(message) for _group, message in sent]
    assert typed, "the services notified nobody"
    lines = [line for message in typed if isinstance(message, messages.BridgesChanged) for line in message.feed]
    pushes = {message.kind for message in typed if isinstance(message, messages.ConsolePush)}
    assert {line.kind for line in lines} >= messages.FEED_KINDS - {"roll_call_opened", "roll_call_closed"}
    assert pushes == {"rollcall.opened", "rollcall.closed", "launch", "roster.changed"}
    rosters = [m.payload for m in typed if isinstance(m, messages.ConsolePush) and m.kind == "roster.changed"]
    # The teacher's own scan, to the school's consoles (a tick and its undo are answered to their console).
    assert [[(p["id"], p["ticked"], p["method"]) for p in r["people"]] for r in rosters] == [
        [(env.people[1].pk, True, "self_qr")]]
    assert {group for group, message in sent if message["type"] == "console.push"
            and message["payload"]["type"] == "roster.changed"} == {live.bridge_group(school.pk)}
    # Round trip: what a consumer reads is what the service meant.
    assert all(messages.parse(message.as_message()) == message for message in typed)


@pytest.mark.parametrize("message", [
    {"type": "bridges.changed", "bridge_ids": [1], "feed": [{"kind": "checkin", "bridge_id": 1,
                                                              "bridge_name": "Trường A", "at": "2026-12-02T08:00:00"}]},
    {"type": "bridges.changed", "bridge_ids": [1], "feed": [{"kind": "vote", "at": 1}]},
    {"type": "console.push", "payload": {"type": "rollcall.opened", "roll_call": {"label": "Lần 1"}}},
    {"type": "board.reload"},
])
def test_a_guessed_shape_is_refused(message):
    with pytest.raises(messages.MessageError):
        messages.parse(message)


def test_a_typed_line_refuses_a_wrong_field_at_the_sender():
    with pytest.raises(messages.MessageError):
        messages.FeedLine(kind="checkin", at=timezone.now())
