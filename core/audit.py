"""The one way to write the audit log."""

from django.conf import settings

from .models import AuditEntry


def client_ip(request) -> str | None:
    """The caller's address, for the audit log and the rate limits (RATELIMIT_IP_META_KEY).

    X-Forwarded-For is believed only behind our own reverse proxy (TRUST_X_FORWARDED_FOR):
    anyone else can write that header and would dodge rate limits or forge audit entries.
    """
    if request is None:
        return None
    ip = request.META.get("REMOTE_ADDR")
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() or ip
    return ip or None


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
