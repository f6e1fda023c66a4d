"""Content-Security-Policy, Permissions-Policy and Referrer-Policy on the pages (core/security_headers.py,
video/page_policy.py), and templates that the policy does not break: no inline handler, no inline script
without a nonce, no style attribute (mails excepted: no browser policy applies to them)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Invitation

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_pages_carry_a_strict_policy(client, organizer):
    login = client.get(reverse("login"))
    csp = directives(login)
    assert csp["default-src"] == ["'self'"] and csp["script-src"][0] == "'self'"
    assert not any("unsafe" in source for sources in csp.values() for source in sources)
    assert csp["frame-src"] == ["'none'"] and csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert login["Referrer-Policy"] == "same-origin"
    assert "camera=()" in login["Permissions-Policy"] and "microphone=()" in login["Permissions-Policy"]
    client.force_login(organizer)
    home = client.get("/")
    assert "camera=()" in home["Permissions-Policy"] and "meet" not in home["Content-Security-Policy"]


def test_the_console_may_use_jitsi_the_camera_and_the_microphone(client, small_tree, settings):
    settings.JITSI_DOMAIN = "Meet.Example.VN"
    now = timezone.now()
    event = Event.objects.create(title="Lễ phát động", status=Event.Status.PUBLISHED, host=small_tree["host"],
                                 starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2))
    Invitation.objects.create(event=event, bridge=small_tree["BS-S1"])
    page = client.get(reverse("console", args=[small_tree["BS-S1"].console_token]))
    assert page.status_code == 200
    csp = directives(page)
    jitsi = "https://meet.example.vn"
    assert jitsi in csp["script-src"] and jitsi in csp["frame-src"] and jitsi in csp["connect-src"]
    assert f'camera=(self "{jitsi}")' in page["Permissions-Policy"]
    assert f'microphone=(self "{jitsi}")' in page["Permissions-Policy"]
    assert "geolocation=()" in page["Permissions-Policy"]


def test_the_500_page_style_is_allowed_by_its_hash(settings):
    from core.security_headers import style_hashes

    hashes = style_hashes(TEMPLATES / "500.html")
    assert len(hashes) == 1 and hashes[0] in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


def page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if "email" in relative or "/mail" in relative or relative == "500.html":
            continue  # mails are read by mail clients, the 500 page is covered by its hash
        yield relative, path.read_text(encoding="utf-8")


def test_no_template_has_inline_handlers_scripts_or_styles():
    wrong = []
    for name, text in page_templates():
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attributes = match.group(1)
            if "src=" not in attributes and "application/json" not in attributes and "nonce=" not in attributes:
                wrong.append(f"{name}: inline <script{attributes}>")
        wrong += [f"{name}: {m.group(0)}" for m in re.finditer(r"\son[a-z]+=\"", text)]
        wrong += [f"{name}: style attribute" for _m in re.finditer(r"\sstyle=\"", text)]
        wrong += [f"{name}: <style> block" for _m in re.finditer(r"<style\b", text)]
        wrong += [f"{name}: javascript: URL" for _m in re.finditer(r"javascript:", text)]
    assert not wrong, "\n".join(wrong)
