"""The school console's websocket: /ws/console/<token>/.

It authenticates by the console token (close code 4403 for an unknown or rotated link), records a
connection interval, relays pushes (roll call opened/closed, launch...) and accepts the same writes
as the console's HTTP endpoints, answering each with {"type": "ack", "nonce": ...}.

Messages are dispatched by their "type" through HANDLERS (type -> method name): to handle a new
type add an entry and an `async def` method taking the decoded message. Nothing a client sends
may crash the consumer: bad JSON, oversized or unknown messages get {"type": "error"} back and the
socket stays open.
"""

import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone
from django.utils.translation import gettext as _

from core import json_input, revocation

from . import live
from .services import connections, console_writes, rollcall
from .services.timing import iso

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 8 * 1024
CLOSE_INVALID_LINK = 4403


def _console_state(connection: connections.ConsoleConnection) -> dict:
    from events.models import Event

    event = Event.objects.filter(pk=connection.event_id).first() if connection.event_id else None
    roll_call = rollcall.current_roll_call(event)
    return {
        "event_id": connection.event_id,
        "roll_call": rollcall.payload(roll_call) if roll_call else None,
    }


def _write(bridge_id: int, token: str, kind: str, message: dict, ip: str | None):
    # The socket knows its bridge since connect; the token is checked again with each write (a rotated link
    # stops writing at once), by one plain read (connections.console_bridge), not a lookup by token.
    bridge = connections.console_bridge(bridge_id, token)
    if bridge is None:
        return None
    return console_writes.write(bridge, kind, message, ip=ip)


class ConsoleConsumer(AsyncWebsocketConsumer):
    HANDLERS = {
        "heartbeat": "handle_heartbeat",
        "checkin": "handle_write",
        "headcount": "handle_write",
        "tick": "handle_write",
        "untick": "handle_write",
    }

    connection: connections.ConsoleConnection | None = None
    token: str = ""
    groups_joined: list[str]
    last_heartbeat_write = 0.0

    async def connect(self):
        self.groups_joined = []
        self.token = self.scope["url_route"]["kwargs"].get("token", "")
        self.connection = await database_sync_to_async(connections.console_connected)(self.token, self.channel_name)
        await self.accept()
        if self.connection is None:
            await self.refuse_link()
            return
        self.last_heartbeat_write = time.monotonic()
        await self.follow_groups()
        state = await database_sync_to_async(_console_state)(self.connection)
        await self.send_json({"type": "hello", "bridge": self.connection.bridge_code,
                              "server_time": iso(timezone.now()), **state})

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.connection is not None:
            connection, self.connection = self.connection, None
            await database_sync_to_async(connections.console_disconnected)(connection)

    async def follow_groups(self):
        """Be in the bridge's group and the consoles group of each current/upcoming event, no other."""
        wanted = [live.bridge_group(self.connection.bridge_id), revocation.link_group(self.connection.bridge_id)]
        wanted += [live.consoles_group(event_id) for event_id in self.connection.event_ids]
        for group in wanted:
            if group not in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.append(group)
        for group in [g for g in self.groups_joined if g not in wanted]:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.remove(group)

    async def refuse_link(self):
        await self.send_json({"type": "error", "code": "invalid_link", "message": _(
            "This console link is no longer valid. Ask the organizer or your district office for the current link.")})
        await self.close(code=CLOSE_INVALID_LINK)

    async def send_json(self, content: dict):
        await self.send(text_data=json.dumps(content, ensure_ascii=False))

    async def send_error(self, message: str, **extra):
        await self.send_json({"type": "error", "message": message, **extra})

    # --- incoming ----------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.connection is None:
            return
        try:
            # Bounded: size, depth, 64-bit numbers, storable text (core.json_input).
            message = json_input.frame(text_data, bytes_data, max_bytes=MAX_MESSAGE_BYTES)
            kind = message.get("type")
            handler = getattr(self, self.HANDLERS.get(kind, ""), None) if isinstance(kind, str) else None
            if handler is None:
                raise json_input.unknown_type()
        except json_input.BadJSON as refusal:
            await self.send_json(json_input.error_frame(refusal))
            return
        try:
            await handler(message)
        except Exception:
            # The client retries its queued writes; the consumer must survive whatever went wrong.
            logger.exception("console message %s failed", kind)
            await self.send_error(_("The server could not handle this message; it will be sent again."),
                                  code="server_error", nonce=message.get("nonce"))

    async def handle_heartbeat(self, message: dict):
        now = time.monotonic()
        if now - self.last_heartbeat_write >= connections.HEARTBEAT_WRITE_SECONDS:
            self.last_heartbeat_write = now
            still_valid = await database_sync_to_async(connections.console_heartbeat)(
                self.connection, self.token, self.channel_name)
            if not still_valid:
                await self.refuse_link()
                return
            await self.follow_groups()
        await self.send_json({"type": "heartbeat.ack", "server_time": iso(timezone.now())})

    async def handle_write(self, message: dict):
        kind = message["type"]
        answer = await database_sync_to_async(_write)(self.connection.bridge_id, self.token, kind, message,
                                                      self.client_ip())
        if answer is None:
            await self.refuse_link()
            return
        await self.send_json({"type": "ack", "kind": kind, "nonce": message.get("nonce"), "status": answer.status,
                              "replayed": answer.replayed, "result": answer.body})

    def client_ip(self) -> str | None:
        client = self.scope.get("client")
        return client[0] if client else None

    # --- from the channel layer ----------------------------------------------------------------

    async def console_push(self, event):
        await self.send_json(event["payload"])

    async def sockets_revoke(self, event):
        """The bridge's link was rotated (core.revocation): this socket's token may be the old one."""
        connection = self.connection
        if connection is not None and await database_sync_to_async(connections.console_bridge)(
                connection.bridge_id, self.token) is None:
            await self.refuse_link()
