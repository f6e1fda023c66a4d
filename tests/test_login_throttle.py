"""Login throttling (django-axes, issue 15): per account and per address, the wait told in Vietnamese,
audited, unlocked by an admin; the client address only from TRUSTED_PROXIES."""

import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Secret-123"


def log_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(client, organizer):
    for attempt in range(4):
        assert log_in(client, "organizer", f"wrong-{attempt}").status_code == 200  # the form again, with its error
    fifth = log_in(client, "organizer", "wrong-4")
    assert fifth.status_code == 429
    right = log_in(client, "organizer", PASSWORD)
    assert right.status_code == 429 and not logged_in(client)
    text = right.content.decode()
    assert "Đăng nhập bị khóa" in text
    assert "Nhập sai mật khẩu quá nhiều lần" in text and "15 phút nữa" in text, text
    entry = AuditEntry.objects.get(action="auth.locked_out")
    assert entry.actor_label == "organizer" and entry.ip == "127.0.0.1" and entry.target_id == str(organizer.pk)
    # No password is kept with the attempts.
    assert all(PASSWORD not in a.post_data and "wrong-" not in a.post_data for a in AccessAttempt.objects.all())


def test_an_admin_unlocks_it_and_that_is_audited(client, organizer):
    for attempt in range(5):
        log_in(client, "organizer", f"wrong-{attempt}")
    assert log_in(client, "organizer", PASSWORD).status_code == 429
    call_command("axes_reset_username", "organizer", stdout=io.StringIO())
    assert log_in(client, "organizer", PASSWORD).status_code == 302 and logged_in(client)
    assert AuditEntry.objects.filter(action="auth.unlocked", target_id=str(organizer.pk)).count() == 1


def test_the_admin_lists_the_locked_account(client, organizer):
    for attempt in range(5):
        log_in(client, "organizer", f"wrong-{attempt}")
    root = get_user_model().objects.create_superuser("root", "root@example.vn", PASSWORD)
    client.force_login(root)
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and "organizer" in page.content.decode()


def test_one_address_trying_many_accounts_is_locked_for_all_of_them(client, organizer, make_user):
    for n in range(5):
        log_in(client, f"guess-{n}", "123456")
    assert log_in(client, "organizer", PASSWORD).status_code == 429 and not logged_in(client)
    # The account itself was never guessed at: from another address it logs in.
    assert log_in(client, "organizer", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_a_forged_forwarded_for_does_not_dodge_the_lock(client, organizer, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(5):
        log_in(client, "organizer", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert log_in(client, "organizer", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.77").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_one_locked(client, organizer, make_user, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    make_user("officer")
    for n in range(5):
        log_in(client, f"guess-{n}", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
    assert log_in(client, "officer", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # Another client behind the same proxy is not locked; an address the client adds itself is not believed.
    assert log_in(client, "officer", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5").status_code == 302
