"""Business rules on bridges that are not imports."""

from django.db import transaction
from django.utils import timezone

from core import audit, revocation

from .models import Bridge, new_console_token


@transaction.atomic
def rotate_console_link(bridge: Bridge, *, request=None) -> Bridge:
    """Give the bridge a new console secret; the old link stops working at once."""
    bridge.console_token = new_console_token()
    bridge.console_rotated_at = timezone.now()
    bridge.save(update_fields=["console_token", "console_rotated_at", "updated_at"])
    audit.record("bridge.console_rotated", request=request, target=bridge, summary=bridge.code)
    revocation.revoke_link(bridge.pk)  # the console and launch sockets opened with the old link close
    return bridge


def console_actor(bridge: Bridge) -> str:
    """Who the audit log names for what a school does on its console (it has no account)."""
    return f"console:{bridge.code}"


def bridge_by_console_token(token: str) -> Bridge | None:
    if not token or len(token) > 64:
        return None
    return Bridge.objects.select_related("tier", "parent").filter(console_token=token).first()


def console_url(bridge: Bridge) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL + reverse("console", args=[bridge.console_token])
