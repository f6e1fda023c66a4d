"""Lists longer than a screen are paged or folded by district, with counts and a search by code or name that
ignores Vietnamese marks (bridges.search): the letters, the invitations, a room plan's rooms, a follow-up
report's schools. Through the Django test client."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridges import search
from bridges.models import Bridge
from core.text import clean_text
from events.models import Event, Invitation
from followups import services as followup
from video import room_plan

pytestmark = pytest.mark.django_db
MANY = 120


@pytest.fixture
def province(small_tree, tiers):
    """small_tree plus a district of MANY schools, one with a name full of marks; all invited."""
    district = Bridge.objects.create(code="NH", name="Huyện Nghĩa Hành", tier=tiers["district"],
                                     parent=small_tree["host"])
    for n in range(1, MANY + 1):
        name = "Trường THCS Nghĩa Kỳ – Đức Phổ" if n == 77 else f"Trường Tiểu học số {n}"
        Bridge.objects.create(code=f"NH-{n:03d}", name=clean_text(name), tier=tiers["school"], parent=district)
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", host=small_tree["host"], status=Event.Status.PUBLISHED,
                                 starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=3))
    Invitation.objects.bulk_create([Invitation(event=event, bridge=b)
                                    for b in Bridge.objects.exclude(pk=small_tree["host"].pk)])
    return event


def rows_of(html: str, marker: str) -> int:
    return html.count(marker)


def test_search_words_ignore_marks_case_and_order():
    school = Bridge(code="NH-077", name="Trường THCS Nghĩa Kỳ – Đức Phổ")
    assert all(search.matches(school, search.words(q)) for q in ("nghia ky", "NGHĨA KỲ", "ky nghia", "duc pho",
                                                                 "nh-077", "đức"))
    assert not search.matches(school, search.words("nghia hanh"))


def test_letters_are_paged_with_counts_and_found_without_marks(client, organizer, province):
    client.force_login(organizer)
    url = reverse("events:invitation_letters", args=[province.pk])
    first = client.get(url)
    html = first.content.decode()
    total = MANY + 7  # the district NH, and two districts of two schools with their district bridges
    assert first.context["page"].paginator.count == total and len(first.context["page"]) == 50
    assert rows_of(html, ">PDF</a>") == 50 and "page=2#letters" in html
    last = client.get(url, {"page": 3})
    assert len(last.context["page"]) == total - 100
    found = client.get(url, {"q": "nghia ky"})
    assert [inv.bridge.code for inv in found.context["page"]] == ["NH-077"]
    assert rows_of(found.content.decode(), ">PDF</a>") == 1
    assert sorted(i.bridge.code for i in client.get(url, {"q": "tiểu học số 11"}).context["page"]) == [
        "NH-011", "NH-110", "NH-111", "NH-112", "NH-113", "NH-114", "NH-115", "NH-116", "NH-117", "NH-118",
        "NH-119"]


def test_invitations_list_is_searched_without_marks_and_paged_with_its_filters(client, organizer, province):
    client.force_login(organizer)
    url = reverse("events:invitations", args=[province.pk])
    page = client.get(url, {"q": "duc pho"})
    assert [inv.bridge.code for inv in page.context["page"]] == ["NH-077"]
    listing = client.get(url, {"district": "NH"})
    assert listing.context["page"].paginator.count == MANY + 1 and len(listing.context["page"]) == 50
    assert '?district=NH&page=2"' in listing.content.decode()


def test_a_room_plan_folds_its_rooms_and_pages_a_chosen_one(client, organizer, province):
    room_plan.auto_plan(province, 100)
    client.force_login(organizer)
    url = reverse("video:room_plan", args=[province.pk])
    page = client.get(url)
    html = page.content.decode()
    big = f"diemcau-{province.pk}-nh-1"
    [room] = [rv for rv in page.context["plan"].rooms if rv.room.name == big]
    assert len(room.members) == 60 and len(room.listing["shown"]) == 50 and not room.listing["open"]
    assert f'<details class="card room" id="room-{big}">' in html  # folded: no "open"
    assert f'<a href="?room={big}#room-{big}">' in html  # "show all 60 bridges of this room"
    chosen = client.get(url, {"room": big})
    [room] = [rv for rv in chosen.context["plan"].rooms if rv.room.name == big]
    assert room.listing["open"] and room.listing["paged"] and len(room.listing["shown"]) == 60
    assert f'<details class="card room" id="room-{big}" open>' in chosen.content.decode()
    found = client.get(url, {"q": "nghia ky"})
    assert [inv.bridge.code for inv in found.context["found"]] == ["NH-077"]
    assert f'href="?room={big}#room-{big}"' in found.content.decode()  # the place it has, one click away


def test_a_follow_up_page_folds_schools_by_district_and_searches(client, organizer, province, small_tree):
    province.status = Event.Status.ENDED
    province.save()
    form = followup.open_form(province, title="Báo cáo nhân rộng", deadline=timezone.now() + timedelta(days=3))
    followup.submit(form, small_tree["BS-S1"], {"students_trained": "10", "classes_held": "1", "teachers_led": "1"})
    client.force_login(organizer)
    url = reverse("followups:detail", args=[form.pk])
    page = client.get(url)
    groups = page.context["missing_groups"]
    assert [(g["name"], len(g["rows"])) for g in groups] == [("Huyện BS", 1), ("Huyện Nghĩa Hành", MANY),
                                                             ("Huyện TN", 2)]
    assert not page.context["open_groups"] and '<details class="group" open>' not in page.content.decode()
    assert [(g["name"], len(g["rows"])) for g in page.context["answer_groups"]] == [("Huyện BS", 1)]
    found = client.get(url, {"q": "NGHIA KY"})
    assert [[s.bridge.code for s in g["rows"]] for g in found.context["missing_groups"]] == [["NH-077"]]
    assert found.context["open_groups"] and found.context["answer_count"] == 0
    assert '<details class="group" open>' in found.content.decode()
    assert len(found.context["state"].missing) == MANY + 3  # the counts beside stay the whole form's
