"""Production refuses unsafe settings (issue 15): the system check names each one, so `check --deploy`
fails and the server does not start; secrets never reach a log, mails included."""

import logging
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

import config.settings as config_settings
from bridges.models import Bridge
from bridges.services import console_url
from events import services
from events.models import Event, Invitation
from events.services import reminders

ROOT = Path(settings.BASE_DIR)
DEV = config_settings.DEVELOPMENT_SECRETS
SAFE = {
    "PRODUCTION": True, "SECRET_KEY": "s" * 60, "JITSI_APP_SECRET": "j" * 48, "JITSI_WEBHOOK_SECRET": "w" * 40,
    "ALLOWED_HOSTS": ["diemcau.quangngai.gov.vn"], "SITE_URL": "https://diemcau.quangngai.gov.vn",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "smtp.quangngai.gov.vn",
}


def deploy_check() -> str:
    """`check --deploy`'s complaint, or "" when it passes."""
    try:
        call_command("check", "--deploy", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
    except SystemCheckError as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize(("changed", "named"), [
    ({"SECRET_KEY": DEV["SECRET_KEY"]}, "SECRET_KEY is the public development value"),
    ({"JITSI_APP_SECRET": DEV["JITSI_APP_SECRET"]}, "JITSI_APP_SECRET is the public development value"),
    ({"JITSI_WEBHOOK_SECRET": DEV["JITSI_WEBHOOK_SECRET"]}, "JITSI_WEBHOOK_SECRET is the public development value"),
    ({"JITSI_APP_SECRET": "short"}, "JITSI_APP_SECRET is shorter than 32 bytes"),
    ({"ALLOWED_HOSTS": ["127.0.0.1", "localhost", "testserver", "[::1]"]}, "ALLOWED_HOSTS lists no public name"),
    ({"ALLOWED_HOSTS": ["*"]}, "ALLOWED_HOSTS lists no public name"),
    ({"SITE_URL": "http://127.0.0.1:8000"}, "SITE_URL is 'http://127.0.0.1:8000'"),
    ({"SITE_URL": "http://diemcau.quangngai.gov.vn"}, "console links would travel unencrypted"),
    ({"EMAIL_BACKEND": "core.mail.DevelopmentMailBackend"}, "Mail is not delivered"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "Mail is not delivered"),
], ids=lambda v: next(iter(v)) if isinstance(v, dict) else None)
def test_check_deploy_fails_naming_the_unsafe_setting(changed, named):
    with override_settings(**{**SAFE, **changed}):
        complaint = deploy_check()
    assert named in complaint, complaint


def test_safe_production_settings_pass_and_development_is_not_judged():
    with override_settings(**SAFE):
        assert deploy_check() == ""
    # Development keeps its public defaults without complaint.
    assert "diemcau.E" not in deploy_check()


def test_production_with_the_development_defaults_fails_by_name_and_the_server_refuses_to_start(tmp_path):
    env = {**os.environ, "DIEMCAU_ENV": "production", "SQLITE_PATH": str(tmp_path / "db.sqlite3"), **DEV}
    for name in ("ALLOWED_HOSTS", "SITE_URL", "EMAIL_HOST", "EMAIL_BACKEND", "DATABASE_URL", "JOBS_MODE"):
        env.pop(name, None)
    checked = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert checked.returncode == 1
    for named in ("SECRET_KEY", "JITSI_APP_SECRET", "JITSI_WEBHOOK_SECRET", "ALLOWED_HOSTS", "SITE_URL",
                  "Mail is not delivered"):
        assert named in checked.stderr, named
    served = subprocess.run([sys.executable, "-c", "import config.asgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert served.returncode != 0 and "Unsafe production settings" in served.stderr


def test_development_mail_is_kept_in_private_files_and_only_its_subject_is_logged(
        small_tree, settings, tmp_path, caplog, capsys):
    """The reminders mail each school its console link: the development backend must not print it."""
    assert config_settings.EMAIL_BACKEND == "core.mail.DevelopmentMailBackend"  # the default without EMAIL_HOST
    settings.EMAIL_BACKEND = "core.mail.DevelopmentMailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    Bridge.objects.filter(code__in=["BS-S1", "BS-S2"]).update(email="truong@example.edu.vn")
    start = datetime(2030, 12, 10, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    event = services.create_event(title="Lễ phát động", host=small_tree["host"], starts_at=start,
                                  ends_at=start.replace(hour=11))
    services.add_session(event, title="Lễ phát động", starts_at=start, ends_at=start.replace(hour=9))
    services.set_status(event, Event.Status.PUBLISHED)
    services.invite_bridges(event, Bridge.objects.filter(code__in=["BS-S1", "BS-S2"]))
    mail_log = logging.getLogger("core.mail")
    mail_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="core.mail"):
            result = reminders.send_reminders(event, Invitation.objects.filter(event=event).values_list("pk", flat=True))
    finally:
        mail_log.removeHandler(caplog.handler)
    assert result["sent"] == 2
    tokens = [small_tree[code].console_token for code in ("BS-S1", "BS-S2")]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    printed = capsys.readouterr()
    assert logged.count("mail to truong@example.edu.vn") == 2
    for token in tokens:
        assert token not in logged and token not in printed.out and token not in printed.err
    files = list((tmp_path / "mail").iterdir())
    assert oct((tmp_path / "mail").stat().st_mode & 0o777) == "0o700"
    assert files and all(oct(f.stat().st_mode & 0o777) == "0o600" for f in files)
    kept = "".join(f.read_text() for f in files)
    assert all(console_url(small_tree[code]) in kept for code in ("BS-S1", "BS-S2"))
