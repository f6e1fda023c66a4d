"""Finding things: the home page shows the current and next events; a ceremony's training is reachable."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridges.models import Role
from events.models import Event, Session

pytestmark = pytest.mark.django_db


def event(host, title, start, *, status=Event.Status.PUBLISHED, kind=Event.Kind.LAUNCH):
    return Event.objects.create(title=title, kind=kind, status=status, host=host, starts_at=start,
                                ends_at=start + timedelta(hours=3))


def test_the_home_page_shows_the_current_and_the_next_events(client, make_user, small_tree):
    now = timezone.now()
    host = small_tree["host"]
    live = event(host, "Lễ phát động hôm nay", now - timedelta(hours=1))
    soon = event(host, "Tập huấn tuần sau", now + timedelta(days=7), kind=Event.Kind.TRAINING)
    event(host, "Sự kiện đã qua", now - timedelta(days=30), status=Event.Status.ENDED)
    event(host, "Bản nháp", now + timedelta(days=3), status=Event.Status.DRAFT)
    event(host, "Đã huỷ", now + timedelta(days=2), status=Event.Status.CANCELLED)
    client.force_login(make_user("officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"]))
    page = client.get(reverse("home")).content.decode()
    assert "Lễ phát động hôm nay" in page and "Tập huấn tuần sau" in page
    assert reverse("events:detail", args=[live.pk]) in page
    assert reverse("attendance:board", args=[live.pk]) in page
    assert reverse("training:detail", args=[soon.pk]) in page
    for hidden in ("Sự kiện đã qua", "Bản nháp", "Đã huỷ"):
        assert hidden not in page


def test_a_ceremony_with_a_training_session_shows_its_certificates_tab(client, organizer, small_tree):
    start = timezone.now() + timedelta(days=1)
    ceremony = event(small_tree["host"], "Lễ phát động và tập huấn", start)
    client.force_login(organizer)
    tab = reverse("training:detail", args=[ceremony.pk])
    assert tab not in client.get(reverse("events:detail", args=[ceremony.pk])).content.decode()
    assert "Lễ phát động và tập huấn" not in client.get(reverse("training:list")).content.decode()
    Session.objects.create(event=ceremony, title="Tập huấn", starts_at=start + timedelta(hours=1),
                           ends_at=start + timedelta(hours=3), counts_for_completion=True)
    assert tab in client.get(reverse("events:detail", args=[ceremony.pk])).content.decode()
    assert "Lễ phát động và tập huấn" in client.get(reverse("training:list")).content.decode()


def test_error_pages_are_friendly_and_vietnamese(client, settings):
    settings.DEBUG = False  # as make demo runs
    response = client.get("/khong-co-trang-nay/")
    page = response.content.decode()
    assert response.status_code == 404 and 'lang="vi"' in page
    assert "Page not found" not in page and "URLconf" not in page  # not Django's technical page


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in page


def test_one_order_of_units_numbers_compared_as_numbers():
    from bridges.tree import unit_order

    codes = ["QNG-10", "QNG-2", "QNG-01", "HOST", "QNG-03"]
    assert sorted(codes, key=unit_order) == ["HOST", "QNG-01", "QNG-2", "QNG-03", "QNG-10"]
    assert unit_order("", "Bình Sơn") < unit_order("", "Sơn Tịnh")
