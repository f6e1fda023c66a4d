"""A small websocket echo for the console's readiness test: the round trip the live features will have."""

import json
import math

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from bridges.services import bridge_by_console_token
from core import json_input

MAX_MESSAGE_CHARS = 2048
CLOSE_TOO_BIG = 1009
CLOSE_BAD_MESSAGE = 4400
CLOSE_UNAUTHORIZED = 4401


class PingConsumer(AsyncWebsocketConsumer):
    """Pings are answered only after a console token ({"type": "hello", "token": ...}) or for a logged-in user.

    The token travels in the first message, not the URL, so it does not end up in access logs.
    """

    async def connect(self):
        user = self.scope.get("user")
        self.allowed = bool(user is not None and user.is_authenticated)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            await self.close(code=CLOSE_TOO_BIG)
            return
        try:
            message = json_input.loads(text_data)  # bounded: nested arrays within 2048 characters no longer crash it
        except json_input.BadJSON:
            message = None
        if not isinstance(message, dict):
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        kind = message.get("type")
        if kind == "hello":
            token = message.get("token")
            bridge = await database_sync_to_async(bridge_by_console_token)(token) if isinstance(token, str) else None
            if bridge is None:
                await self.close(code=CLOSE_UNAUTHORIZED)
                return
            self.allowed = True
            await self.send(text_data=json.dumps({"type": "ready"}))
        elif kind == "ping":
            if not self.allowed:
                await self.close(code=CLOSE_UNAUTHORIZED)
                return
            # Echo only the two small fields the client times with.
            n, t = message.get("n"), message.get("t")
            await self.send(text_data=json.dumps({
                "type": "pong",
                "n": n if isinstance(n, int) and not isinstance(n, bool) else None,
                "t": t if isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t) else None,
            }))
        else:
            await self.close(code=CLOSE_BAD_MESSAGE)
