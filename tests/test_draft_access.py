"""A draft is the organizers' alone: every event-scoped URL, API route and websocket answers 404.

The URL resolver and the websocket routes are walked, so a page or endpoint added later is covered
without editing this test. Each route is filled in with objects of one draft event (its session,
agenda item, room, invitation, roll call, follow-up form and answer); an official and a district officer must
get 404 (or a closed socket), and an organizer must not get 404 on the same GET (which shows that
the URL was filled in right and that the 404 comes from the draft rule).
"""

from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from bridges.models import Role
from events.models import AgendaItem, Event, Invitation, JitsiRoom, Session
from followups import services as followup

# kwargs that name an event, or an object that belongs to one.
EVENT_KWARGS = {"event_id", "session_id", "item_id", "room_name", "roll_call_id", "form_id", "person_id"}
# Routes whose `pk` is an event-owned object, by the start of their path.
PK_OWNERS = {"events/": "event", "attendance/rollcalls/": "roll_call", "attendance/followups/answers/": "answer",
             "attendance/followups/": "form", "followups/": "form", "rollcalls/": "roll_call"}
# Public check-ins and console routes carry their own secrets, not an event id.
# School reports belong to no event: their `form_id` is a report form's (schoolreports), not a follow-up form's.
SKIP_PREFIXES = ("admin/", "c/<", "a/<", "api/console/", "api/attendance/qr/", "verify/", "events/jitsi/webhook",
                 "api/school-reports/", "school-reports/")


def _model(name: str):
    """Find a model by class name wherever it lives (apps move; the rule stays)."""
    for model in apps.get_models():
        if model.__name__ == name:
            return model
    raise LookupError(name)


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _route_kwargs(route: str, objects: dict) -> dict | None:
    """Values for the route's converters from the draft's objects; None when it is not event-scoped."""
    import re

    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not names:
        return None
    owner = next((kind for start, kind in PK_OWNERS.items() if route.startswith(start) or
                  route.startswith("api/" + start)), None)
    if not (set(names) & EVENT_KWARGS or ("pk" in names and owner)):
        return None
    values = {
        "event_id": objects["event"].pk, "session_id": objects["session"].pk, "item_id": objects["item"].pk,
        "room_name": objects["room"].name, "roll_call_id": objects["roll_call"].pk, "form_id": objects["form"].pk,
        "person_id": objects["person"].pk, "code": objects["bridge"].code, "bridge_code": objects["bridge"].code,
        "subject": "room", "action": "created",
    }
    if "pk" in names:
        values["pk"] = objects[owner].pk
    return {name: values[name] for name in names if name in values}


def _fill(route: str, kwargs: dict) -> str:
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


@pytest.fixture
def draft(small_tree, organizer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    event = Event.objects.create(title="Bản nháp", kind=Event.Kind.TRAINING, status=Event.Status.DRAFT,
                                 host=small_tree["host"], starts_at=now - timedelta(hours=1),
                                 ends_at=now + timedelta(hours=3))
    session = Session.objects.create(event=event, title="Phiên 1", starts_at=event.starts_at, ends_at=event.ends_at)
    item = AgendaItem.objects.create(session=session, title="Khai mạc", starts_at=event.starts_at,
                                     ends_at=event.starts_at + timedelta(minutes=10))
    room = JitsiRoom.objects.create(event=event, name="phong-1", label="Phòng 1")
    bridge = small_tree["BS-S1"]
    Invitation.objects.create(event=event, bridge=bridge, status=Invitation.Status.CONFIRMED, room=room)
    roll_call = _model("RollCall").objects.create(session=session, label="Lần 1", opened_at=now,
                                                  closes_at=now + timedelta(minutes=5))
    form = _model("FollowUpForm").objects.create(event=event, title="Báo cáo", deadline=now + timedelta(days=7))
    # A follow-up's answers are the engine's (its round, from the replication template), with an attachment.
    followup.link_round(form)
    answer, _first = followup.submit(form, bridge, {"students_trained": "10", "classes_held": "1",
                                                    "teachers_led": "1"},
                                     attachment=SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4",
                                                                   content_type="application/pdf"))
    return {"event": event, "session": session, "item": item, "room": room, "bridge": bridge,
            "roll_call": roll_call, "form": form, "answer": answer, "person": bridge.people.first()}


