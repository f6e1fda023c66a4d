"""/ws/board/<event_id>/: one board's socket. Frames come from the event's Coalescer in this process."""

from __future__ import annotations

import asyncio
import contextlib
import json
from urllib.parse import parse_qs, urlencode

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import reverse

from core import json_input, revocation

from .. import launch
from . import state as board_state
from .coalescer import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_SERVER_ERROR,
    MAX_QUEUED,
    SEND_TIMEOUT,
    Coalescer,
    board_access,
    log,
    own_thread,
)

# A group's code is a bridge's code; anything longer is not one (and is not kept).
VIEW_MAX_LENGTH = 64


def view_of(value) -> str | None:
    """The group a board in group mode asks to see (its code), from `?group=` or a "view" message."""
    return value if isinstance(value, str) and 0 < len(value) <= VIEW_MAX_LENGTH else None


class BoardConsumer(AsyncWebsocketConsumer):
    scope_path: str | None = None
    # In group mode (attendance.board.state.EventBoard.group_mode) the group whose tiles this board is sent.
    view: str | None = None
    coalescer: Coalescer | None = None
    greeted = False
    queued = 0
    revocation_group: str | None = None

    async def connect(self):
        self.event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.view = view_of((query.get("group") or [None])[0])
        self.seq = 0
        self.send_lock = asyncio.Lock()
        self.sending: set[asyncio.Task] = set()
        allowed, scope_path, exists = await own_thread(board_access)(self.scope.get("user"), self.event_id)
        await self.accept()
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if not exists:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.scope_path = scope_path
        # Logout or a role changed closes this socket (core.revocation); the page reconnects and is judged anew.
        user = self.scope.get("user")
        self.revocation_group = revocation.user_group(user.pk) if getattr(user, "is_authenticated", False) else None
        if self.revocation_group:
            await self.channel_layer.group_add(self.revocation_group, self.channel_name)
        try:
            self.coalescer = await Coalescer.join(self.event_id, self)
        except Exception:
            log.exception("board of event %s could not start", self.event_id)
            await self.close(code=CLOSE_SERVER_ERROR)
            return
        # Only now: the snapshot the board loads on hello is read after this process listens for changes.
        async with self.send_lock:
            await self.send(text_data=json.dumps(self._hello()))
            self.greeted = True

    def _hello(self) -> dict:
        """Sent on connect and after a "view" message: the board (re)loads the snapshot it names, then applies
        the frames numbered after `seq`."""
        url = reverse("attendance:board_snapshot", args=[self.event_id])
        if self.view:
            url += "?" + urlencode({"group": self.view})
        return {"type": "hello", "seq": self.seq, "server": board_state.now_ms(), "snapshot_url": url,
                "group": self.view}

    async def disconnect(self, code):
        if self.revocation_group:
            await self.channel_layer.group_discard(self.revocation_group, self.channel_name)
        for task in list(getattr(self, "sending", ())):
            task.cancel()
        if self.coalescer is not None:
            self.coalescer = None
            await Coalescer.leave(self.event_id, self)

    async def receive(self, text_data=None, bytes_data=None):
        # Junk (not JSON, too large or deep, an unknown type) is answered with an error frame; the board
        # stays connected (its page ignores frames it does not know).
        try:
            message = json_input.frame(text_data, bytes_data)
            if message.get("type") not in ("clock", "ping", "view"):
                raise json_input.unknown_type()
        except json_input.BadJSON as refusal:
            async with self.send_lock:
                await self.send(text_data=json.dumps(json_input.error_frame(refusal), ensure_ascii=False))
            return
        if message["type"] == "view" and self.greeted:
            # A board in group mode picks the group it looks at: later frames carry that group's tiles, and the
            # hello (seq as it stands) makes it load that group's snapshot. Frames built before are older than
            # that snapshot, so the board drops them.
            async with self.send_lock:
                self.view = view_of(message.get("group"))
                await self.send(text_data=json.dumps(self._hello()))
        elif message["type"] == "view":
            return  # not (yet) a board: nothing to view
        elif message["type"] == "clock":
            reply = launch.clock_reply(message)
            if reply is not None:
                async with self.send_lock:
                    await self.send(text_data=json.dumps(reply))
        else:
            async with self.send_lock:
                await self.send(text_data='{"type":"pong"}')

    async def sockets_revoke(self, event):
        # Out of the coalescer first: no frame after the revocation, even before the client acknowledges.
        if self.coalescer is not None:
            self.coalescer = None
            await Coalescer.leave(self.event_id, self)
        await self.close(code=revocation.CLOSE_REVOKED)

    def queue_frame(self, body: str) -> None:
        """Send without holding up the other boards; frames keep their order (the lock is first come,
        first served). A board that falls MAX_QUEUED frames behind is dropped: it reconnects and
        reloads the snapshot, which is cheaper for everyone than a backlog."""
        if self.queued >= MAX_QUEUED:
            self.drop()
            return
        self.queued += 1
        task = asyncio.create_task(self.send_frame(body))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    def drop(self) -> None:
        if self.coalescer is not None:
            self.coalescer.boards.discard(self)
        asyncio.create_task(self._close_quietly())

    async def _close_quietly(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            await self.close()

    async def send_frame(self, body: str) -> None:
        try:
            await self._send_frame(body)
        finally:
            self.queued -= 1

    async def _send_frame(self, body: str) -> None:
        async with self.send_lock:
            if not self.greeted:
                return  # the snapshot this board is about to load covers it
            self.seq += 1
            try:
                await asyncio.wait_for(self.send(text_data=f'{{"seq":{self.seq},{body[1:]}'), SEND_TIMEOUT)
            except (TimeoutError, OSError):
                self.drop()  # gone, or stuck: a board that is still there reconnects and reloads
