"""Completion rules, eligibility with explanations, overrides, the demo training."""

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from attendance.models import CheckIn, ConnectionInterval, RollCall
from bridges.models import Person, Role
from core.models import AuditEntry
from events.models import Event, Invitation, Session
from training import services
from training.eligibility import evaluate
from training.errors import TrainingError
from training.models import CompletionRule, Override

pytestmark = pytest.mark.django_db

ROLL_CALLS = (("Đầu buổi", 5), ("Giữa buổi", 120), ("Cuối buổi", 230))


def make_training(tree, *, days_ago: int = 30, title: str = "Tập huấn kỹ năng số cho giáo viên") -> SimpleNamespace:
    start = (timezone.now() - timedelta(days=days_ago)).replace(microsecond=0)
    event = Event.objects.create(title=title, kind=Event.Kind.TRAINING, status=Event.Status.ENDED,
                                 host=tree["host"], starts_at=start, ends_at=start + timedelta(hours=4))
    session = Session.objects.create(event=event, title="Buổi sáng", starts_at=start, ends_at=start + timedelta(hours=4),
                                     counts_for_completion=True)
    roll_calls = [
        RollCall.objects.create(session=session, label=label, opened_at=start + timedelta(minutes=minute),
                                closes_at=start + timedelta(minutes=minute + 5))
        for label, minute in ROLL_CALLS
    ]
    for code in ("BS-S1", "BS-S2", "TN-S1", "TN-S2"):
        Invitation.objects.create(event=event, bridge=tree[code])
    people = {p.teacher_id: p for p in Person.objects.filter(bridge__in=[tree[c] for c in
                                                                          ("BS-S1", "BS-S2", "TN-S1", "TN-S2")])}
    return SimpleNamespace(event=event, session=session, roll_calls=roll_calls, people=people, start=start)


def check_in(person, roll_call, bridge=None):
    return CheckIn.objects.create(roll_call=roll_call, person=person, bridge=bridge or person.bridge,
                                  foreign=bridge is not None and bridge != person.bridge,
                                  at=roll_call.opened_at + timedelta(minutes=1), method=CheckIn.Method.TICK)


def attend_all(t, except_ids=()):
    for person in t.people.values():
        if person.teacher_id in except_ids:
            continue
        for rc in t.roll_calls:
            check_in(person, rc)


@pytest.fixture
def training(small_tree):
    return make_training(small_tree)


def standing_of(report, person):
    return next(s for s in report.standings if s.person_id == person.pk)