def _event_routes(objects):
    routes = []
    for route, _pattern in _walk(get_resolver()):
        if route.startswith(SKIP_PREFIXES):
            continue
        kwargs = _route_kwargs(route, objects)
        if kwargs is not None:
            routes.append((route, _fill(route, kwargs)))
    return routes


def _answer(client, url: str) -> int:
    status = client.get(url).status_code
    if status == 405:
        status = client.post(url, data="{}", content_type="application/json").status_code
    if status == 405:
        status = client.put(url, data="{}", content_type="application/json").status_code
    if status == 405:
        status = client.delete(url).status_code
    return status


@pytest.mark.django_db
def test_every_event_scoped_url_hides_a_draft(client, draft, organizer, make_user, small_tree):
    routes = _event_routes(draft)
    assert len(routes) > 60, "the walk should find the event pages, the API and the board"
    official = make_user("quan-chuc", Role.Kind.OFFICIAL)
    officer = make_user("can-bo-bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    missing = {**draft, "event": Event(pk=draft["event"].pk + 1000)}
    leaks = []
    for user in (official, officer):
        client.force_login(user)
        for route, url in routes:
            status = _answer(client, url)
            # As for an event that does not exist: 404, or 422 where the body is refused before any lookup.
            kwargs = _route_kwargs(route, missing)
            if status == 404 or (status == 422 and _answer(client, _fill(route, kwargs)) == 422):
                continue
            leaks.append(f"{user.username} {url} ({route}) -> {status}")
    assert not leaks, "\n".join(leaks)

    client.force_login(organizer)
    wrong = [f"{url} -> 404" for route, url in routes if client.get(url).status_code == 404]
    assert not wrong, "organizer must reach the draft (URL filled wrong?):\n" + "\n".join(wrong)


def _ws_routes():
    from config.routing import websocket_urlpatterns

    return [str(p.pattern) for p in websocket_urlpatterns if "event_id" in str(p.pattern)]


def _session_cookie(user) -> bytes:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.mark.django_db(transaction=True)
async def test_every_event_websocket_refuses_a_draft(small_tree, make_user):
    from asgiref.sync import sync_to_async

    from config.asgi import application

    now = timezone.now()
    event = await sync_to_async(Event.objects.create)(
        title="Bản nháp", status=Event.Status.DRAFT, host=small_tree["host"], starts_at=now,
        ends_at=now + timedelta(hours=2))
    official = await sync_to_async(make_user)("quan-chuc", Role.Kind.OFFICIAL)
    officer = await sync_to_async(make_user)("can-bo-bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    organizer = await sync_to_async(make_user)("to-chuc", Role.Kind.ORGANIZER)
    routes = _ws_routes()
    assert routes, "the board socket is an event-scoped websocket"
    for route in routes:
        path = "/" + route.replace("<int:event_id>", str(event.pk))
        for user, allowed in ((official, False), (officer, False), (organizer, True)):
            cookie = await sync_to_async(_session_cookie)(user)
            communicator = WebsocketCommunicator(
                application, path, headers=[(b"origin", b"http://testserver"), (b"cookie", cookie)])
            connected, _code = await communicator.connect()
            if allowed:
                assert connected, f"organizer refused on {path}"
                first = await communicator.receive_json_from(timeout=5)
                assert first.get("type") == "hello", first
            else:
                # Accepted only to say why, then closed as "not found": the draft does not exist for them.
                message = await communicator.receive_output(timeout=5) if connected else {"type": "websocket.close"}
                assert message["type"] == "websocket.close", (path, user.username, message)
                assert message.get("code") in (None, 4404), (path, user.username, message)
            await communicator.disconnect()


@pytest.mark.django_db
def test_a_job_works_on_its_event_as_the_person_who_started_it(draft, organizer, make_user, small_tree):
    from types import SimpleNamespace

    from core.errors import Refused
    from events.access import event_for_job

    officer = make_user("can-bo-bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    event = draft["event"]
    assert event_for_job(SimpleNamespace(created_by=organizer), event.pk) == event
    assert event_for_job(SimpleNamespace(created_by=None), event.pk) == event  # a command: the operator
    with pytest.raises(Refused):  # started while announced, the event went back to draft meanwhile
        event_for_job(SimpleNamespace(created_by=officer), event.pk)
