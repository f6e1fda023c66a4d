"""Regressions found walking the product as its people do (QA pass)."""

import pytest

from bridges.models import Role

pytestmark = pytest.mark.django_db


def test_refused_bridge_page_explains_and_links_home(client, english, small_tree, make_user):
    officer = make_user("officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
    client.force_login(officer)
    resp = client.get(f"/bridges/{small_tree['TN-S1'].code}/")
    page = resp.content.decode()
    assert resp.status_code == 403
    assert "Access denied" in page and "a district officer sees only the bridges of the district" in page
    assert 'href="/"' in page  # a way back, inside the usual page frame


def test_self_service_wrong_pair_says_what_to_check(client, english, small_tree):
    resp = client.post("/certificates/", {"teacher_id": "0BS10", "birth_date": "01/01/1901"})
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "No certificate matches this identifier and birth date" in page
