"""The live messages: one written shape each, for every service that sends and every consumer that reads.

Messages travel over the channel layer (attendance.live sends them after commit) and can be lost:
they only say "look again" plus a few feed lines. A shape that does not match is a programming
error at the sender (`MessageError`), and a reader that gets one skips it rather than guessing.

- `BridgesChanged` ("bridges.changed", to an event's boards): which bridges changed, and feed lines.
- `FeedLine`: a line of the boards' feed, the same shape in a snapshot and in a delta. No names of
  people: boards are projected in halls.
- `ConsolePush` ("console.push", to an event's consoles and boards): a roll call opened or closed,
  or the launch; its payload goes to the consoles as it is. Also, to one bridge's consoles only,
  "roster.changed": who of its roster is now recorded at a roll call (attendance.services.roster).
"""

from dataclasses import dataclass, field, fields

FEED_KINDS = frozenset({"checkin", "bridge_checkin", "headcount", "connected", "disconnected",
                        "roll_call_opened", "roll_call_closed", "launch"})
ROLL_CALL_KEYS = frozenset({"id", "label", "session", "event_id", "opened_at", "closes_at", "window_seconds",
                            "second_factor"})
ROSTER_ENTRY_KEYS = frozenset({"id", "ticked", "at", "method", "undo_until"})


class MessageError(ValueError):
    """A live message not in its written shape."""


def _exact_keys(data, allowed: set[str], required: set[str], what: str) -> None:
    if not isinstance(data, dict):
        raise MessageError(f"{what}: not a mapping")
    unknown, missing = set(data) - allowed, required - set(data)
    if unknown or missing:
        raise MessageError(f"{what}: unknown {sorted(unknown)}, missing {sorted(missing)}")


@dataclass(frozen=True)
class FeedLine:
    kind: str
    at: int  # epoch milliseconds
    bridge_id: int | None = None
    bridge: str = ""  # the bridge's name
    label: str = ""  # a roll call's label, a headcount
    count: int = 1  # neighbouring check-ins at one bridge collapse into one line

    def __post_init__(self):
        if self.kind not in FEED_KINDS:
            raise MessageError(f"feed line: unknown kind {self.kind!r}")
        if not isinstance(self.at, int) or isinstance(self.at, bool):
            raise MessageError("feed line: at must be epoch milliseconds (int)")
        if self.bridge_id is not None and (not isinstance(self.bridge_id, int) or isinstance(self.bridge_id, bool)):
            raise MessageError("feed line: bridge_id must be an int or None")
        if not isinstance(self.bridge, str) or not isinstance(self.label, str):
            raise MessageError("feed line: bridge and label are text")
        if not isinstance(self.count, int) or self.count < 1:
            raise MessageError("feed line: count is a positive int")

    def as_dict(self) -> dict:
        # By hand, not dataclasses.asdict (a deep copy of each field): a nation's frame has ~1,250 lines.
        return {"kind": self.kind, "at": self.at, "bridge_id": self.bridge_id, "bridge": self.bridge,
                "label": self.label, "count": self.count}

    @staticmethod
    def checkin_line(at: int, bridge_id: int, bridge: str, count: int) -> dict:
        """`as_dict` of a check-in line the board counted itself (its values are known good: no checks; a
        nation's frame has ~1,250 of them)."""
        return {"kind": "checkin", "at": at, "bridge_id": bridge_id, "bridge": bridge, "label": "", "count": count}

    @classmethod
    def parse(cls, data) -> "FeedLine":
        names = {f.name for f in fields(cls)}
        _exact_keys(data, names, {"kind", "at"}, "feed line")
        return cls(**data)

    def named(self, bridge_name: str) -> "FeedLine":
        """The same line with the bridge's name filled in (a sender may leave it to the board)."""
        return self if self.bridge or not bridge_name else FeedLine(**{**self.as_dict(), "bridge": bridge_name})


@dataclass(frozen=True)
class BridgesChanged:
    TYPE = "bridges.changed"
    bridge_ids: tuple[int, ...]
    feed: tuple[FeedLine, ...] = field(default=())

    def __post_init__(self):
        if not all(isinstance(b, int) and not isinstance(b, bool) for b in self.bridge_ids):
            raise MessageError("bridges.changed: bridge_ids are ints")
        if not all(isinstance(line, FeedLine) for line in self.feed):
            raise MessageError("bridges.changed: feed holds FeedLine")

    def as_message(self) -> dict:
        return {"type": self.TYPE, "bridge_ids": list(self.bridge_ids), "feed": [line.as_dict() for line in self.feed]}

    @classmethod
    def parse(cls, message) -> "BridgesChanged":
        _exact_keys(message, {"type", "bridge_ids", "feed"}, {"type", "bridge_ids", "feed"}, cls.TYPE)
        if message["type"] != cls.TYPE or not isinstance(message["feed"], list):
            raise MessageError(f"{cls.TYPE}: wrong type or feed")
        return cls(tuple(message["bridge_ids"]), tuple(FeedLine.parse(line) for line in message["feed"]))


@dataclass(frozen=True)
class ConsolePush:
    TYPE = "console.push"
    payload: dict

    def __post_init__(self):
        kind = self.payload.get("type") if isinstance(self.payload, dict) else None
        if kind in ("rollcall.opened", "rollcall.closed"):
            _exact_keys(self.payload, {"type", "roll_call"}, {"type", "roll_call"}, kind)
            _exact_keys(self.payload["roll_call"], set(ROLL_CALL_KEYS), set(ROLL_CALL_KEYS), f"{kind} roll_call")
        elif kind == "launch":
            _exact_keys(self.payload, {"type", "at", "duration_ms"}, {"type", "at", "duration_ms"}, kind)
        elif kind == "roster.changed":
            _exact_keys(self.payload, {"type", "roll_call_id", "people"}, {"type", "roll_call_id", "people"}, kind)
            if not isinstance(self.payload["roll_call_id"], int) or not isinstance(self.payload["people"], list):
                raise MessageError(f"{kind}: roll_call_id is an int, people a list")
            for person in self.payload["people"]:
                _exact_keys(person, set(ROSTER_ENTRY_KEYS), set(ROSTER_ENTRY_KEYS), f"{kind} person")
        else:
            raise MessageError(f"console.push: unknown payload type {kind!r}")

    @property
    def kind(self) -> str:
        return self.payload["type"]

    def as_message(self) -> dict:
        return {"type": self.TYPE, "payload": self.payload}

    @classmethod
    def parse(cls, message) -> "ConsolePush":
        _exact_keys(message, {"type", "payload"}, {"type", "payload"}, cls.TYPE)
        if message["type"] != cls.TYPE:
            raise MessageError(f"{cls.TYPE}: wrong type")
        return cls(message["payload"])


def parse(message) -> BridgesChanged | ConsolePush:
    """Any message an app sends over the channel layer, in its type."""
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == BridgesChanged.TYPE:
        return BridgesChanged.parse(message)
    if kind == ConsolePush.TYPE:
        return ConsolePush.parse(message)
    raise MessageError(f"unknown live message type {kind!r}")
