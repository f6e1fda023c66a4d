"""The eligibility list judges only the people of the page asked for, and shows what judging everyone shows.

training.eligibility_list walks the read model's per-bridge counts (training.tallies) to the bridges that
hold a page and judges those; the counts only choose whom to judge, so when they are behind the verdicts
(a check-in written without a notification) the page judges the whole scope and is still right.
"""

import pytest
from django.urls import reverse

from bridges.models import Role
from tests.test_training import attend_all, check_in, make_training
from training import views
from training.eligibility import evaluate
from training.eligibility_list import EligibilityList, Filters

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(small_tree):
    t = make_training(small_tree)
    attend_all(t, except_ids={"0BS10", "0TN21", "0TN22"})
    check_in(t.people["0TN22"], t.roll_calls[0])
    return t


def _truth(event, *, path=None, status=""):
    standings = evaluate(event, scope_path=path).standings
    keep = {"eligible": lambda s: s.eligible, "not": lambda s: not s.eligible}.get(status, lambda s: True)
    return [(s.person_id, s.eligible, s.present) for s in standings if keep(s)]


def _seen(rows):
    return [(s.person_id, s.eligible, s.present) for s in rows]


@pytest.mark.parametrize("status", ["", "eligible", "not"])
def test_every_page_is_the_whole_list_sliced(training, small_tree, status):
    for district in (None, small_tree["TN"]):
        listing = EligibilityList(training.event, scope_path=None, filters=Filters(status=status, district=district))
        truth = _truth(training.event, path=district.path if district else None, status=status)
        assert len(listing) == len(truth) and truth
        pages = [_seen(listing[i:i + 3]) for i in range(0, len(truth), 3)]
        assert [row for page in pages for row in page] == truth
        assert listing._whole is None, "the counts agreed: nobody outside a page was judged"


def test_counts_behind_the_verdicts_judge_everyone(training):
    listing = EligibilityList(training.event, scope_path=None, filters=Filters(status="not"))
    before = len(listing)
    # Written straight to the table: no notification, so the read model still counts 0BS10 as not eligible.
    for roll_call in training.roll_calls:
        check_in(training.people["0BS10"], roll_call)
    fresh = EligibilityList(training.event, scope_path=None, filters=Filters(status="not"))
    assert len(fresh) == before  # what the counts say
    rows = _seen(fresh[0:len(fresh)])
    assert rows == _truth(training.event, status="not")  # what the verdicts say: 0BS10 is eligible now
    assert training.people["0BS10"].pk not in [person_id for person_id, *_ in rows]
    assert fresh._whole is not None


def test_page_and_api_page_through_the_same_rows(client, organizer, training, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client.force_login(organizer)
    url = reverse("training:eligibility", args=[training.event.pk])
    truth = [person_id for person_id, *_ in _truth(training.event)]
    shown = []
    for number in range(1, -(-len(truth) // 4) + 1):
        resp = client.get(url, {"page": number})
        shown += [s.person_id for s, _cert in resp.context["rows"]]
        assert resp.context["total"] == len(truth)
    assert shown == truth
    api = f"/api/training/events/{training.event.pk}/eligibility"
    items = client.get(api, {"limit": 5, "offset": 5}).json()
    assert [r["person_id"] for r in items["items"]] == truth[5:10] and items["count"] == len(truth)
    not_eligible = client.get(api, {"status": "not"}).json()["items"]
    assert {r["teacher_id"] for r in not_eligible} == {"0BS10", "0TN21", "0TN22"}
    assert next(r for r in not_eligible if r["teacher_id"] == "0TN22")["missed"] == ["Giữa buổi", "Cuối buổi"]


def test_search_and_district_officer(client, make_user, small_tree, training):
    officer = make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    client.force_login(officer)
    url = reverse("training:eligibility", args=[training.event.pk])
    resp = client.get(url)
    assert {s.school_name for s, _c in resp.context["rows"]} == {"Trường BS 1", "Trường BS 2"}
    assert resp.context["total"] == len(_truth(training.event, path=small_tree["BS"].path))
    # A district outside the officer's scope shows nobody, on the page and in the API.
    assert client.get(url, {"district": "TN"}).context["total"] == 0
    api = client.get(f"/api/training/events/{training.event.pk}/eligibility", {"district": "TN"}).json()
    assert api["items"] == []
    found = client.get(url, {"q": "BS10"})
    assert [s.teacher_id for s, _c in found.context["rows"]] == ["0BS10"]