class TestRule:
    def test_two_of_three_is_eligible_with_n_two_and_one_of_three_is_not(self, training):
        services.save_rule(training.event, min_roll_calls=2, min_connected_percent=None, combine="and")
        two, one = training.people["0BS10"], training.people["0BS11"]
        check_in(two, training.roll_calls[0])
        check_in(two, training.roll_calls[2])
        check_in(one, training.roll_calls[1])
        with translation.override("en"):
            report = evaluate(training.event)
            assert report.held == 3 and report.completed == 3
            s_two, s_one = standing_of(report, two), standing_of(report, one)
        assert s_two.eligible and s_two.present == 2 and s_two.missed == ["Giữa buổi"]
        assert not s_one.eligible and s_one.present == 1 and s_one.missed == ["Đầu buổi", "Cuối buổi"]
        assert "missed roll calls: Đầu buổi, Cuối buổi" in s_one.explanation
        assert "present at 1 of 3 roll calls (needs 2)" in s_one.explanation

    def test_without_a_rule_every_roll_call_is_needed(self, training):
        person = training.people["0TN10"]
        for rc in training.roll_calls[:2]:
            check_in(person, rc)
        assert not standing_of(evaluate(training.event), person).eligible
        check_in(person, training.roll_calls[2])
        assert standing_of(evaluate(training.event), person).eligible

    def test_a_check_in_at_another_bridge_counts(self, training, small_tree):
        person = training.people["0BS10"]
        for rc in training.roll_calls:
            check_in(person, rc, bridge=small_tree["TN-S1"])
        assert standing_of(evaluate(training.event), person).eligible

    def test_roll_calls_of_sessions_that_do_not_count_are_ignored(self, training):
        other = Session.objects.create(event=training.event, title="Khai mạc", starts_at=training.start,
                                       ends_at=training.start + timedelta(minutes=30), counts_for_completion=False)
        RollCall.objects.create(session=other, label="Khai mạc", opened_at=training.start,
                                closes_at=training.start + timedelta(minutes=5))
        assert evaluate(training.event).held == 3

    def test_connected_share_of_the_bridge_and_or(self, training, small_tree):
        school = small_tree["BS-S1"]
        # Connected for 3 of the 4 hours: 75 %.
        ConnectionInterval.objects.create(
            event=training.event, bridge=school, source=ConnectionInterval.Source.CONSOLE,
            started_at=training.start, last_seen_at=training.start + timedelta(hours=3),
            ended_at=training.start + timedelta(hours=3))
        person = training.people["0BS10"]
        check_in(person, training.roll_calls[0])
        services.save_rule(training.event, min_roll_calls=2, min_connected_percent=70, combine="or")
        s = standing_of(evaluate(training.event), person)
        assert s.eligible and round(s.connected_percent) == 75
        services.save_rule(training.event, min_roll_calls=2, min_connected_percent=70, combine="and")
        assert not standing_of(evaluate(training.event), person).eligible
        services.save_rule(training.event, min_roll_calls=None, min_connected_percent=80, combine="and")
        assert not standing_of(evaluate(training.event), person).eligible
        # A school with no connection at all is 0 %, not unknown.
        assert standing_of(evaluate(training.event), training.people["0TN10"]).connected_percent == 0

    def test_rule_out_of_range_is_refused(self, training):
        with pytest.raises(TrainingError):
            services.save_rule(training.event, min_roll_calls=None, min_connected_percent=150, combine="and")
        assert not CompletionRule.objects.exists()

    def test_eligibility_takes_a_constant_number_of_queries(self, training, django_assert_max_num_queries):
        attend_all(training)
        with django_assert_max_num_queries(12):
            report = evaluate(training.event)
        assert report.eligible_count == 12


class TestOverride:
    def test_override_wins_and_is_audited(self, training):
        person = training.people["0BS20"]
        assert not standing_of(evaluate(training.event), person).eligible
        services.set_override(training.event, person, eligible=True, reason="  Dự học bù  ngày 20/5 ")
        s = standing_of(evaluate(training.event), person)
        assert s.eligible and not s.by_rule and s.override.reason == "Dự học bù ngày 20/5"
        entry = AuditEntry.objects.get(action="training.override")
        assert entry.details["reason"] == "Dự học bù ngày 20/5" and entry.target_id == str(person.pk)

    def test_override_without_reason_is_refused_everywhere(self, client, organizer, training):
        person = training.people["0BS20"]
        with pytest.raises(TrainingError):
            services.set_override(training.event, person, eligible=True, reason="   ")
        client.force_login(organizer)
        url = reverse("training:person", args=[training.event.pk, person.pk])
        page = client.post(url, {"decision": "eligible", "reason": " "})
        assert page.status_code == 200 and page.context["form"].errors["reason"]
        api = client.post(f"/api/training/events/{training.event.pk}/overrides",
                          {"person_id": person.pk, "eligible": True, "reason": ""}, content_type="application/json")
        assert api.status_code == 400
        assert not Override.objects.exists() and not AuditEntry.objects.filter(action="training.override").exists()

    def test_override_page_sets_and_clears(self, client, organizer, training):
        person = training.people["0BS20"]
        client.force_login(organizer)
        url = reverse("training:person", args=[training.event.pk, person.pk])
        assert client.post(url, {"decision": "eligible", "reason": "Học bù"}).status_code == 302
        assert standing_of(evaluate(training.event), person).eligible
        assert client.post(url, {"decision": "clear", "reason": "Nhầm"}).status_code == 302
        assert not standing_of(evaluate(training.event), person).eligible
        assert AuditEntry.objects.filter(action="training.override_removed").count() == 1


