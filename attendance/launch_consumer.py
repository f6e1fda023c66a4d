"""/ws/launch/<console token>/: a console's clock probes and the launch push.

Kept apart from the console's working socket so the launch moment depends on nothing else the
console does: it answers clock probes at once and forwards only the launch.
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

from bridges.services import bridge_by_console_token
from events.participation import candidate_events

from . import launch, live
from .board.coalescer import own_thread

CLOSE_FORBIDDEN = 4403


def console_groups(token: str) -> list[str] | None:
    bridge = bridge_by_console_token(token)
    if bridge is None:
        return None
    return [live.consoles_group(event.pk) for event in candidate_events(bridge)]


class LaunchConsumer(AsyncWebsocketConsumer):
    groups_joined: list[str] = []

    async def connect(self):
        # A read: off the shared thread where console writes may wait for SQLite's write lock.
        groups = await own_thread(console_groups)(self.scope["url_route"]["kwargs"]["token"])
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
        try:
            message = json.loads(text_data or "")
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "clock":
            reply = launch.clock_reply(message)
            if reply is not None:
                await self.send(text_data=json.dumps(reply))

    async def console_push(self, event):
        payload = event.get("payload") or {}
        if payload.get("type") == "launch":
            await self.send(text_data=json.dumps(payload))
