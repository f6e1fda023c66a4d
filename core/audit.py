"""The one way to write the audit log, and the one answer to "who is calling" (client_ip)."""

import ipaddress
from functools import lru_cache

from django.conf import settings

from .models import AuditEntry


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The caller's address, for the audit log, the rate limits (RATELIMIT_IP_META_KEY) and login
    throttling (AXES_CLIENT_IP_CALLABLE).

    X-Forwarded-For is believed only when the connection comes from one of TRUSTED_PROXIES (our own
    reverse proxies), and then only its entries those proxies added: read from the right, the first
    address that is not a trusted proxy is the client. Anyone else can write that header and would dodge
    rate limits or forge audit entries.
    """
    if request is None:
        return None
    ip = request.META.get("REMOTE_ADDR") or None
    if ip and settings.TRUSTED_PROXIES and _trusted(ip):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _trusted(hop):
                return hop if _is_address(hop) else ip
    return ip


def rate_limit_address(request) -> str:
    """client_ip for django-ratelimit (RATELIMIT_IP_META_KEY), which refuses an empty address with an
    error and parses the key as an address: a request without one (no REMOTE_ADDR, as some test harnesses
    send) shares the bucket of the unspecified address 0.0.0.0."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104 - a rate-limit bucket, not a bind address


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def record(action: str, *, request=None, user=None, actor_label: str = "", target=None, summary: str = "",
           details: dict | None = None, ip: str | None = None) -> AuditEntry:
    request_user = getattr(request, "user", None)
    if user is None and request_user is not None and request_user.is_authenticated:
        user = request_user
    if not actor_label:
        actor_label = user.get_username() if user is not None else "system"
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_label[:200],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:500],
        details=details or {},
        ip=ip or client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
    )
