"""Revocation reaches open websockets: a credential taken away closes the sockets it opened.

A websocket is judged once, when it connects (the board by its session's account and role, the console
and launch sockets by the console token in their URL); without this a board kept streaming after its
account logged out, and a launch socket survived the rotation of its link. Consumers join the groups
below; what revokes a credential sends `sockets.revoke` to them after its transaction commits:

- `user_group(user_id)`: the sockets opened by an account's sessions. Sent on logout (Django's
  `user_logged_out`, connected here) and when its role is saved or deleted (bridges' signals).
  A consumer closes with CLOSE_REVOKED; the page reconnects and the new socket is judged afresh
  (logged out or no longer allowed: refused; still allowed, e.g. a role widened: it carries on).
- `link_group(bridge_id)`: the sockets opened with a bridge's console link. Sent by
  `bridges.services.rotate_console_link`. A consumer asks whether its own token still names the bridge
  and, if not, closes as for an unknown link (4403).

With Redis (REDIS_URL) the message reaches every worker process; a send that fails is logged and lost,
as live notifications are (the next connect is judged anyway). core names no app: the consumers live in
attendance, the senders in bridges.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.dispatch import receiver

log = logging.getLogger(__name__)

MESSAGE_TYPE = "sockets.revoke"  # a consumer's `sockets_revoke` method receives it
# Not 4403: the page reconnects, and the server judges the new socket with the credential it has now.
CLOSE_REVOKED = 4401


def user_group(user_id: int) -> str:
    return f"user-{user_id}-sockets"


def link_group(bridge_id: int) -> str:
    return f"bridge-{bridge_id}-link"


def _send_after_commit(group: str, reason: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    message = {"type": MESSAGE_TYPE, "reason": reason}

    def send():
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        try:
            if loop is None:
                async_to_sync(layer.group_send)(group, message)
            else:  # called from code on an event loop's own thread: async_to_sync cannot run here
                loop.create_task(layer.group_send(group, message))
        except Exception:
            log.warning("socket revocation to %s lost", group, exc_info=True)

    transaction.on_commit(send)


def revoke_user(user_id: int | None, reason: str) -> None:
    """Close the sockets of this account's sessions (logout, role changed or removed)."""
    if user_id is not None:
        _send_after_commit(user_group(user_id), reason)


def revoke_link(bridge_id: int) -> None:
    """Close the sockets opened with this bridge's previous console link."""
    _send_after_commit(link_group(bridge_id), "link_rotated")


@receiver(user_logged_out, dispatch_uid="core.revocation.logout")
def _logged_out(sender, request, user, **kwargs):
    revoke_user(getattr(user, "pk", None), "logout")
