"""Video (Jitsi): room tokens (verified with PyJWT), the room plan, its page and API, the console embed."""

from collections import Counter
from datetime import timedelta

import jwt
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from bridges.models import Bridge, Role, Tier
from core.models import AuditEntry
from events.models import Event, Invitation, JitsiRoom
from video import room_plan, tokens

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Refusal messages are matched in English; Vietnamese catalogs are compiled by the lead."""
    with translation.override("en"):
        yield

SECRET = "test-jitsi-app-secret-0123456789abcdef"


def make_event(host, **fields):
    now = timezone.now()
    defaults = {"title": "Lễ phát động", "status": Event.Status.PUBLISHED,
                "starts_at": now + timedelta(hours=1), "ends_at": now + timedelta(hours=4)}
    return Event.objects.create(host=host, **(defaults | fields))


def invite(event, *bridges, **fields):
    return [Invitation.objects.create(event=event, bridge=b, **fields) for b in bridges]


@pytest.fixture
def event(small_tree):
    ev = make_event(small_tree["host"], livestream_url="https://youtube.example/live/abc")
    invite(ev, *[b for b in small_tree.values()])
    return ev


def decode(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi", issuer="diemcau-test")


@pytest.fixture
def jitsi_settings(settings):
    settings.JITSI_APP_SECRET = SECRET
    settings.JITSI_APP_ID = "diemcau-test"
    settings.JITSI_DOMAIN = "Meet.Example.VN"
    settings.JITSI_AUDIENCE = "jitsi"
    return settings


@pytest.mark.usefixtures("jitsi_settings")
class TestTokens:
    def test_claims_and_signature(self, event, small_tree):
        room_plan.auto_plan(event)
        school = small_tree["BS-S1"]
        school.email = "bs-s1@school.example.vn"
        school.save()
        now = timezone.now()
        granted, token = tokens.token_for(event, school, now=now)
        claims = decode(token)
        assert claims["iss"] == "diemcau-test" and claims["aud"] == "jitsi"
        assert claims["sub"] == "meet.example.vn"
        assert claims["room"] == granted.room.name == f"diemcau-{event.pk}-bs-1"
        assert claims["nbf"] == int(now.timestamp()) - 60
        assert claims["exp"] == int((event.ends_at + tokens.TOKEN_GRACE).timestamp())
        assert claims["context"]["user"] == {
            "id": "BS-S1", "name": "Trường BS 1", "email": "bs-s1@school.example.vn", "affiliation": "member",
            "moderator": "false",
        }
        assert claims["moderator"] is False
        assert jwt.get_unverified_header(token)["alg"] == "HS256"

    def test_host_is_owner_of_the_main_room_and_blank_email_is_left_out(self, event, small_tree):
        room_plan.auto_plan(event)
        _granted, token = tokens.token_for(event, small_tree["host"])
        claims = decode(token)
        assert claims["room"] == f"diemcau-{event.pk}-main"
        assert claims["context"]["user"]["affiliation"] == "owner"
        assert claims["context"]["user"]["moderator"] == "true" and claims["moderator"] is True
        assert "email" not in claims["context"]["user"]  # tokens.md: strings only, never null
        _granted, district_token = tokens.token_for(event, small_tree["TN"])
        assert decode(district_token)["room"] == f"diemcau-{event.pk}-main"
        assert decode(district_token)["context"]["user"]["affiliation"] == "member"

    def test_wrong_secret_or_audience_fails_verification(self, event, small_tree):
        room_plan.auto_plan(event)
        _granted, token = tokens.token_for(event, small_tree["BS-S2"])
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, "another-secret-of-sufficient-length-000", algorithms=["HS256"], audience="jitsi")
        with pytest.raises(jwt.InvalidAudienceError):
            jwt.decode(token, SECRET, algorithms=["HS256"], audience="someone-else")

    def test_expired_token_is_rejected_by_pyjwt(self, event, small_tree):
        room_plan.auto_plan(event)
        event.ends_at = timezone.now() - timedelta(hours=1)
        event.starts_at = event.ends_at - timedelta(hours=3)
        event.save()
        _granted, token = tokens.token_for(event, small_tree["BS-S2"])
        assert decode(token)  # within the grace period after the end
        # Two hours from now it has expired (a negative leeway moves PyJWT's clock forward).
        with pytest.raises(jwt.ExpiredSignatureError):
            jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi", leeway=-7200,
                       options={"verify_iat": False, "verify_nbf": False})

    def test_uninvited_declined_viewer_unplanned_cancelled_are_refused(self, event, small_tree, tiers):
        stranger = Bridge.objects.create(code="XX-S9", name="Trường lạ", tier=tiers["school"],
                                         parent=small_tree["BS"])
        with pytest.raises(tokens.TokenRefused, match="not invited"):
            tokens.token_for(event, stranger)
        with pytest.raises(tokens.TokenRefused, match="No video room"):
            tokens.token_for(event, small_tree["BS-S1"])  # not planned yet
        room_plan.auto_plan(event)
        Invitation.objects.filter(event=event, bridge=small_tree["BS-S1"]).update(status=Invitation.Status.DECLINED)
        with pytest.raises(tokens.TokenRefused, match="declined"):
            tokens.token_for(event, small_tree["BS-S1"])
        Invitation.objects.filter(event=event, bridge=small_tree["BS-S2"]).update(viewer=True, room=None)
        with pytest.raises(tokens.TokenRefused, match="livestream"):
            tokens.token_for(event, small_tree["BS-S2"])
        event.status = Event.Status.CANCELLED
        event.save()
        with pytest.raises(tokens.TokenRefused, match="cancelled"):
            tokens.token_for(event, small_tree["TN-S1"])
        event.status = Event.Status.ENDED
        event.save()
        with pytest.raises(tokens.TokenRefused, match="ended"):
            tokens.token_for(event, small_tree["TN-S1"])


@pytest.mark.usefixtures("jitsi_settings")
class TestTokenApi:
    def test_organizer_gets_a_bridge_token(self, client, organizer, event):
        room_plan.auto_plan(event)
        client.force_login(organizer)
        resp = client.get(f"/api/events/{event.pk}/jitsi/token/TN-S2")
        assert resp.status_code == 200
        body = resp.json()
        assert body["domain"] == "Meet.Example.VN" and body["display_name"] == "Trường TN 2"
        assert decode(body["jwt"])["room"] == body["room"] == f"diemcau-{event.pk}-tn-1"
        assert body["script_url"] == "https://Meet.Example.VN/external_api.js"

    def test_token_for_uninvited_bridge_is_refused_with_a_message(self, client, organizer, event, tiers, small_tree):
        Bridge.objects.create(code="XX-S9", name="Trường lạ", tier=tiers["school"], parent=small_tree["TN"])
        room_plan.auto_plan(event)
        client.force_login(organizer)
        with override_settings(LANGUAGE_CODE="en"):
            resp = client.get(f"/api/events/{event.pk}/jitsi/token/XX-S9", HTTP_ACCEPT_LANGUAGE="en")
        assert resp.status_code == 403
        assert "jwt" not in resp.json() and resp.json()["detail"]

    def test_district_officer_cannot_mint_tokens(self, client, make_user, event, small_tree):
        room_plan.auto_plan(event)
        client.force_login(make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"]))
        assert client.get(f"/api/events/{event.pk}/jitsi/token/BS-S1").status_code == 403

    def test_console_endpoint_uses_the_console_token(self, client, event, small_tree):
        room_plan.auto_plan(event)
        school = small_tree["TN-S1"]
        resp = client.get(f"/api/console/{school.console_token}/jitsi")
        assert resp.status_code == 200
        body = resp.json()
        assert body["event_id"] == event.pk and body["display_name"] == "Trường TN 1"
        assert decode(body["jwt"])["context"]["user"]["id"] == "TN-S1"
        assert client.get("/api/console/not-a-real-token/jitsi").status_code == 404

    def test_console_endpoint_refuses_an_uninvited_bridge(self, client, event, small_tree, tiers):
        room_plan.auto_plan(event)
        stranger = Bridge.objects.create(code="XX-S9", name="Trường lạ", tier=tiers["school"],
                                         parent=small_tree["TN"])
        resp = client.get(f"/api/console/{stranger.console_token}/jitsi?event={event.pk}")
        # Not taking part in that event: the console has no such event (no token, nothing leaked).
        assert resp.status_code == 404 and "jwt" not in resp.json()
        assert client.get(f"/api/console/{stranger.console_token}/jitsi").status_code == 404


class TestRoomPlanSmallTree:
    def test_auto_plan_places_everyone_once(self, event, small_tree):
        result = room_plan.auto_plan(event)
        rooms = {r.name: r for r in event.rooms.all()}
        main = rooms[f"diemcau-{event.pk}-main"]
        assert main.interactive
        assert set(main.invitations.values_list("bridge__code", flat=True)) == {"IOC", "BS", "TN"}
        assert set(rooms[f"diemcau-{event.pk}-bs-1"].invitations.values_list("bridge__code", flat=True)) == {
            "BS-S1", "BS-S2"}
        assert rooms[f"diemcau-{event.pk}-bs-1"].label == "Huyện BS"
        assert result.assigned == 7 and result.rooms_created == 3
        assert AuditEntry.objects.filter(action="events.room_plan.auto").count() == 1

    def test_replanning_keeps_hand_edits_and_reset_starts_over(self, event, small_tree):
        room_plan.auto_plan(event)
        room_plan.apply_moves(event, [room_plan.Move("BS-S1", f"diemcau-{event.pk}-tn-1")])
        again = room_plan.auto_plan(event)
        assert again.assigned == 0 and again.kept == 7 and again.rooms_created == 0
        inv = Invitation.objects.get(event=event, bridge__code="BS-S1")
        assert inv.room.name == f"diemcau-{event.pk}-tn-1"
        room_plan.auto_plan(event, reset=True)
        inv.refresh_from_db()
        assert inv.room.name == f"diemcau-{event.pk}-bs-1"

    def test_new_invitations_fill_existing_rooms(self, event, small_tree, tiers):
        room_plan.auto_plan(event)
        late = Bridge.objects.create(code="BS-S3", name="Trường BS 3", tier=tiers["school"], parent=small_tree["BS"])
        invite(event, late)
        result = room_plan.auto_plan(event)
        assert result.assigned == 1 and result.rooms_created == 0
        assert Invitation.objects.get(event=event, bridge=late).room.name == f"diemcau-{event.pk}-bs-1"

    def test_schools_as_viewers(self, event, small_tree):
        result = room_plan.auto_plan(event, schools_as_viewers=True)
        assert result.viewers == 4
        assert set(event.invitations.filter(viewer=True).values_list("bridge__code", flat=True)) == {
            "BS-S1", "BS-S2", "TN-S1", "TN-S2"}
        assert event.rooms.count() == 1 and not result.warnings

    def test_declined_bridges_get_no_place(self, event, small_tree):
        Invitation.objects.filter(event=event, bridge__code="TN-S2").update(status=Invitation.Status.DECLINED)
        room_plan.auto_plan(event)
        assert Invitation.objects.get(event=event, bridge__code="TN-S2").room is None

    def test_bad_room_size_is_refused(self, event):
        for bad in (0, 1, "abc", 5000):
            with pytest.raises(room_plan.PlanError):
                room_plan.auto_plan(event, bad)
        assert not event.rooms.exists()


class TestPlanEdits:
    def test_move_over_capacity_is_refused_and_changes_nothing(self, event, small_tree):
        room_plan.auto_plan(event)
        tn_room = JitsiRoom.objects.get(event=event, name=f"diemcau-{event.pk}-tn-1")
        room_plan.set_capacity(tn_room, 3)
        moves = [room_plan.Move("BS-S1", tn_room.name), room_plan.Move("BS-S2", tn_room.name)]
        with pytest.raises(room_plan.PlanError, match="capacity of 3"):
            room_plan.apply_moves(event, moves)
        assert set(event.invitations.filter(room=tn_room).values_list("bridge__code", flat=True)) == {
            "TN-S1", "TN-S2"}
        assert room_plan.apply_moves(event, moves[:1]) == 1
        assert AuditEntry.objects.filter(action="events.room_plan.move").count() == 1

    def test_refusals(self, event, small_tree):
        room_plan.auto_plan(event)
        bs_room = JitsiRoom.objects.get(event=event, name=f"diemcau-{event.pk}-bs-1")
        with pytest.raises(room_plan.PlanError, match="already holds 2"):
            room_plan.set_capacity(bs_room, 1)
        with pytest.raises(room_plan.PlanError, match="intermediate"):
            room_plan.apply_moves(event, [room_plan.Move("BS", room_plan.VIEWER)])
        with pytest.raises(room_plan.PlanError, match="not invited"):
            room_plan.apply_moves(event, [room_plan.Move("NOPE", bs_room.name)])
        with pytest.raises(room_plan.PlanError, match="no room"):
            room_plan.apply_moves(event, [room_plan.Move("BS-S1", "diemcau-999-x-1")])
        with pytest.raises(room_plan.PlanError, match="still has bridges"):
            room_plan.remove_room(bs_room)
        with pytest.raises(room_plan.PlanError):
            room_plan.remove_room(tokens.main_room(event))
        bs_room.refresh_from_db()
        assert bs_room.capacity == 100 and bs_room.invitations.count() == 2

    def test_viewer_and_back(self, event, small_tree):
        room_plan.auto_plan(event)
        room_plan.apply_moves(event, [room_plan.Move("BS-S1", room_plan.VIEWER)])
        inv = Invitation.objects.get(event=event, bridge__code="BS-S1")
        assert inv.viewer and inv.room is None
        room_plan.apply_moves(event, [room_plan.Move("BS-S1", f"diemcau-{event.pk}-bs-1")])
        inv.refresh_from_db()
        assert not inv.viewer and inv.room.name.endswith("bs-1")

    def test_extra_room(self, event):
        room_plan.auto_plan(event)
        room = room_plan.add_room(event, "  Phòng   dự phòng ", 10)
        assert room.label == "Phòng dự phòng" and room.name == f"diemcau-{event.pk}-extra-1"
        room_plan.remove_room(room)
        assert not JitsiRoom.objects.filter(pk=room.pk).exists()


@pytest.fixture
def province(tiers):
    """614 bridges: the host, 13 districts, 600 schools (one district of 150 to force a split)."""
    host = Bridge.objects.create(code="IOC", name="Trung tâm IOC", tier=tiers["host"])
    districts = Bridge.objects.bulk_create([
        Bridge(code=f"D{d:02}", name=f"Huyện {d}", tier=tiers["district"], parent=host) for d in range(1, 14)
    ])
    for d in districts:
        d.path, d.depth = f"{host.path}{d.pk}/", 1
    Bridge.objects.bulk_update(districts, ["path", "depth"])
    sizes = [150] + [38] * 9 + [36] * 3
    assert sum(sizes) == 600
    schools = Bridge.objects.bulk_create([
        Bridge(code=f"{d.code}-S{n:03}", name=f"Trường {d.code} {n}", tier=tiers["school"], parent=d)
        for d, size in zip(districts, sizes, strict=True) for n in range(1, size + 1)
    ])
    by_pk = {d.pk: d for d in districts}
    for s in schools:
        s.path, s.depth = f"{by_pk[s.parent_id].path}{s.pk}/", 2
    Bridge.objects.bulk_update(schools, ["path", "depth"], batch_size=500)
    event = make_event(host)
    Invitation.objects.bulk_create([Invitation(event=event, bridge=b) for b in [host, *districts, *schools]])
    return event


class TestRoomPlanProvince:
    @pytest.mark.services
    def test_614_bridges(self, province, django_assert_max_num_queries):
        event = province
        with django_assert_max_num_queries(60):
            room_plan.auto_plan(event, 100)
        main = tokens.main_room(event)
        assert main.invitations.count() == 14
        assert set(main.invitations.values_list("bridge__tier__role", flat=True)) == {
            Tier.Role.HOST, Tier.Role.INTERMEDIATE}
        schools = event.invitations.filter(bridge__tier__role=Tier.Role.SCHOOL)
        assert schools.count() == 600 and not schools.filter(room__isnull=True).exists()
        loads = Counter(schools.values_list("room__name", flat=True))
        assert max(loads.values()) <= 100
        # Every room holds schools of one district only.
        for room in event.rooms.filter(interactive=False):
            assert room.invitations.values("bridge__parent").distinct().count() == 1
        # The 150-school district is split evenly; the others get one room each.
        assert loads[f"diemcau-{event.pk}-d01-1"] == 75 and loads[f"diemcau-{event.pk}-d01-2"] == 75
        assert event.rooms.count() == 1 + 2 + 12
        again = room_plan.auto_plan(event, 100)
        assert again.assigned == 0 and again.kept == 614

    def test_smaller_rooms(self, province):
        room_plan.auto_plan(province, 30)
        loads = Counter(province.invitations.filter(bridge__tier__role=Tier.Role.SCHOOL)
                        .values_list("room__name", flat=True))
        assert max(loads.values()) <= 30 and sum(loads.values()) == 600


class TestRoomPlanPage:
    def test_organizer_plans_and_moves_from_the_page(self, client, organizer, event):
        client.force_login(organizer)
        url = reverse("video:room_plan", args=[event.pk])
        assert f"diemcau-{event.pk}-main" not in client.get(url).content.decode()
        resp = client.post(url, {"action": "auto", "room_size": "50"}, follow=True)
        page = resp.content.decode()
        assert f"diemcau-{event.pk}-main" in page and "BS-S1" in page
        resp = client.post(url, {"action": "move", "bridge": ["BS-S1"], "target": f"diemcau-{event.pk}-tn-1"},
                           follow=True)
        assert Invitation.objects.get(event=event, bridge__code="BS-S1").room.name.endswith("tn-1")
        client.post(url, {"action": "capacity", "room": f"diemcau-{event.pk}-tn-1", "capacity": "3"}, follow=True)
        resp = client.post(url, {"action": "move", "bridge": ["BS-S2"], "target": f"diemcau-{event.pk}-tn-1"},
                           follow=True)
        assert resp.status_code == 200
        assert Invitation.objects.get(event=event, bridge__code="BS-S2").room.name.endswith("bs-1")
        assert [m.level_tag for m in resp.context["messages"]] == ["error"]

    def test_district_officer_reads_their_district_only_and_cannot_edit(self, client, make_user, event, small_tree):
        room_plan.auto_plan(event)
        client.force_login(make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"]))
        url = reverse("video:room_plan", args=[event.pk])
        page = client.get(url).content.decode()
        assert "BS-S1" in page and "TN-S1" not in page and "<select" not in page and 'type="checkbox"' not in page
        assert client.post(url, {"action": "auto"}).status_code == 403
        api = client.get(f"/api/events/{event.pk}/rooms").json()
        assert {code for room in api["rooms"] for code in room["bridges"]} == {"BS", "BS-S1", "BS-S2"}
        assert client.post(f"/api/events/{event.pk}/rooms/auto", {}, content_type="application/json"
                           ).status_code == 403

    def test_anonymous_is_sent_to_login(self, client, event):
        resp = client.get(reverse("video:room_plan", args=[event.pk]))
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


class TestRoomPlanApi:
    def test_auto_move_capacity(self, client, organizer, event):
        client.force_login(organizer)
        resp = client.post(f"/api/events/{event.pk}/rooms/auto", {"room_size": 100},
                           content_type="application/json")
        assert resp.status_code == 200 and resp.json()["assigned"] == 7
        plan = client.get(f"/api/events/{event.pk}/rooms").json()
        assert [r["bridge_count"] for r in plan["rooms"]] == [3, 2, 2]
        tn = f"diemcau-{event.pk}-tn-1"
        resp = client.post(f"/api/events/{event.pk}/rooms/{tn}/capacity", {"capacity": 2},
                           content_type="application/json")
        assert resp.status_code == 200 and resp.json()["capacity"] == 2
        resp = client.post(f"/api/events/{event.pk}/rooms/move", {"moves": [{"bridge": "BS-S1", "target": tn}]},
                           content_type="application/json")
        assert resp.status_code == 400 and resp.json()["detail"]
        assert Invitation.objects.get(event=event, bridge__code="BS-S1").room.name.endswith("bs-1")
        resp = client.post(f"/api/events/{event.pk}/rooms/move",
                           {"moves": [{"bridge": "BS-S1", "target": "viewer"}]}, content_type="application/json")
        assert resp.status_code == 200 and resp.json()["moved"] == 1
        assert client.get(f"/api/events/{event.pk}/rooms").json()["viewers"] == ["BS-S1"]

    def test_bad_room_size(self, client, organizer, event):
        client.force_login(organizer)
        resp = client.post(f"/api/events/{event.pk}/rooms/auto", {"room_size": 0}, content_type="application/json")
        assert resp.status_code == 400 and not event.rooms.exists()


@pytest.mark.usefixtures("jitsi_settings")
class TestConsoleEmbed:
    def render(self, bridge):
        """The console's video section for the bridge's current event ("" when it has none to show)."""
        from console.auth import console_event
        from console.views import render_sections

        sections = render_sections(None, bridge, console_event(bridge), bridge.console_token)
        return next((s["html"] for s in sections if s["key"] == "video"), "")

    def test_invited_bridge_gets_the_iframe_api_embed(self, event, small_tree):
        room_plan.auto_plan(event)
        html = self.render(small_tree["BS-S1"])
        assert "console_video.js" in html and "data-jitsi-join" in html
        assert "https://Meet.Example.VN/external_api.js" in html
        assert f"diemcau-{event.pk}-bs-1" in html
        assert f"/api/console/{small_tree['BS-S1'].console_token}/jitsi?event={event.pk}" in html

    def test_uninvited_bridge_gets_nothing(self, event, small_tree, tiers):
        room_plan.auto_plan(event)
        stranger = Bridge.objects.create(code="XX-S9", name="Trường lạ", tier=tiers["school"],
                                         parent=small_tree["TN"])
        html = self.render(stranger)
        assert "data-jitsi-join" not in html and "external_api" not in html and "eyJ" not in html

    def test_viewer_gets_the_livestream_link_and_no_token(self, event, small_tree):
        room_plan.auto_plan(event, schools_as_viewers=True)
        html = self.render(small_tree["TN-S2"])
        assert "https://youtube.example/live/abc" in html
        assert "data-jitsi-join" not in html and "eyJ" not in html

    def test_declined_bridge_gets_no_token(self, event, small_tree):
        room_plan.auto_plan(event)
        Invitation.objects.filter(event=event, bridge=small_tree["TN-S2"]).update(status=Invitation.Status.DECLINED)
        html = self.render(small_tree["TN-S2"])
        assert "data-jitsi-join" not in html and "eyJ" not in html

    def test_console_page_embeds_the_room(self, client, event, small_tree, tiers):
        """Through the real console URL (the console page draws video's registered section)."""
        room_plan.auto_plan(event)
        school = small_tree["BS-S1"]
        page = client.get(reverse("console", args=[school.console_token])).content.decode()
        assert "data-jitsi-join" in page and "https://Meet.Example.VN/external_api.js" in page
        assert f"diemcau-{event.pk}-bs-1" in page
        stranger = Bridge.objects.create(code="XX-S9", name="Trường lạ", tier=tiers["school"],
                                         parent=small_tree["TN"])
        other = client.get(reverse("console", args=[stranger.console_token])).content.decode()
        assert "data-jitsi-join" not in other and "eyJ" not in other


@pytest.mark.usefixtures("jitsi_settings")
class TestRoomOwners:
    """Every school room has an owner (moderator): its district bridge, or a named account."""

    @pytest.fixture(autouse=True)
    def pages_in_english(self, client, settings):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def test_planning_makes_each_district_bridge_the_owner_of_its_schools_room(self, client, organizer, event):
        result = room_plan.auto_plan(event)
        assert not result.warnings
        plan = {r["name"]: r for r in self.plan(client, organizer, event)["rooms"]}
        assert plan[f"diemcau-{event.pk}-main"]["owner"] == {"kind": "bridge", "key": "IOC", "name": "Trung tâm IOC"}
        assert plan[f"diemcau-{event.pk}-bs-1"]["owner"] == {"kind": "bridge", "key": "BS", "name": "Huyện BS"}
        assert plan[f"diemcau-{event.pk}-tn-1"]["owner"] == {"kind": "bridge", "key": "TN", "name": "Huyện TN"}
        page = client.get(reverse("video:room_plan", args=[event.pk])).content.decode()
        assert page.count("Owner (moderator):") == 3 and "none yet" not in page

    def plan(self, client, user, event):
        client.force_login(user)
        return client.get(f"/api/events/{event.pk}/rooms").json()

    def test_the_district_bridge_gets_an_owner_token_for_its_schools_room_only(self, event, small_tree):
        room_plan.auto_plan(event)
        bs_room = f"diemcau-{event.pk}-bs-1"
        granted, token = tokens.token_for(event, small_tree["BS"], room=bs_room)
        claims = decode(token)
        assert claims["room"] == bs_room and granted.affiliation == "owner"
        assert claims["context"]["user"]["id"] == "BS"
        assert claims["context"]["user"]["affiliation"] == "owner" and claims["moderator"] is True
        # Its own room stays the main room, as a member there.
        assert decode(tokens.token_for(event, small_tree["BS"])[1])["context"]["user"]["affiliation"] == "member"
        # The schools of the room are members; another district may not take the room.
        assert decode(tokens.token_for(event, small_tree["BS-S1"])[1])["context"]["user"]["affiliation"] == "member"
        with pytest.raises(tokens.TokenRefused, match="does not moderate"):
            tokens.token_for(event, small_tree["TN"], room=bs_room)
        with pytest.raises(tokens.TokenRefused, match="does not moderate"):
            tokens.token_for(event, small_tree["BS-S2"], room=f"diemcau-{event.pk}-tn-1")
        with pytest.raises(tokens.TokenRefused, match="no such video room"):
            tokens.token_for(event, small_tree["BS"], room="diemcau-999-x-1")

    def test_district_console_offers_to_moderate_and_its_api_signs_the_owner_token(self, client, event, small_tree):
        room_plan.auto_plan(event)
        district = small_tree["BS"]
        page = client.get(reverse("console", args=[district.console_token])).content.decode()
        bs_room = f"diemcau-{event.pk}-bs-1"
        assert "Join as moderator" in page and f"room={bs_room}" in page
        assert f"diemcau-{event.pk}-main" in page  # its own room too
        resp = client.get(f"/api/console/{district.console_token}/jitsi?event={event.pk}&room={bs_room}")
        assert resp.status_code == 200 and resp.json()["affiliation"] == "owner"
        assert decode(resp.json()["jwt"])["room"] == bs_room
        other = client.get(f"/api/console/{small_tree['TN'].console_token}/jitsi?event={event.pk}&room={bs_room}")
        assert other.status_code == 403 and "jwt" not in other.json()
        school_page = client.get(reverse("console", args=[small_tree["BS-S1"].console_token])).content.decode()
        assert "Join as moderator" not in school_page

    def test_a_named_account_moderates_from_the_room_plan(self, client, organizer, make_user, event, small_tree):
        room_plan.auto_plan(event)
        officer = make_user("bs_officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
        officer.first_name, officer.last_name = "Lan", "Nguyễn"
        officer.save()
        bs_room = f"diemcau-{event.pk}-bs-1"
        client.force_login(organizer)
        url = reverse("video:room_plan", args=[event.pk])
        assert "account:bs_officer" in client.get(url).content.decode()  # offered in the owner list
        resp = client.post(url, {"action": "owner", "room": bs_room, "owner": "account:bs_officer"}, follow=True)
        assert [m.level_tag for m in resp.context["messages"]] == ["success"]
        entry = AuditEntry.objects.get(action="events.room_plan.owner")
        assert entry.details == {"event": event.pk, "from": "bridge:BS", "to": "account:bs_officer"}
        # The district bridge no longer owns it.
        with pytest.raises(tokens.TokenRefused):
            tokens.token_for(event, small_tree["BS"], room=bs_room)

        client.force_login(officer)
        page = client.get(url).content.decode()
        moderate = reverse("video:moderate_room", args=[event.pk, bs_room])
        assert moderate in page and "Nguyễn" in page
        room_page = client.get(moderate)
        assert room_page.status_code == 200 and b"data-jitsi-join" in room_page.content
        api = client.get(f"/api/events/{event.pk}/rooms/{bs_room}/moderator-token")
        assert api.status_code == 200
        claims = decode(api.json()["jwt"])
        assert claims["room"] == bs_room and claims["context"]["user"]["id"] == "account:bs_officer"
        assert claims["context"]["user"]["affiliation"] == "owner" and claims["moderator"] is True
        # Another room, or another account: refused with the reason, no token.
        tn_room = f"diemcau-{event.pk}-tn-1"
        assert client.get(f"/api/events/{event.pk}/rooms/{tn_room}/moderator-token").status_code == 403
        client.force_login(organizer)
        refused = client.get(f"/api/events/{event.pk}/rooms/{bs_room}/moderator-token")
        assert refused.status_code == 403 and "jwt" not in refused.json()
        assert client.get(moderate).status_code == 403

    def test_owner_choices_that_cannot_moderate_are_refused(self, client, organizer, make_user, event, small_tree):
        room_plan.auto_plan(event)
        make_user("reader", Role.Kind.OFFICIAL)
        client.force_login(organizer)
        bs_room = f"diemcau-{event.pk}-bs-1"
        base = f"/api/events/{event.pk}/rooms"
        for body in ({"bridge": "BS-S2"}, {"username": "reader"}, {"bridge": "BS", "username": "organizer"}, {},
                     {"bridge": "NOPE"}):
            resp = client.put(f"{base}/{bs_room}/owner", body, content_type="application/json")
            assert resp.status_code == 400 and resp.json()["detail"], body
        main = f"diemcau-{event.pk}-main"
        assert client.put(f"{base}/{main}/owner", {"bridge": "TN"}, content_type="application/json").status_code == 400
        Invitation.objects.filter(event=event, bridge=small_tree["TN"]).update(status=Invitation.Status.DECLINED)
        assert client.put(f"{base}/{bs_room}/owner", {"bridge": "TN"}, content_type="application/json"
                          ).status_code == 400
        ok = client.put(f"{base}/{bs_room}/owner", {"username": "organizer"}, content_type="application/json")
        assert ok.status_code == 200 and ok.json()["owner"]["key"] == "organizer"
        assert AuditEntry.objects.filter(action="events.room_plan.owner").count() == 1

    def test_a_room_without_a_district_waits_for_a_named_owner(self, client, organizer, event, small_tree):
        room_plan.auto_plan(event)
        extra = room_plan.add_room(event, "Phòng dự phòng", 10)
        room_plan.apply_moves(event, [room_plan.Move("BS-S1", extra.name), room_plan.Move("TN-S1", extra.name)])
        result = room_plan.auto_plan(event)
        assert result.warnings == ["Room Phòng dự phòng has no owner yet: name a moderator for it."]
        client.force_login(organizer)
        page = client.get(reverse("video:room_plan", args=[event.pk])).content.decode()
        assert "none yet" in page
        room_plan.apply_moves(event, [room_plan.Move("TN-S1", f"diemcau-{event.pk}-tn-1")])
        assert not room_plan.auto_plan(event).warnings  # now all BS: the district bridge takes it
        assert decode(tokens.token_for(event, small_tree["BS"], room=extra.name)[1])["moderator"] is True