class TestPages:
    def test_detail_and_eligibility_pages_filter(self, client, organizer, training):
        attend_all(training, except_ids={"0BS10", "0TN21"})
        client.force_login(organizer)
        assert client.get(reverse("training:detail", args=[training.event.pk])).status_code == 200
        url = reverse("training:eligibility", args=[training.event.pk])
        not_eligible = client.get(url, {"status": "not"})
        names = [s.full_name for s, _c in not_eligible.context["rows"]]
        assert sorted(names) == ["Giáo viên BS10", "Giáo viên TN21"]
        district = client.get(url, {"status": "not", "district": "TN"})
        assert [s.full_name for s, _c in district.context["rows"]] == ["Giáo viên TN21"]
        assert client.get(url, {"status": "eligible"}).context["total"] == 10

    def test_rule_form_saves_and_is_audited(self, client, organizer, training):
        client.force_login(organizer)
        resp = client.post(reverse("training:rule", args=[training.event.pk]),
                           {"min_roll_calls": "2", "min_connected_percent": "", "combine": "and"})
        assert resp.status_code == 302
        rule = CompletionRule.objects.get(event=training.event)
        assert rule.min_roll_calls == 2 and rule.min_connected_percent is None
        assert AuditEntry.objects.filter(action="training.rule_saved").exists()

    def test_district_officer_reads_own_district_and_cannot_change(self, client, make_user, small_tree, training):
        officer = make_user("bs", Role.Kind.DISTRICT_OFFICER, scope=small_tree["BS"])
        client.force_login(officer)
        resp = client.get(reverse("training:eligibility", args=[training.event.pk]))
        schools = {s.school_name for s, _c in resp.context["rows"]}
        assert schools == {"Trường BS 1", "Trường BS 2"}
        assert client.post(reverse("training:rule", args=[training.event.pk]),
                           {"min_roll_calls": "1", "combine": "and"}).status_code == 403
        person = training.people["0BS10"]
        assert client.post(reverse("training:person", args=[training.event.pk, person.pk]),
                           {"decision": "eligible", "reason": "x"}).status_code == 403
        other = training.people["0TN10"]
        assert client.get(reverse("training:person", args=[training.event.pk, other.pk])).status_code == 404
        api = client.get(f"/api/training/events/{training.event.pk}/eligibility")
        assert api.status_code == 200 and {r["school"] for r in api.json()["items"]} == {"Trường BS 1", "Trường BS 2"}

    def test_api_rule_and_eligibility(self, client, organizer, training):
        check_in(training.people["0BS10"], training.roll_calls[0])
        check_in(training.people["0BS10"], training.roll_calls[1])
        client.force_login(organizer)
        url = f"/api/training/events/{training.event.pk}/rule"
        resp = client.put(url, {"min_roll_calls": 2, "combine": "and"}, content_type="application/json")
        assert resp.status_code == 200 and resp.json()["roll_calls_completed"] == 3
        rows = client.get(f"/api/training/events/{training.event.pk}/eligibility", {"status": "eligible"}).json()
        assert [r["teacher_id"] for r in rows["items"]] == ["0BS10"]
        assert rows["items"][0]["missed"] == ["Cuối buổi"]


class TestDemo:
    def test_seed_is_idempotent_and_realistic(self, small_tree):
        from bridges.models import Bridge, Tier

        # A roomier province than small_tree so that the proportions mean something.
        school_tier = Tier.objects.get(code="school")
        for n in range(3, 13):
            school = Bridge.objects.create(code=f"BS-S{n}", name=f"Trường BS {n}", tier=school_tier,
                                           parent=small_tree["BS"])
            Person.objects.bulk_create([Person(bridge=school, full_name=f"GV {n}-{k}", teacher_id=f"D{n}-{k}")
                                        for k in range(20)])
        from demo import training as demo_training

        out = io.StringIO()
        demo_training.seed(out)
        event = Event.objects.get(uid=demo_training.DEMO_UID)
        checkins = CheckIn.objects.filter(roll_call__session__event=event).count()
        demo_training.seed(io.StringIO())
        assert Event.objects.filter(uid=demo_training.DEMO_UID).count() == 1
        assert CheckIn.objects.filter(roll_call__session__event=event).count() == checkins
        report = evaluate(event)
        people = len(report.standings)
        assert report.held == 3 and report.completed == 3
        full = sum(1 for s in report.standings if s.present == 3)
        partial = sum(1 for s in report.standings if s.present in (1, 2))
        assert full > people * 0.6 and partial > 0
        assert report.eligible_count < people
        call_command("issue_certificates", event.pk, stdout=io.StringIO())
        assert event.certificates.count() == report.eligible_count
