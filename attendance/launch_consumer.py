"""/ws/launch/<console token>/: a console's clock probes and the launch push.

Kept apart from the console's working socket so the launch moment depends on nothing else the
console does: it answers clock probes at once and forwards only the launch.
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

from bridges.services import bridge_by_console_token
from core import json_input, revocation
from events.participation import candidate_events

from . import launch, live
from .board.coalescer import own_thread

CLOSE_FORBIDDEN = 4403


def console_groups(token: str) -> list[str] | None:
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return None
    # And the link's own group: a rotation closes this socket (core.revocation).
    return [revocation.link_group(bridge.pk), *(live.consoles_group(event.pk) for event in candidate_events(bridge))]


class LaunchConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str] = []
    token = ""

    async def connect(self):
        # A read: off the shared thread where console writes may wait for SQLite's write lock.
        self.token = self.scope["url_route"]["kwargs"]["token"]
        groups = await own_thread(console_groups)(self.token)
        await self.accept()
        if groups is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.groups_joined = groups
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        # Junk is answered with an error frame and the socket stays (core.json_input bounds the frame).
        try:
            message = json_input.frame(text_data, bytes_data)
            if message.get("type") != "clock":
                raise json_input.unknown_type()
        except json_input.BadJSON as refusal:
            await self.send(text_data=json.dumps(json_input.error_frame(refusal), ensure_ascii=False))
            return
        reply = launch.clock_reply(message)
        if reply is not None:
            await self.send(text_data=json.dumps(reply))

    async def sockets_revoke(self, event):
        """The bridge's link was rotated: close unless this socket's token is the new one."""
        if await own_thread(bridge_by_console_token)(self.token) is None:
            await self.close(code=CLOSE_FORBIDDEN)

    async def console_push(self, event):
        payload = event.get("payload") or {}
        if payload.get("type") == "launch":
            await self.send(text_data=json.dumps(payload))
