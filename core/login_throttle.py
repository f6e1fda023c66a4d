"""Login throttling (django-axes): the page a locked-out login gets, and its audit.

The rule is axes' own, configured in settings (AXES_*): LOGIN_FAILURE_LIMIT wrong passwords for one
account or from one address lock the login for LOGIN_LOCKOUT_MINUTES; the address comes from
core.audit.client_ip (TRUSTED_PROXIES). Here: the answer tells the wait in the person's language, and a
lockout and its early lifting by an admin (the admin's "access attempts", `manage.py axes_reset*`) go to
the audit log.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import audit
from .audit import client_ip
from .models import AuditEntry


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' backend, first in AUTHENTICATION_BACKENDS, for logins that come with a request (every page,
    the admin). Code that authenticates without one (the test client's login(), a shell) is the server's
    own, not a caller to throttle: axes would raise there; it is let through to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def unlocks_at(username: str, ip: str | None):
    """When the lockout of this account or address ends at the latest (axes forgets a failure
    AXES_COOLOFF_TIME after it; failures during a lockout are not counted)."""
    now = timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
    latest = recent.filter(Q(username=username) | Q(ip_address=ip)).aggregate(at=Max("attempt_time"))["at"]
    return (latest or now) + settings.AXES_COOLOFF_TIME


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page's refusal, 429, with how long to wait."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = unlocks_at(username, client_ip(request))
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    message = _("Too many wrong passwords for this account or from this network: logging in is locked for "
                "%(minutes)s more minutes, until %(time)s. Ask an administrator to unlock it sooner.") % {
        "minutes": minutes, "time": formats.date_format(timezone.localtime(until), "TIME_FORMAT")}
    return render(request, "registration/locked_out.html", {"message": message, "minutes": minutes,
                                                            "until": until}, status=429)


@receiver(user_locked_out)
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    # axes says so again for every attempt refused during the lockout: one row per lockout is enough.
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if AuditEntry.objects.filter(action="auth.locked_out", at__gte=since, actor_label=(username or "?")[:200],
                                 ip=ip_address).exists():
        return
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit.record("auth.locked_out", request=request, actor_label=(username or "?")[:200], target=user,
                 summary=_("Login locked after %(count)s wrong passwords") % {"count": settings.AXES_FAILURE_LIMIT},
                 details={"username": (username or "")[:150], "ip": ip_address}, ip=ip_address)


@receiver(post_delete, sender=AccessAttempt)
def audit_unlock(sender, instance: AccessAttempt, **kwargs):
    """A lockout lifted before its time: by an admin (the admin keeps who in its history) or a command.
    Attempts that axes drops because they expired, or that never locked anything, are not worth a row."""
    still_counting = instance.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME
    if not still_counting or instance.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return
    user = get_user_model().objects.filter(username=instance.username).first() if instance.username else None
    audit.record("auth.unlocked", actor_label="admin", target=user,
                 summary=_("Login unlocked before the end of its lockout"),
                 details={"username": instance.username or "", "ip": instance.ip_address})
