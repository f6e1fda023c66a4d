"""Asked first (core.confirm): every bulk or irreversible action states its count and consequence, computed on
the server, before anything happens; confirming another count than the one now asks again; the API's bulk
operations take the same count as `expected` (409 `count_changed`). Through the Django test client."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attendance.models import RollCall
from bridges.models import Bridge, Role
from core.models import AuditEntry, Job
from events.models import Invitation, Session
from followups import services as followup
from tests.invitation_data import make_event
from tests.test_training import attend_all, make_training
from training import services as training_services
from training.models import Certificate
from video import room_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def asked(response):
    """The confirmation a response asks, or None when the action ran."""
    if response.status_code != 200 or response.context is None:
        return None
    return response.context.get("confirmation")


def confirmed(client, confirmation, **changes):
    """Post the confirmation's own form back, as the person's click on its button does."""
    fields: dict[str, list[str]] = {}
    for name, value in confirmation.fields:
        fields.setdefault(name, []).append(value)
    fields["expected"] = [str(confirmation.count)]
    fields.update({name: [str(value)] for name, value in changes.items()})
    return client.post(confirmation.action_url, fields)


# --- certificates -------------------------------------------------------------------------------

@pytest.fixture
def training(small_tree):
    t = make_training(small_tree)
    training_services.save_rule(t.event, min_roll_calls=2, min_connected_percent=None, combine="and")
    attend_all(t, except_ids={"0TN20", "0TN21"})
    return t


def test_bulk_issue_states_how_many_and_that_they_stay_then_issues(english, organizer, training):
    english.force_login(organizer)
    url = reverse("training:issue", args=[training.event.pk])
    page = english.post(url, {"review": "1"})
    confirmation = asked(page)
    assert confirmation.count == 10 and confirmation.allowed  # 12 teachers, 2 missed every roll call
    html = page.content.decode()
    assert "10 certificates will be issued now" in html and "never deleted" in html and "Issue 10 certificates" in html
    assert 'name="expected" value="10"' in html
    assert not Certificate.objects.exists() and not Job.objects.exists()
    # The same question answers a GET of the action (a link), and asks nothing of a read-only person's count.
    assert asked(english.get(url)).count == 10
    done = confirmed(english, confirmation)
    assert done.status_code == 302 and done["Location"].endswith("#issue")
    assert Certificate.objects.filter(event=training.event).count() == 10
    # Nobody left: the question says so and offers no button.
    again = asked(english.post(url, {"review": "1"}))
    assert again.count == 0 and not again.allowed
    assert "confirm-yes" not in english.post(url, {"review": "1"}).content.decode()


def test_a_count_that_changed_since_is_asked_again_not_acted_on(english, organizer, training):
    english.force_login(organizer)
    confirmation = asked(english.post(reverse("training:issue", args=[training.event.pk]), {"review": "1"}))
    # Someone else issued one in between: 9 remain, not the 10 the person saw.
    training_services.issue_one(training.event, training.people["0BS10"])
    again = confirmed(english, confirmation)
    assert asked(again).count == 9 and asked(again).changed_from == 10
    assert "it was 10, it is 9 now" in again.content.decode()
    assert Certificate.objects.count() == 1 and not Job.objects.exists()


def test_bulk_issue_api_takes_the_count_as_a_precondition(client, organizer, training):
    client.force_login(organizer)
    base = f"/api/training/events/{training.event.pk}"
    preview = client.post(f"{base}/issue/dry-run").json()
    count = preview["eligible"] - preview["skipped"]
    refused = client.post(f"{base}/issue?expected={count + 5}")
    assert refused.status_code == 409 and refused.json()["code"] == "count_changed"
    assert refused.json()["fields"] == {"expected": [str(count)]}
    assert not Job.objects.exists() and not Certificate.objects.exists()
    assert client.post(f"{base}/issue?expected={count}").status_code == 200
    assert Certificate.objects.count() == count == 10
    assert client.post(f"{base}/issue").status_code == 200  # without it, as before


def test_print_states_the_number_of_certificates_in_the_pdf(english, organizer, training):
    training_services.issue_certificates(training.event)
    english.force_login(organizer)
    url = reverse("training:print", args=[training.event.pk])
    confirmation = asked(english.post(url, {"review": "1", "district": "TN"}))
    assert confirmation.count == 4 and ("district", "TN") in confirmation.fields  # TN: 6 teachers, 2 not eligible
    assert "One PDF of 4 certificates (Huyện TN)" in confirmation.summary
    assert not Job.objects.exists()
    assert confirmed(english, confirmation).status_code == 302
    assert Job.objects.get(kind="certificates_print").result == {"pages": 4}


def test_revoking_says_it_cannot_be_undone_before_revoking(english, organizer, training):
    training_services.issue_certificates(training.event)
    cert = Certificate.objects.filter(event=training.event).first()
    english.force_login(organizer)
    page = english.post(reverse("training:revoke", args=[cert.pk]), {"reason": "Cấp nhầm", "review": "1"})
    confirmation = asked(page)
    assert cert.number in confirmation.summary and "Cấp nhầm" in confirmation.summary
    assert "cannot be undone" in confirmation.consequence and confirmation.danger
    cert.refresh_from_db()
    assert cert.is_valid
    confirmed(english, confirmation)
    cert.refresh_from_db()
    assert not cert.is_valid and cert.revoke_reason == "Cấp nhầm"


# --- invitations, reminders, letters ------------------------------------------------------------

@pytest.fixture
def event(small_tree, tiers):
    small_tree["BS-S1"].email = "bs1@example.edu.vn"
    small_tree["BS-S1"].save()
    return make_event(small_tree, tiers, invite=("BS-S1", "BS-S2"))


def test_inviting_all_states_how_many_new_then_invites(english, organizer, event):
    english.force_login(organizer)
    url = reverse("events:invite", args=[event.pk])
    confirmation = asked(english.post(url, {"mode": "all", "review": "1"}))
    # 7 bridges in the tree, 2 invited already.
    assert confirmation.count == 5 and "5 bridges (all) will be invited" in confirmation.summary
    assert any("2 of them are invited already" in note for note in confirmation.notes)
    assert "No e-mail is sent now" in confirmation.consequence
    assert event.invitations.count() == 2
    assert confirmed(english, confirmation).status_code == 302
    assert event.invitations.count() == 7


def test_inviting_an_uploaded_list_carries_its_codes_to_the_confirmation(english, organizer, event):
    from django.core.files.uploadedfile import SimpleUploadedFile

    english.force_login(organizer)
    upload = SimpleUploadedFile("codes.csv", "Mã\nTN-S1\nTN-S2\nBS-S1\n".encode(), content_type="text/csv")
    confirmation = asked(english.post(reverse("events:invite", args=[event.pk]),
                                      {"mode": "list", "file": upload, "review": "1"}))
    assert confirmation.count == 2 and ("codes", "TN-S1\nTN-S2\nBS-S1") in confirmation.fields
    confirmed(english, confirmation)
    assert set(event.invitations.values_list("bridge__code", flat=True)) == {"BS-S1", "BS-S2", "TN-S1", "TN-S2"}


def test_invite_api_refuses_another_count_than_expected(client, organizer, event):
    client.force_login(organizer)
    url = f"/api/events/{event.pk}/invite"
    refused = client.post(url, {"mode": "all", "expected": 2}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "count_changed"
    assert event.invitations.count() == 2
    ok = client.post(url, {"mode": "all", "expected": 5}, content_type="application/json")
    assert ok.status_code == 200 and ok.json() == {"created": 5, "already": 2}


def test_reminding_states_who_gets_mail_and_who_must_be_phoned(english, organizer, event):
    english.force_login(organizer)
    url = reverse("events:reminders", args=[event.pk])
    confirmation = asked(english.post(url, {"which": "not_confirmed", "review": "1"}))
    assert confirmation.count == 1 and confirmation.section == "reminders"
    assert any("1 bridge has no e-mail address" in note for note in confirmation.notes)
    assert "cannot be called back" in confirmation.consequence
    assert not mail.outbox
    done = confirmed(english, confirmation)
    assert done.status_code == 302 and "#reminders" in done["Location"]
    assert [m.to for m in mail.outbox] == [["bs1@example.edu.vn"]]
    # Within the cooldown nobody can be mailed: the question says so and has no button.
    again = asked(english.post(url, {"which": "not_confirmed", "review": "1"}))
    assert again.count == 0 and not again.allowed and any("less than" in note for note in again.notes)


def test_reminders_api_takes_the_count_as_a_precondition(client, organizer, event):
    client.force_login(organizer)
    url = f"/api/events/{event.pk}/reminders"
    refused = client.post(url, {"which": "not_confirmed", "expected": 2}, content_type="application/json")
    assert refused.status_code == 409 and not mail.outbox and not Job.objects.exists()
    ok = client.post(url, {"which": "not_confirmed", "expected": 1}, content_type="application/json")
    assert ok.status_code == 202 and len(mail.outbox) == 1


def test_sending_letters_by_email_states_the_count_first(english, organizer, event):
    english.force_login(organizer)
    url = reverse("events:invitation_letters_email", args=[event.pk])
    confirmation = asked(english.post(url, {"attach_pdf": "1", "review": "1"}))
    assert confirmation.count == 1 and "1 e-mail will be sent now, with the calendar entry and the PDF letter" \
        in confirmation.summary
    assert any("has no e-mail address" in note for note in confirmation.notes)
    assert not Job.objects.exists() and not mail.outbox
    confirmed(english, confirmation)
    assert Job.objects.get(kind="events.invitation_emails").status == Job.Status.DONE
    assert len(mail.outbox) == 1
    api = english.post(f"/api/events/{event.pk}/invitation-letters/email", {"expected": 2},
                       content_type="application/json")
    assert api.status_code == 409 and len(mail.outbox) == 1


def test_the_letters_zip_states_how_many_letters(english, organizer, event):
    english.force_login(organizer)
    confirmation = asked(english.post(reverse("events:invitation_letters_zip", args=[event.pk]), {"review": "1"}))
    assert confirmation.count == 2 and "Nothing is sent" in confirmation.consequence
    assert not Job.objects.exists()


def test_rotating_a_console_link_says_the_old_one_dies(english, organizer, small_tree):
    school = small_tree["BS-S1"]
    token = school.console_token
    english.force_login(organizer)
    url = reverse("bridges:rotate_console", args=[school.code])
    confirmation = asked(english.post(url, {"review": "1"}))
    assert "stops working at once" in confirmation.consequence and confirmation.danger
    school.refresh_from_db()
    assert school.console_token == token
    confirmed(english, confirmation)
    school.refresh_from_db()
    assert school.console_token != token


def test_deleting_a_session_states_its_agenda_and_refuses_with_evidence(english, organizer, event):
    english.force_login(organizer)
    session = event.sessions.get()
    url = reverse("events:session_delete", args=[event.pk, session.pk])
    confirmation = asked(english.post(url, {"review": "1"}))
    assert confirmation.count == 2 and "with its 2 agenda items" in confirmation.summary
    assert Session.objects.filter(pk=session.pk).exists()
    confirmed(english, confirmation)
    assert not Session.objects.filter(pk=session.pk).exists()


def test_a_session_holding_attendance_is_refused_on_the_question_itself(english, organizer, training):
    english.force_login(organizer)
    training.event.status = "published"
    training.event.save()
    confirmation = asked(english.post(reverse("events:session_delete", args=[training.event.pk, training.session.pk]),
                                      {"review": "1"}))
    assert not confirmation.allowed and "cannot be deleted" in confirmation.summary


# --- roll calls, follow-ups, room plan ----------------------------------------------------------

def test_closing_a_roll_call_states_how_many_checked_in(english, organizer, training):
    now = timezone.now()
    training.event.status = "live"
    training.event.save()
    roll_call = RollCall.objects.create(session=training.session, label="Cuối buổi", opened_at=now,
                                        closes_at=now + timedelta(minutes=10))
    english.force_login(organizer)
    url = reverse("attendance:rollcall_close", args=[roll_call.pk])
    confirmation = asked(english.post(url, {"review": "1"}))
    assert confirmation.count == 0 and "QR code stops working" in confirmation.consequence
    roll_call.refresh_from_db()
    assert roll_call.closed_at is None
    confirmed(english, confirmation)
    roll_call.refresh_from_db()
    assert roll_call.closed_at is not None
    assert AuditEntry.objects.filter(action="attendance.rollcall_closed").exists()


@pytest.fixture
def form(small_tree, training):
    small_tree["TN-S1"].email = "tn1@example.edu.vn"
    small_tree["TN-S1"].save()
    return followup.open_form(training.event, title="Báo cáo nhân rộng", deadline=timezone.now() + timedelta(days=3))


def test_reminding_every_school_and_closing_a_follow_up_are_asked_first(english, organizer, form, small_tree):
    followup.submit(form, small_tree["BS-S1"], {"students_trained": "10", "classes_held": "1", "teachers_led": "1"})
    english.force_login(organizer)
    confirmation = asked(english.post(reverse("followups:remind", args=[form.pk]), {"which": "all", "review": "1"}))
    assert confirmation.count == 1  # three have not answered, one has an address
    assert any("2 schools have no e-mail address" in note for note in confirmation.notes)
    assert not mail.outbox
    done = confirmed(english, confirmation)
    assert "#followup-missing" in done["Location"] and [m.to for m in mail.outbox] == [["tn1@example.edu.vn"]]
    close = asked(english.post(reverse("followups:close", args=[form.pk]), {"review": "1"}))
    assert close.count == 3 and "3 schools have not answered yet" in close.summary
    form.refresh_from_db()
    assert not form.is_closed
    confirmed(english, close)
    form.refresh_from_db()
    assert form.is_closed


def test_starting_the_room_plan_over_is_asked_first(english, organizer, event):
    room_plan.auto_plan(event)
    english.force_login(organizer)
    url = reverse("video:room_plan", args=[event.pk])
    placed = set(Invitation.objects.filter(event=event).values_list("bridge__code", "room__name"))
    confirmation = asked(english.post(url, {"action": "auto", "room_size": "50", "reset": "on", "review": "1"}))
    assert confirmation.count == 2 and "hand edits are forgotten" in confirmation.summary
    assert ("reset", "on") in confirmation.fields
    assert set(Invitation.objects.filter(event=event).values_list("bridge__code", "room__name")) == placed
    assert AuditEntry.objects.filter(action="events.room_plan.auto").count() == 1
    assert confirmed(english, confirmation).status_code == 302
    assert AuditEntry.objects.get(action="events.room_plan.auto", details__reset=True)
    # Without "start over" nothing is forgotten, so nothing is asked.
    assert english.post(url, {"action": "auto", "room_size": "50", "review": "1"}).status_code == 302
    api = english.post(f"/api/events/{event.pk}/rooms/auto", {"reset": True, "expected": 9},
                       content_type="application/json")
    assert api.status_code == 409 and api.json()["code"] == "count_changed"


def test_a_confirmation_page_has_one_form_posting_back_every_field(english, organizer, event):
    english.force_login(organizer)
    page = english.post(reverse("events:reminders", args=[event.pk]),
                        {"which": "chosen", "invitation": [str(pk) for pk in event.invitations.values_list("pk",
                                                                                                         flat=True)],
                         "review": "1"})
    html = page.content.decode()
    assert html.count('class="confirm-form"') == 1 and 'name="review"' not in html
    assert html.count('name="invitation"') == 2 and 'name="which" value="chosen"' in html
    assert Bridge.objects.count() == 7 and Role.objects.count() == 1


def test_status_changes_with_no_way_back_are_asked_first(english, organizer, event):
    english.force_login(organizer)
    url = reverse("events:status", args=[event.pk])
    event.status = "live"
    event.save()
    confirmation = asked(english.post(url, {"status": "ended", "review": "1"}))
    assert confirmation.count == 2 and "for its 2 invited bridges" in confirmation.summary
    assert "cannot be reopened" in confirmation.consequence and confirmation.danger
    event.refresh_from_db()
    assert event.status == "live"
    assert confirmed(english, confirmation).status_code == 302
    event.refresh_from_db()
    assert event.status == "ended"
