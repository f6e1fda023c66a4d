"""Shared set-up for the attendance write-side tests (tests/test_attendance_*.py)."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from events.models import Event, Invitation, Session

ORIGIN = [(b"origin", b"http://testserver")]


def make_event(tree, *, status=Event.Status.LIVE, start_offset=dt.timedelta(minutes=-30)) -> SimpleNamespace:
    """A live event hosted by IOC, all four schools invited, one session; birth dates on BS-S1's roster."""
    now = timezone.now()
    event = Event.objects.create(
        title="Lễ phát động chuyển đổi số", host=tree["host"], status=status,
        starts_at=now + start_offset, ends_at=now + start_offset + dt.timedelta(hours=4),
    )
    session = Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at,
                                     ends_at=event.starts_at + dt.timedelta(hours=2))
    schools = [tree[code] for code in ("BS-S1", "BS-S2", "TN-S1", "TN-S2")]
    for school in schools:
        Invitation.objects.create(event=event, bridge=school)
    people = list(tree["BS-S1"].people.order_by("teacher_id"))
    for year, person in zip((1980, 1985, 1990), people, strict=True):
        person.birth_date = dt.date(year, 5, 17)
        person.save()
    return SimpleNamespace(event=event, session=session, schools=schools, school=tree["BS-S1"], people=people,
                           other_school=tree["TN-S1"])


def with_open_roll_call(tree) -> SimpleNamespace:
    """make_event plus an open roll call ("Đầu giờ") of its session."""
    from attendance.services import rollcall

    env = make_event(tree)
    env.roll_call = rollcall.open_roll_call(env.session, label="Đầu giờ")
    return env


def teacher_page(roll_call, bridge, now=None) -> tuple[str, str]:
    """What a phone gets by loading the teacher page now: the current code and a new page token."""
    from attendance.services import qr

    code = qr.current_token(roll_call, bridge.pk, now)
    return code, qr.make_page_token(qr.authenticate(code))


def screen_code(roll_call, bridge) -> str:
    """The code the bridge's screen shows under the roll-call QR."""
    from attendance.services import second_factor

    return second_factor.screen_code(roll_call, bridge.pk)


def confirmed_live_event(tree, *, title: str, started_ago: dt.timedelta, lasts: dt.timedelta) -> Event:
    """A live event hosted by IOC that began `started_ago`, one session over it, the four schools invited and
    confirmed: what a board or a simulated day needs in view."""
    now = timezone.now()
    event = Event.objects.create(title=title, host=tree["host"], status=Event.Status.LIVE,
                                 starts_at=now - started_ago, ends_at=now - started_ago + lasts)
    Session.objects.create(event=event, title="Khai mạc", starts_at=event.starts_at, ends_at=event.ends_at)
    for code in ("BS-S1", "BS-S2", "TN-S1", "TN-S2"):
        Invitation.objects.create(event=event, bridge=tree[code], status=Invitation.Status.CONFIRMED)
    return event
