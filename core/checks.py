"""Production refuses unsafe settings: system checks that name each one.

Registered in CoreConfig.ready() for every run of the checks (not only `--deploy`), and they report
only when PRODUCTION is on: then `manage.py check`, `check --deploy` and `migrate` fail, and the ASGI
application refuses to start (config/asgi.py calls `refuse_unsafe_production`).
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

LOCAL_NAMES = {"localhost", "testserver", "localhost.localdomain", "ip6-localhost"}
# Backends that do not deliver mail: they print it, keep it in memory, write it to files or drop it.
UNDELIVERED_MAIL = {
    "core.mail.DevelopmentMailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def is_local_host(host: str) -> bool:
    """A name or address only this machine answers to (loopback, the test client's name, unspecified)."""
    host = host.strip().strip("[]").lower()
    if host.startswith("."):
        host = host[1:]
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def production_errors() -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    errors = []
    for name, public_value in settings.DEVELOPMENT_SECRETS.items():
        if getattr(settings, name, None) == public_value:
            errors.append(checks.Error(
                f"{name} is the public development value.",
                hint=f"Set {name} in the environment to a long random value (e.g. `python -c \"import secrets; "
                     f"print(secrets.token_urlsafe(48))\"`).",
                id="diemcau.E001"))
    if len(settings.JITSI_APP_SECRET.encode()) < 32:
        errors.append(checks.Error("JITSI_APP_SECRET is shorter than 32 bytes (HS256 needs at least 32).",
                                   id="diemcau.E002"))
    hosts = [host for host in settings.ALLOWED_HOSTS if host]
    if not hosts or "*" in hosts or all(is_local_host(host) for host in hosts):
        errors.append(checks.Error(
            f"ALLOWED_HOSTS lists no public name ({', '.join(hosts) or 'empty'}).",
            hint="Set ALLOWED_HOSTS to the site's public host names, comma-separated.", id="diemcau.E003"))
    site = urlsplit(settings.SITE_URL)
    if not site.hostname or is_local_host(site.hostname):
        errors.append(checks.Error(
            f"SITE_URL is {settings.SITE_URL!r}: links in QR codes, letters and mails would point to this machine.",
            hint="Set SITE_URL to the public https:// address of the site.", id="diemcau.E004"))
    elif site.scheme != "https":
        errors.append(checks.Error(
            f"SITE_URL is {settings.SITE_URL!r}: console links would travel unencrypted.",
            hint="Use the https:// address of the site.", id="diemcau.E005"))
    # (Django's own EMAIL_HOST default is "localhost", a local MTA, which is fine: judge the backend.)
    if settings.EMAIL_BACKEND in UNDELIVERED_MAIL:
        errors.append(checks.Error(
            f"Mail is not delivered: EMAIL_BACKEND is {settings.EMAIL_BACKEND} (EMAIL_HOST is not set).",
            hint="Set EMAIL_HOST (and EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) so that invitations and reminders "
                 "are sent, not written to files or a log.", id="diemcau.E006"))
    return errors


@checks.register(checks.Tags.security)
def check_production_settings(app_configs=None, **kwargs):
    return production_errors()


def refuse_unsafe_production() -> None:
    """Stop a production server from starting with any of the unsafe settings above."""
    errors = production_errors()
    if errors:
        raise ImproperlyConfigured("Unsafe production settings: " + " ".join(e.msg for e in errors))
