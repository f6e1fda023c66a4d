"""The live board's numbers: per-bridge state, counters per district and in total, missing bridges, feed.

One `EventBoard` holds an event's invited bridges and their live state. A snapshot loads the part its
scope covers (a fixed handful of queries, each restricted to the scope's subtree by `bridge__path`); the
per-process coalescer keeps the whole event in memory and refreshes only the bridges a frame is about,
then every board connected to that process gets its scoped part of the same computation. Counters are
kept per scope and group and moved by the tiles that changed (`_count_changes`), so a frame costs its
changed tiles, not the nation; a full recount (`recount`) gives the same numbers. The state rule, the
expected-teacher rule and the missing-bridge rule live here and nowhere else.
"""

from __future__ import annotations

import contextlib
import gc
import operator
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from bridges import scope
from bridges.models import Bridge, Person, Tier
from bridges.phones import is_checked
from bridges.tree import group_of, unit_order
from events import participation
from events.models import Event, Invitation

from ..messages import FeedLine
from ..models import BridgeCheckIn, CheckIn, ConnectionInterval, Launch, RollCall
from ..services.timing import epoch_ms

# A console sends a heartbeat well within this; an open interval whose last sign of life is older
# belongs to a console that vanished without closing its socket.
ONLINE_STALE_SECONDS = 90
FEED_SIZE = 30
# A partial refresh reads at most this many bridges per statement where ids go as an IN list (SQLite; more
# are read in chunks); on PostgreSQL a frame's ids go as one array in one statement whatever their number (a
# nation's tick touches ~1,250). Above half of the event's bridges one frame reads everything instead.
PARTIAL_REFRESH_LIMIT = 500
# Up to this many scopes counted, a changed tile tries each (a path's prefix test); above, it looks up the scopes
# covering its path (a nation's hundreds of district boards).
FEW_SCOPES = 8
# The launch screen stays up this long after the launch moment (also for consoles that join late).
LAUNCH_SCREEN_SECONDS = 180

NOT_CONFIRMED = "not_confirmed"
CONFIRMED = "confirmed"
ONLINE = "online"
CHECKED_IN = "checked_in"
OFFLINE = "offline"
STATES = (NOT_CONFIRMED, CONFIRMED, ONLINE, CHECKED_IN, OFFLINE)
# A bridge's open connections with a sign of life within ONLINE_STALE_SECONDS (online when above 0), over its
# connection intervals (`cutoff`: now less that).
ONLINE_SQL = "COUNT(CASE WHEN ended_at IS NULL AND last_seen_at >= %(cutoff)s THEN 1 END)"
# The flagged among a bridge's check-ins (of one device past its limit): in a board's live read and in the group
# counters.
FLAGGED_SQL = "COUNT(CASE WHEN same_client THEN 1 END)"
# The host on its own event's board when no invitation names it.
HOST_STATUS = Invitation.Status.CONFIRMED



def bridge_state(*, confirmed: bool, online: bool, checked_in: bool, ever_connected: bool) -> str:
    """The one rule for a tile's colour."""
    if online:
        return CHECKED_IN if checked_in else ONLINE
    if checked_in or ever_connected:
        return OFFLINE
    return CONFIRMED if confirmed else NOT_CONFIRMED


def is_missing(*, confirmed: bool, state: str) -> bool:
    """A bridge that said it would come and is not there now: the organizer phones it."""
    return confirmed and state in (CONFIRMED, OFFLINE)


def expected_teachers(invitation_expected: int | None, bridge_expected: int, roster_size: int) -> int:
    """Teachers expected at a bridge: what the invitation says, else the bridge's usual number, else its roster."""
    if invitation_expected is not None:
        return invitation_expected
    return bridge_expected or roster_size


def now_ms() -> int:
    return int(time.time() * 1000)


def in_scope(path: str, scope_path: str | None) -> bool:
    return scope_path is None or path.startswith(scope_path)


def feed_item(kind: str, *, at=None, bridge_id: int | None = None, bridge: str = "", label: str = "",
              count: int = 1) -> dict:
    """A line of the boards' feed.

    kind: checkin, bridge_checkin, headcount, connected, disconnected, roll_call_opened, roll_call_closed,
    launch. A board shows it only when its scope covers bridge_id (no bridge: every board). No names of
    people: boards are projected in halls.
    """
    return feed_line(kind, at=at, bridge_id=bridge_id, bridge=bridge, label=label, count=count).as_dict()


def feed_line(kind: str, *, at=None, bridge_id: int | None = None, bridge: str = "", label: str = "",
              count: int = 1) -> FeedLine:
    """`feed_item` as the typed line that live messages carry."""
    return FeedLine(kind=kind, at=epoch_ms(at or timezone.now()), bridge_id=bridge_id, bridge=bridge, label=label,
                    count=count)


MINUTE_MS = 60_000


def summarise_checkins(items: list[dict]) -> list[dict]:
    """The feed as people can read it at 18,000 teachers: the check-ins at one bridge within one minute are
    one line, "Trường X: +23 giáo viên" (count summed, `at` the latest). `items` newest first, as returned."""
    summarised: list[dict] = []
    lines: dict[tuple, dict] = {}
    for item in items:
        if item["kind"] != "checkin":
            summarised.append(dict(item))
            continue
        key = (item["bridge_id"], item["at"] // MINUTE_MS)
        if key in lines:
            lines[key]["count"] += item.get("count", 1)
            lines[key]["at"] = max(lines[key]["at"], item["at"])
            continue
        lines[key] = dict(item)
        summarised.append(lines[key])
    return summarised


@dataclass(slots=True)
class BridgeLive:
    id: int
    code: str
    name: str
    path: str
    group_id: int
    phone: str
    status: str
    expected: int
    is_host: bool = False
    online: bool = False
    ever_connected: bool = False
    checked_in: bool = False
    headcount: int = 0
    present: dict[int, int] = field(default_factory=dict)
    # Check-ins at this bridge flagged as one of many from one device (teacher_checkin), all roll calls.
    flagged: int = 0
    # (signature, what it adds to the counters) as last counted: a frame then works out only the new side.
    counted_as: tuple | None = field(default=None, repr=False, compare=False)
    # The signature as the last refresh left it (None: work it out): a frame's "before" without recomputing.
    shown: tuple | None = field(default=None, repr=False, compare=False)
    # The scope paths covering this bridge (None and each ancestor's path), worked out once per path.
    covering: tuple = field(default=(), repr=False, compare=False)

    @property
    def confirmed(self) -> bool:
        return participation.is_confirmed(self.status, is_host=self.is_host)

    @property
    def state(self) -> str:
        return bridge_state(confirmed=self.confirmed, online=self.online, checked_in=self.checked_in,
                            ever_connected=self.ever_connected)

    def signature(self) -> tuple:
        """Cheap to compare: equal signatures mean equal live tiles."""
        present = self.present
        return (self.online, self.ever_connected, self.checked_in, self.headcount, self.status, self.expected,
                tuple(sorted(present.items()) if len(present) > 1 else present.items()), self.flagged)

    def live_tile(self) -> dict:
        """What changes during the event; deltas carry only this (the snapshot has the rest)."""
        state = self.state
        return {
            "id": self.id, "state": state, "status": self.status, "checked_in": self.checked_in,
            "headcount": self.headcount, "expected": self.expected,
            "present": {str(k): v for k, v in sorted(self.present.items())},
            "missing": is_missing(confirmed=self.confirmed, state=state), "flagged": self.flagged,
        }

    def tile(self) -> dict:
        # phone_checked: False for a number an import kept as typed; the board marks it unchecked.
        return {**self.live_tile(), "code": self.code, "name": self.name, "group": self.group_id, "phone": self.phone,
                "phone_checked": is_checked(self.phone)}


def _empty_counter() -> dict:
    return {"invited": 0, "confirmed": 0, "online": 0, "checked_in": 0, "missing": 0, "headcount": 0,
            "expected": 0, "present": {}, "flagged": 0}


_SCALARS = ("confirmed", "online", "checked_in", "missing", "headcount", "expected", "flagged")


def _contribution(signature: tuple, is_host: bool) -> tuple:
    """What one tile adds to its counters, from its `BridgeLive.signature()` (the same rules as the tile)."""
    online, ever_connected, checked_in, headcount, status, expected, present, flagged = signature
    confirmed = participation.is_confirmed(status, is_host=is_host)
    state = bridge_state(confirmed=confirmed, online=online, checked_in=checked_in, ever_connected=ever_connected)
    return ((int(confirmed), int(state in (ONLINE, CHECKED_IN)), int(checked_in),
             int(is_missing(confirmed=confirmed, state=state)), headcount, expected, flagged), present)


def _add(counter: dict, contribution: tuple, sign: int) -> None:
    scalars, present = contribution
    for key, value in zip(_SCALARS, scalars, strict=True):
        counter[key] += sign * value
    totals = counter["present"]
    for roll_call_id, n in present:
        key = str(roll_call_id)
        left = totals.get(key, 0) + sign * n
        if left:
            totals[key] = left
        else:
            totals.pop(key, None)  # as a recount has it: no key for a roll call nobody is present at


# The scalars that are one tile's yes or no (the rest, headcount, expected and flagged, are its numbers).
_FLAGS = frozenset(("confirmed", "online", "checked_in", "missing"))


def _add_class(counter: dict, contribution: tuple, n: int) -> None:
    """`_add` of `n` tiles alike, from a contribution whose numbers (and present counts) are already their sums
    (`_group_counters`)."""
    scalars, present = contribution
    counter["invited"] += n
    _add(counter, (tuple(value * n if key in _FLAGS else value for key, value in zip(_SCALARS, scalars, strict=True)),
                   present), 1)


def _difference(live: BridgeLive, before: tuple, after: tuple) -> tuple[tuple | None, list]:
    """What one tile's change moves its counters by: (scalars, None when none moved; the present counts per
    roll call that moved, netted: a check-in moves one roll call's count by one, not two entries)."""
    kept = live.counted_as
    old, old_present = kept[1] if kept is not None and kept[0] == before else _contribution(before, live.is_host)
    if before[:6] == after[:6] and before[7] == after[7]:
        # Only the teachers present moved (a nation's tick: most tiles): what the rules read is as it was, and
        # `_contribution` hands the present counts through as they are.
        new, new_present, scalars = old, after[6], None
    else:
        new, new_present = _contribution(after, live.is_host)
        scalars = None if new == old else tuple(map(operator.sub, new, old))
    live.counted_as = (after, (new, new_present))
    if new_present == old_present:
        return scalars, []
    present = dict(new_present)
    for roll_call_id, n in old_present:
        present[roll_call_id] = present.get(roll_call_id, 0) - n
    return scalars, [(rc, n) for rc, n in present.items() if n]


def _move(counter: dict, scalars: tuple | None, present: list) -> None:
    """`_add` of a `_difference` (the same end state: no key for a roll call nobody is present at)."""
    if scalars is not None:
        for key, value in zip(_SCALARS, scalars, strict=True):
            counter[key] += value
    totals = counter["present"]
    for roll_call_id, n in present:
        key = str(roll_call_id)
        left = totals.get(key, 0) + n
        if left:
            totals[key] = left
        else:
            totals.pop(key, None)


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection while a board is built: a nation's is ~500,000 new objects (none in cycles)
    and the collections they set off walked the process again and again, ~40 % of the organizer's snapshot
    read from the rows (bench/bench_nation.py). Always enabled again after, whatever another thread did."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class EventBoard:
    """An event's bridges and their live state, loaded with a few queries and refreshed in parts."""

    def __init__(self, event: Event, scope_path: str | None = None):
        self.event = event
        # A snapshot's board holds only its scope's bridges; the coalescer's holds the whole event (None).
        self.scope_path = scope_path
        self._members: dict[str | None, list[int]] = {}  # scope path -> its bridges' ids, in path order
        self._member_sets: dict[str | None, set[int]] = {}  # the same as sets: is a frame's bridge in the scope
        self._by_prefix: dict[str, list[int]] | None = None  # every "/a/b/" prefix -> the ids under it
        self._name_rank: dict[int, int] | None = None  # bridge id -> its place in name order (arrival_lines)
        self._counted: dict[str | None, dict] = {}  # scope path -> {"groups": {id: counter}, "total": counter}
        self._sizes: dict[str | None, int] = {}  # scope path -> its bridges, where not all are held (for_snapshot)
        self.bridges: dict[int, BridgeLive] = {}
        self.groups: dict[int, dict] = {}
        self.roll_calls: list[dict] = []
        self.launch: dict | None = None
        self.read_at = 0
        self.arrived: dict[int, int] = {}  # bridge id -> teachers recorded there since the previous refresh

    @classmethod
    def load(cls, event_id: int, scope_path: str | None = None) -> EventBoard:
        """The event's board; with a scope path only the bridges of that subtree are read (a snapshot)."""
        # Taken before reading: a board drops deltas read before its snapshot was (see board.js).
        read_at = now_ms()
        return cls._loaded(Event.objects.select_related("host__tier").get(pk=event_id), scope_path, read_at)

    @classmethod
    def _loaded(cls, event: Event, scope_path: str | None, read_at: int) -> EventBoard:
        board = cls(event, scope_path)
        board.read_at = read_at
        with collector_paused():
            board.load_bridges()
            # Read whole, without refresh's before/after comparison: nothing was shown before, nothing is kept yet.
            board._load_roll_calls()
            if connection.vendor == "postgresql":
                # A scope's bridges by their ids (index lookups), not by a path filter: PostgreSQL scanned every
                # check-in of a nation for a province's 641 bridges.
                board._read_live_at_once(None if scope_path is None else sorted(board.bridges))
            else:
                board._load_live(None)
        return board

    @classmethod
    def for_snapshot(cls, event_id: int, scope_path: str | None, group: str | None = None) -> EventBoard:
        """A board of what a snapshot of this scope shows, read from the rows of that scope only. In group mode
        (`group_mode`; on PostgreSQL) it holds the groups' counters aggregated in the database
        (`_group_counters`) and the tiles of the viewed group `group` (a code) alone: a nation's organizer reads
        no tile of the ~40,000 it does not show. Else the scope's whole board (`load`)."""
        read_at = now_ms()
        event = Event.objects.select_related("host__tier").get(pk=event_id)
        board = cls(event, scope_path)
        if connection.vendor != "postgresql" or board.scope_size() <= settings.BOARD_TILES_MAX:
            return cls._loaded(event, scope_path, read_at)
        board.read_at = read_at
        with collector_paused():
            board._load_roll_calls()
            counted, board.groups, paths = board._group_counters()
            board._counted[scope_path] = counted
            board._sizes[scope_path] = counted["total"]["invited"]
            group_id = board.viewed_group(scope_path, group)
            if group_id is not None:
                # The viewed group's subtree (within the scope), read whole as a small board is.
                path = paths[group_id]
                tiles = cls(event, path if scope_path is None or path.startswith(scope_path) else scope_path)
                tiles.roll_calls, tiles.launch = board.roll_calls, board.launch
                tiles.load_bridges()
                tiles._read_live_at_once(sorted(tiles.bridges))
                board.bridges = {b: live for b, live in tiles.bridges.items() if live.group_id == group_id}
        return board

    # --- static part: who is invited, where they belong, what is expected -------------------------

    def load_bridges(self) -> None:
        event = self.event
        rows = list(
            self._within(Invitation.objects.filter(event=event)).values_list(
                "bridge_id", "status", "expected_participants", "bridge__code", "bridge__name", "bridge__path",
                "bridge__expected_participants", "bridge__tech_phone", "bridge__head_phone", "bridge__tier__role",
            )
        )
        host_added = self._host_added(event.host_id in {row[0] for row in rows})
        if host_added:
            host = event.host
            rows.append((host.id, HOST_STATUS, None, host.code, host.name, host.path,
                         host.expected_participants, host.tech_phone, host.head_phone, host.tier.role))
        # Rosters by a subquery, not an IN list of every invited bridge (40,000 ids cost ~0.3 s of CPU to send),
        # and without Person's ordering (by bridge: a join to every bridge row). The host apart: an OR in the
        # same filter made PostgreSQL scan the 1,000,000 people for a district's 64 bridges.
        invited = self._within(Invitation.objects.filter(event=event)).values("bridge_id")
        roster = dict(
            Person.objects.filter(bridge_id__in=invited).order_by().values("bridge_id").annotate(n=Count("id"))
            .values_list("bridge_id", "n")
        )
        if host_added:
            roster[event.host_id] = Person.objects.filter(bridge_id=event.host_id).count()
        # The bridges on the paths: the invited ones are in the rows already; the others (a nation's few
        # hundred provinces and districts, not its 40,000 schools) are read.
        ancestors = {r[0]: {"id": r[0], "code": r[3], "name": r[4], "tier__role": r[9]} for r in rows}
        ancestor_ids = {int(part) for r in rows for part in r[5].strip("/").split("/") if part} - ancestors.keys()
        ancestors.update(
            (b["id"], b) for b in Bridge.objects.filter(id__in=ancestor_ids).values("id", "code", "name", "tier__role")
        )
        previous = self.bridges
        self.bridges, self.groups = {}, {}
        # Who is in which scope, and what is expected, may have changed.
        self._members, self._member_sets, self._counted, self._by_prefix, self._sizes = {}, {}, {}, None, {}
        self._name_rank = None
        groups_by_parent: dict[str, dict] = {}
        for bridge_id, status, inv_expected, code, name, path, bridge_expected, tech_phone, head_phone, role in rows:
            # A school's group is its parent's (group_of counts the bridge itself only when intermediate):
            # worked out once per parent, not for each of a nation's 40,000 schools.
            parent = path[:path.rstrip("/").rfind("/") + 1]
            if role == Tier.Role.INTERMEDIATE or parent == "/":
                group = group_of(path, ancestors)
            else:
                group = groups_by_parent.get(parent) or groups_by_parent.setdefault(parent, group_of(path, ancestors))
            self.groups.setdefault(group["id"], {"id": group["id"], "code": group["code"], "name": group["name"]})
            live = BridgeLive(
                id=bridge_id, code=code, name=name, path=path, group_id=group["id"], phone=tech_phone or head_phone,
                status=status, expected=expected_teachers(inv_expected, bridge_expected, roster.get(bridge_id, 0)),
                is_host=bridge_id == event.host_id,
            )
            old = previous.get(bridge_id)
            if old is not None:
                live.online, live.ever_connected, live.checked_in = old.online, old.ever_connected, old.checked_in
                live.headcount, live.present, live.flagged = old.headcount, old.present, old.flagged
            self.bridges[bridge_id] = live

    def _host_added(self, invited: bool) -> bool:
        """The host is on its event's board even when not invited (as confirmed, `HOST_STATUS`), within scope."""
        return not invited and in_scope(self.event.host.path, self.scope_path)

    # --- group mode read from the rows: counters per group without a tile per bridge -------------------

    def scope_size(self) -> int:
        """How many bridges the board's scope shows (what `group_mode` compares), by one count."""
        invitations = self._within(Invitation.objects.filter(event=self.event))
        size = invitations.count()
        host_invited = invitations.filter(bridge_id=self.event.host_id).exists()
        return size + self._host_added(host_invited)

    def _group_counters(self) -> tuple[dict, dict[int, dict], dict[int, str]]:
        """The scope's counters per group and in total, as `recount` counts them from the tiles, aggregated in
        PostgreSQL without a tile per bridge (a nation's organizer in group mode: ~40,000 bridges, ~700 units).

        The bridges are summed per unit (a bridge counted under its own group: an intermediate one or one at the
        root; any other under its parent's, as in `load_bridges`) and per class of what the rules read: the
        invitation status, host or not, online, ever connected, checked in, and which of `expected_teachers`'
        three inputs decides. Each class goes through the same rules as a tile (`_contribution`,
        `expected_teachers`) once, its count and sums in place of one tile's values: within a class each rule
        picks the same branch, so the sum of the tiles' values is the rule applied to the class's sums. The live
        state is `_live_statement`'s, a row per bridge, as a frame reads it. Returns ({"groups": {id: counter},
        "total": counter}, the groups as `groups` holds them, each group's path)."""
        event, tables = self.event, self._tables()
        host_invited = Invitation.objects.filter(event=event, bridge_id=event.host_id).exists()
        live_sql, params = self._live_statement(None)
        calls = params["calls"]
        params.update(host=event.host_id, host_status=HOST_STATUS, intermediate=Tier.Role.INTERMEDIATE,
                      add_host=self._host_added(host_invited))
        within = roster_within = ""
        if self.scope_path is not None:
            within = " WHERE b.path LIKE %(prefix)s"
            roster_within = f" WHERE bridge_id IN (SELECT id FROM {tables['Bridge']} WHERE path LIKE %(prefix)s)"  # noqa: S608 - our table
        unit = "CASE WHEN t.role = %(intermediate)s OR b.parent_id IS NULL THEN b.id ELSE b.parent_id END"
        # The board's bridges as load_bridges reads them (the invited ones, the host when it adds it), each with
        # its unit. Plain subqueries, not CTEs: PostgreSQL estimated a CTE's joins at billions of rows and chose
        # its plans (and JIT compiling) for that.
        members = (
            f"SELECT i.bridge_id AS id, i.status, i.inv, b.expected_participants AS usual, {unit} AS unit "  # noqa: S608 - our tables
            f"FROM (SELECT bridge_id, status, expected_participants AS inv FROM {tables['Invitation']} "
            "WHERE event_id = %(event)s UNION ALL SELECT %(host)s, %(host_status)s, NULL WHERE %(add_host)s) i "
            f"JOIN {tables['Bridge']} b ON b.id = i.bridge_id JOIN {tables['Tier']} t ON t.id = b.tier_id{within}")
        # Rosters counted for the whole scope and joined: one pass over the people's bridge index, cheaper than
        # 40,000 lookups of the invited bridges.
        summed = "".join(f", SUM(COALESCE(l.p{k}, 0))" for k in range(len(calls)))
        classes = (
            "SELECT m.unit, m.status, CASE WHEN m.id = %(host)s THEN 1 ELSE 0 END, "  # noqa: S608 - our tables
            "CASE WHEN l.open_now > 0 THEN 1 ELSE 0 END, CASE WHEN l.n > 0 THEN 1 ELSE 0 END, "
            "CASE WHEN l.headcount IS NULL THEN 0 ELSE 1 END, CASE WHEN m.inv IS NULL THEN 1 ELSE 0 END, "
            "COUNT(*), SUM(m.inv), SUM(m.usual), SUM(COALESCE(r.n, 0)), SUM(COALESCE(l.headcount, 0)), "
            f"SUM(COALESCE(l.flagged, 0)){summed} "
            f"FROM ({members}) m LEFT JOIN ({live_sql}) l ON l.bridge_id = m.id "
            f"LEFT JOIN (SELECT bridge_id, COUNT(*) AS n FROM {tables['Person']}{roster_within} GROUP BY bridge_id) r "
            "ON r.bridge_id = m.id "
            "GROUP BY m.unit, m.status, 3, 4, 5, 6, 7, CASE WHEN m.usual = 0 THEN 1 ELSE 0 END")
        with transaction.atomic(), connection.cursor() as cursor:
            # No JIT: on a nation's rows its compiling cost more than the query (~1.2 s when a plan's estimate ran
            # high); and room for the ~40,000 bridges' hashes, which spilled to disk within the default 4 MB.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
            cursor.execute(classes, params)
            rows = cursor.fetchall()
        units = {row[0] for row in rows}
        # The units' groups by the one rule (bridges.tree.group_of), from their paths' bridges.
        paths = dict(Bridge.objects.filter(id__in=units).values_list("id", "path"))
        ids = {int(part) for path in paths.values() for part in path.strip("/").split("/") if part}
        ancestors = {b["id"]: b for b in Bridge.objects.filter(id__in=ids).values("id", "code", "name", "tier__role",
                                                                                   "path")}
        unit_group = {u: group_of(path, ancestors) for u, path in paths.items()}
        groups = {g["id"]: {"id": g["id"], "code": g["code"], "name": g["name"]} for g in unit_group.values()}
        group_paths = {g["id"]: g["path"] for g in unit_group.values()}
        counted: dict[int, dict] = {}
        total = _empty_counter()

        def counter_of(unit_id: int) -> dict:
            group_id = unit_group[unit_id]["id"]
            counter = counted.get(group_id)
            if counter is None:
                counter = counted[group_id] = _empty_counter()
            return counter

        for u, status, is_host, online, ever, checked, no_inv, n, inv, usual, roster, head, flagged, *present in rows:
            expected = expected_teachers(None if no_inv else int(inv), int(usual), int(roster))
            signature = (bool(online), bool(ever), bool(checked), int(head), status, expected,
                         tuple((call, int(k)) for call, k in zip(calls, present, strict=True) if k), int(flagged))
            contribution = _contribution(signature, bool(is_host))
            for target in (counter_of(u), total):
                _add_class(target, contribution, n)
        return {"groups": counted, "total": total}, groups, group_paths

    # --- live part ------------------------------------------------------------------------------

    def refresh(self, bridge_ids) -> set[int]:
        """Re-read the live state of these bridges (None: all). Returns the ids whose tile changed."""
        if bridge_ids is not None:
            bridge_ids = {b for b in bridge_ids if b in self.bridges}
            if len(bridge_ids) > max(PARTIAL_REFRESH_LIMIT, len(self.bridges) // 2):
                bridge_ids = None
        targets = list(self.bridges) if bridge_ids is None else list(bridge_ids)
        bridges = self.bridges
        before = {b: bridges[b].shown or bridges[b].signature() for b in targets}
        self._load_roll_calls()
        if connection.vendor == "postgresql":
            self._read_live_at_once(None if bridge_ids is None else sorted(bridge_ids))
        elif bridge_ids is None:
            self._load_live(None)
        else:
            ordered = sorted(bridge_ids)
            for start in range(0, len(ordered), PARTIAL_REFRESH_LIMIT):
                self._read_live(ordered[start:start + PARTIAL_REFRESH_LIMIT])
        changed = {}
        for b in targets:
            live = bridges[b]
            after = live.shown = live.signature()
            if after != before[b]:
                changed[b] = after
        self.arrived = self._count_changes(before, changed)
        return set(changed)

    def _count_changes(self, before: dict[int, tuple], after: dict[int, tuple]) -> dict[int, int]:
        """Move the kept counters of every scope covering a changed tile by that tile's difference. Returns the
        teachers who arrived at each bridge since the last refresh (the feed's summary lines: exact, from the
        rows, whatever notifications were lost or truncated on the way), read off the same difference."""
        counted, bridges = self._counted, self.bridges
        # A scope is a bridge's path ("/1/4/") or any other prefix, matched as in_scope does. Few scopes counted
        # (the usual: the organizer's and a few districts'): each is tried; many (hundreds of district boards):
        # the ones covering the bridge are looked up.
        few = list(counted) if len(counted) <= FEW_SCOPES else None
        odd = [] if few is not None else [s for s in counted if s is not None and not s.endswith("/")]
        arrived = {}
        for b, signature in after.items():
            live = bridges[b]
            scalars, present = _difference(live, before[b], signature)
            if present:
                grown = sum(n for _rc, n in present)
                if grown > 0:
                    arrived[b] = grown
            if not counted:
                continue
            if few is not None:
                path = live.path
                scopes = [s for s in few if s is None or path.startswith(s)]
            else:
                if not live.covering:
                    live.covering = tuple(self._covering(live.path))
                scopes = (*live.covering, *(s for s in odd if live.path.startswith(s))) if odd else live.covering
            group_id = live.group_id
            for scope_path in scopes:
                kept = counted.get(scope_path)
                if kept is not None:
                    _move(kept["groups"][group_id], scalars, present)
                    _move(kept["total"], scalars, present)
        return arrived

    @staticmethod
    def _covering(path: str):
        """The scope paths that cover a bridge at `path`: None (everything) and each ancestor's path."""
        yield None
        end = path.find("/", 1)
        while end != -1:
            yield path[:end + 1]
            end = path.find("/", end + 1)

    def online_drift(self) -> set[int]:
        """Bridges whose tile's online state is not what the connections say now (one query): a console gone
        silent past ONLINE_STALE_SECONDS, or one whose heartbeats came back. Nobody announces either."""
        cutoff = timezone.now() - timedelta(seconds=ONLINE_STALE_SECONDS)
        online = set(self._within(ConnectionInterval.objects.filter(
            event_id=self.event.id, ended_at__isnull=True, last_seen_at__gte=cutoff,
        )).order_by().values_list("bridge_id", flat=True).distinct())
        shown = {b.id for b in self.bridges.values() if b.online}
        return {b for b in online ^ shown if b in self.bridges}

    def arrival_lines(self, at_ms: int) -> list[dict]:
        """The last refresh's arrivals as feed lines ("+N" at a bridge), largest first, then by name."""
        bridges, arrived = self.bridges, self.arrived
        rank = self._name_rank
        if rank is None:
            # Each bridge's place in name order, once per reading of the invitations: comparing the names of a
            # nation tick's ~1,250 lines on every tie cost more than making the lines.
            rank = self._name_rank = {b: i for i, b in enumerate(sorted(bridges, key=lambda b: bridges[b].name))}
        chosen = sorted((b for b in arrived if b in bridges), key=lambda b: (-arrived[b], rank[b]))
        return [FeedLine.checkin_line(at_ms, b, bridges[b].name, arrived[b]) for b in chosen]

    def _within(self, queryset):
        """Rows of this board's scope (a snapshot's subtree; all for the coalescer's board)."""
        return queryset if self.scope_path is None else queryset.filter(bridge__path__startswith=self.scope_path)

    def _filtered(self, queryset, bridge_ids, field_name="bridge_id"):
        if bridge_ids is None:
            return self._within(queryset)
        return queryset.filter(**{f"{field_name}__in": list(bridge_ids)})

    def _load_live(self, bridge_ids) -> None:
        event_id = self.event.id
        targets = self.bridges.values() if bridge_ids is None else [self.bridges[b] for b in bridge_ids]
        for live in targets:
            live.online = live.ever_connected = live.checked_in = False
            live.headcount, live.present, live.flagged = 0, {}, 0
        cutoff = timezone.now() - timedelta(seconds=ONLINE_STALE_SECONDS)
        connections = self._filtered(ConnectionInterval.objects.filter(event_id=event_id), bridge_ids)
        for bridge_id, open_count in connections.order_by().values("bridge_id").annotate(
            open=Count("id", filter=Q(ended_at__isnull=True, last_seen_at__gte=cutoff))
        ).values_list("bridge_id", "open"):
            if bridge_id in self.bridges:
                self.bridges[bridge_id].ever_connected = True
                self.bridges[bridge_id].online = open_count > 0
        checkins = self._filtered(BridgeCheckIn.objects.filter(event_id=event_id), bridge_ids)
        for bridge_id, headcount in checkins.order_by().values_list("bridge_id", "headcount"):
            if bridge_id in self.bridges:
                self.bridges[bridge_id].checked_in = True
                self.bridges[bridge_id].headcount = headcount
        roll_call_ids = [rc["id"] for rc in self.roll_calls]
        if roll_call_ids:
            present = self._filtered(CheckIn.objects.filter(roll_call_id__in=roll_call_ids), bridge_ids)
            for roll_call_id, bridge_id, n, flagged in present.order_by().values("roll_call_id", "bridge_id").annotate(
                n=Count("id"), flagged=Count("id", filter=Q(same_client=True))
            ).values_list("roll_call_id", "bridge_id", "n", "flagged"):
                if bridge_id in self.bridges:
                    self.bridges[bridge_id].present[roll_call_id] = n
                    self.bridges[bridge_id].flagged += flagged

    def _read_live(self, bridge_ids: list[int]) -> None:
        """`_load_live` for a frame's few bridges, as three plain statements: through the ORM, building and
        binding an IN list of a thousand ids cost more CPU than PostgreSQL's work (bench/bench_nation.py).
        On PostgreSQL the ids go as one array (`= ANY(%s)`), elsewhere as an IN list."""
        for live in (self.bridges[b] for b in bridge_ids):
            live.online = live.ever_connected = live.checked_in = False
            live.headcount, live.present, live.flagged = 0, {}, 0
        if not bridge_ids:
            return
        ops = connection.ops
        if connection.vendor == "postgresql":
            def among(values):
                return "= ANY(%s)", [list(values)]
        else:
            def among(values):
                return f"IN ({', '.join(['%s'] * len(values))})", list(values)
        bridges_sql, bridges_params = among(bridge_ids)
        cutoff = ops.adapt_datetimefield_value(timezone.now() - timedelta(seconds=ONLINE_STALE_SECONDS))
        tables = {m.__name__: ops.quote_name(m._meta.db_table) for m in (ConnectionInterval, BridgeCheckIn, CheckIn)}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT bridge_id, COUNT(CASE WHEN ended_at IS NULL AND last_seen_at >= %s THEN 1 END) "  # noqa: S608 - our tables
                f"FROM {tables['ConnectionInterval']} WHERE event_id = %s AND bridge_id {bridges_sql} GROUP BY bridge_id",
                [cutoff, self.event.id, *bridges_params])
            for bridge_id, open_count in cursor.fetchall():
                self.bridges[bridge_id].ever_connected = True
                self.bridges[bridge_id].online = open_count > 0
            cursor.execute(
                f"SELECT bridge_id, headcount FROM {tables['BridgeCheckIn']} "  # noqa: S608 - our tables
                f"WHERE event_id = %s AND bridge_id {bridges_sql}", [self.event.id, *bridges_params])
            for bridge_id, headcount in cursor.fetchall():
                self.bridges[bridge_id].checked_in = True
                self.bridges[bridge_id].headcount = headcount
            roll_call_ids = [rc["id"] for rc in self.roll_calls]
            if not roll_call_ids:
                return
            calls_sql, calls_params = among(roll_call_ids)
            cursor.execute(
                "SELECT roll_call_id, bridge_id, COUNT(*), COUNT(CASE WHEN same_client THEN 1 END) "  # noqa: S608 - our tables
                f"FROM {tables['CheckIn']} WHERE roll_call_id {calls_sql} AND bridge_id {bridges_sql} "
                "GROUP BY roll_call_id, bridge_id", [*calls_params, *bridges_params])
            for roll_call_id, bridge_id, n, flagged in cursor.fetchall():
                live = self.bridges[bridge_id]
                live.present[roll_call_id] = n
                live.flagged += flagged

    def _read_live_at_once(self, bridge_ids: list[int] | None) -> None:
        """`_load_live` on PostgreSQL in one statement (`_live_statement`), as plain SQL (through the ORM a
        nation's rows cost ~0.4 s of CPU in row converters). `bridge_ids`: a frame's bridges; None: every bridge
        of the board's scope."""
        bridges = self.bridges
        for live in (bridges.values() if bridge_ids is None else (bridges[b] for b in bridge_ids)):
            live.online = live.ever_connected = live.checked_in = False
            live.headcount, live.present, live.flagged = 0, {}, 0
        if bridge_ids is not None and not bridge_ids:
            return
        sql, params = self._live_statement(bridge_ids)
        calls = params["calls"]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        get = bridges.get
        for bridge_id, connections, open_now, headcount, flagged, *present in rows:
            live = get(bridge_id)
            if live is None:
                continue  # not invited (a connection or check-in left from before an invitation was withdrawn)
            if connections:
                live.ever_connected = True
                live.online = open_now > 0
            if headcount is not None:
                live.checked_in = True
                live.headcount = headcount
            if flagged is not None:
                live.flagged = flagged
                live.present = {call: n for call, n in zip(calls, present, strict=True) if n}

    def _live_statement(self, bridge_ids: list[int] | None) -> tuple[str, dict]:
        """The live state of these bridges (None: every bridge of the board's scope) as one statement, a row per
        bridge with any: (bridge, its connections (NULL: none), how many are open now (`ONLINE_SQL`), its
        check-in's headcount (NULL: not checked in), its flagged check-ins (`FLAGGED_SQL`; NULL: no check-in
        at a roll call), then its teachers present at each of `params["calls"]`, in that order). Its one home: a
        frame's and a board's read (`_read_live_at_once`) and the group counters (`_group_counters`) use it.
        `bridge_ids` go as one array literal (a named parameter used three times), PostgreSQL's."""
        tables = self._tables()
        calls = [rc["id"] for rc in self.roll_calls]
        params = {"event": self.event.id, "calls": calls,
                  "cutoff": timezone.now() - timedelta(seconds=ONLINE_STALE_SECONDS)}
        if bridge_ids is not None:
            # The ids as one array literal, cast in SQL: psycopg's list dumper checked each of a nation tick's
            # 1,250 ids for quoting, for each of the three places the parameter appears.
            params["ids"] = "{" + ",".join(map(str, bridge_ids)) + "}"
            among = " AND bridge_id = ANY(%(ids)s::bigint[])"
        elif self.scope_path is not None:
            params["prefix"] = self._prefix()
            among = f" AND bridge_id IN (SELECT id FROM {tables['Bridge']} WHERE path LIKE %(prefix)s)"  # noqa: S608 - our table
        else:
            among = ""
        # One row per bridge, a column per roll call (an event has a few): a nation tick's 1,250 bridges came back
        # as ~4,500 rows of (kind, bridge, roll call), and going through them cost more than reading them.
        params.update({f"call_{k}": call for k, call in enumerate(calls)})
        per_call = "".join(f", COUNT(CASE WHEN roll_call_id = %(call_{k})s THEN 1 END) AS p{k}" for k in range(len(calls)))
        columns = "".join(f", p.p{k}" for k in range(len(calls)))
        sql = (
            f"SELECT bridge_id, c.n, c.open_now, h.headcount, p.flagged{columns} "  # noqa: S608 - our tables
            f"FROM (SELECT bridge_id, COUNT(*) AS n, {ONLINE_SQL} AS open_now FROM {tables['ConnectionInterval']} "
            f"WHERE event_id = %(event)s{among} GROUP BY bridge_id) c "
            f"FULL JOIN (SELECT bridge_id, headcount FROM {tables['BridgeCheckIn']} WHERE event_id = %(event)s{among}) h "
            "USING (bridge_id) "
            f"FULL JOIN (SELECT bridge_id, {FLAGGED_SQL} AS flagged{per_call} FROM {tables['CheckIn']} "
            f"WHERE roll_call_id = ANY(%(calls)s){among} GROUP BY bridge_id) p USING (bridge_id)")
        return sql, params

    def _prefix(self) -> str:
        """The board's scope path as a LIKE pattern (the subtree), its wildcards escaped."""
        return self.scope_path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    @staticmethod
    def _tables() -> dict[str, str]:
        ops = connection.ops
        return {m.__name__: ops.quote_name(m._meta.db_table)
                for m in (ConnectionInterval, BridgeCheckIn, CheckIn, Bridge, Invitation, Person, Tier)}

    def _load_roll_calls(self) -> None:
        now = timezone.now()
        self.roll_calls = [
            {"id": rc.id, "label": rc.label, "opened_at": epoch_ms(rc.opened_at), "closes_at": epoch_ms(rc.ends_at()),
             "open": rc.is_open(now)}
            for rc in RollCall.objects.filter(session__event_id=self.event.id).order_by("opened_at", "id")
        ]
        if self.launch is None:  # once per event (attendance.launch): a launch read is not read again
            launch = Launch.objects.filter(event_id=self.event.id).values_list("at", flat=True).first()
            self.launch = launch_payload_for(launch)

    # --- scoped views ---------------------------------------------------------------------------

    def visible(self, scope_path: str | None) -> list[BridgeLive]:
        """The bridges of a scope in path order (the list of ids kept until the invitations are read again)."""
        return [self.bridges[b] for b in self._member_ids(scope_path)]

    def _member_ids(self, scope_path: str | None) -> list[int]:
        members = self._members.get(scope_path)
        if members is None:
            if scope_path is not None and scope_path.endswith("/"):
                # A bridge's path ("/1/4/"): one pass over the event indexes every such scope at once, so
                # hundreds of district boards do not each walk a nation's bridges.
                if self._by_prefix is None:
                    self._by_prefix = {}
                    for live in sorted(self.bridges.values(), key=lambda b: b.path):
                        for prefix in self._covering(live.path):
                            if prefix is not None:
                                self._by_prefix.setdefault(prefix, []).append(live.id)
                members = self._by_prefix.get(scope_path, [])
            else:
                chosen = [b for b in self.bridges.values() if in_scope(b.path, scope_path)]
                members = [b.id for b in sorted(chosen, key=lambda b: b.path)]
            self._members[scope_path] = members
        return members

    def recount(self, scope_path: str | None) -> dict:
        """A scope's counters counted afresh over its bridges: {"groups": {group id: counter}, "total": counter}."""
        groups: dict[int, dict] = {}
        total = _empty_counter()
        for live in self.visible(scope_path):
            counter = groups.get(live.group_id)
            if counter is None:
                counter = groups[live.group_id] = _empty_counter()
            signature = live.shown = live.signature()  # as the last refresh left it: a frame's "before"
            contribution = _contribution(signature, live.is_host)
            live.counted_as = (signature, contribution)  # a frame that changes this tile starts from it
            for target in (counter, total):
                target["invited"] += 1
                _add(target, contribution, 1)
        return {"groups": groups, "total": total}

    def counters(self, scope_path: str | None, only_groups=None) -> dict:
        """Per group and in total; kept per scope and moved by each refresh's changed tiles (`_count_changes`).
        `only_groups`: just these groups' counters (a group-mode frame's, those its changed tiles moved)."""
        counted = self._counted.get(scope_path)
        if counted is None:
            counted = self._counted[scope_path] = self.recount(scope_path)
        groups = counted["groups"]
        chosen = groups if only_groups is None else [g for g in only_groups if g in groups]
        return {
            "groups": [{**self.groups[g], **groups[g], "present": dict(groups[g]["present"])}
                       for g in sorted(chosen, key=lambda g: self._order(self.groups[g]))],
            "total": {**counted["total"], "present": dict(counted["total"]["present"])},
        }

    # --- group mode: a scope too large for every tile (a nation's organizer) ----------------------

    def group_mode(self, scope_path: str | None) -> bool:
        """More bridges in the scope than settings.BOARD_TILES_MAX: the board shows its groups' counters and
        the tiles of one group at a time (the viewer picks it); at or below it, every tile, as always."""
        size = self._sizes.get(scope_path)
        return (len(self._member_ids(scope_path)) if size is None else size) > settings.BOARD_TILES_MAX

    def viewed_group(self, scope_path: str | None, code: str | None) -> int | None:
        """The id of the scope's group with this code (what a board in group mode asked to see), else None."""
        if not code:
            return None
        return next((g["id"] for g in self.scoped_groups(scope_path) if g["code"] == code), None)

    def tiles(self, scope_path: str | None, group_id: int | None = None) -> list[dict]:
        """The scope's tiles; in group mode (`group_mode`) only those of the viewed group (none without one)."""
        if not self.group_mode(scope_path):
            return [b.tile() for b in self.visible(scope_path)]
        return [b.tile() for b in self.visible(scope_path) if b.group_id == group_id] if group_id is not None else []

    def live_tiles(self, scope_path: str | None, bridge_ids, group_id: int | None = None,
                   grouped: bool = False) -> list[dict]:
        """The live fields of these bridges within the scope; `grouped` (group mode): of the viewed group only."""
        bridges, members = self.bridges, self._member_set(scope_path)
        chosen = [bridges[b] for b in bridge_ids if b in members]
        if grouped:
            chosen = [b for b in chosen if b.group_id == group_id]
        return [b.live_tile() for b in sorted(chosen, key=lambda b: b.path)]

    def groups_of(self, scope_path: str | None, bridge_ids) -> set[int]:
        """The groups of these bridges within the scope (whose counters a frame about them moves)."""
        bridges, members = self.bridges, self._member_set(scope_path)
        return {bridges[b].group_id for b in bridge_ids if b in members}

    def _member_set(self, scope_path: str | None):
        """The scope's bridge ids to test membership against (a frame's 1,250 bridges, for each scope's body)."""
        if scope_path is None and self.scope_path is None:
            return self.bridges  # every bridge of the event: the dict answers `in` as well
        members = self._member_sets.get(scope_path)
        if members is None:
            members = self._member_sets[scope_path] = set(self._member_ids(scope_path))
        return members

    def scoped_groups(self, scope_path: str | None) -> list[dict]:
        if scope_path in self._counted:
            ids = self._counted[scope_path]["groups"].keys()
        else:
            ids = {b.group_id for b in self.visible(scope_path)}
        return sorted((self.groups[g] for g in ids), key=self._order)

    @staticmethod
    def _order(group: dict) -> tuple:
        return unit_order(group["code"], group["name"])

    def feed_visible(self, item: dict, scope_path: str | None) -> bool:
        bridge_id = item.get("bridge_id")
        if bridge_id is None:
            return True
        return bridge_id in self._member_set(scope_path)

    def snapshot(self, scope_path: str | None, group: str | None = None) -> dict:
        """What a board of this scope shows. In group mode (`group_mode`: "mode" is "groups") the tiles are
        those of the group whose code is `group` ("group" its id; none without one), the counters every
        group's; else ("tiles") every tile, and `group` is ignored."""
        event = self.event
        grouped = self.group_mode(scope_path)
        group_id = self.viewed_group(scope_path, group) if grouped else None
        return {
            "type": "snapshot",
            "generated_at": self.read_at,
            "mode": "groups" if grouped else "tiles",
            "group": group_id,
            "event": event_brief(event),
            "groups": self.scoped_groups(scope_path),
            "tiles": self.tiles(scope_path, group_id),
            "counters": self.counters(scope_path),
            "roll_calls": self.roll_calls,
            "launch": self.launch,
            "feed": recent_feed(event.id, scope_path, self),
        }


def event_brief(event: Event) -> dict:
    """The event as a snapshot names it."""
    return {"id": event.id, "title": event.title, "status": event.status, "starts_at": epoch_ms(event.starts_at),
            "ends_at": epoch_ms(event.ends_at), "host_id": event.host_id}


def launch_payload_for(at) -> dict | None:
    if at is None:
        return None
    return {"type": "launch", "at": epoch_ms(at), "duration_ms": LAUNCH_SCREEN_SECONDS * 1000}


# The newest check-ins read to find which (bridge, minute) lines are the latest; their counts are then exact.
CHECKIN_SAMPLE = 500


def checkin_lines(checkins, limit: int) -> list[dict]:
    """The latest `limit` check-in lines (one per bridge and minute, summarise_checkins' shape) of these rows.

    Grouping every row of an event in SQL costs ~0.3 s at a province's 54,000 check-ins on SQLite (its date
    truncation is a Python function per row); instead the newest rows name the lines, and only those
    bridges' rows since the oldest of those minutes are counted."""
    keys: dict[tuple[int, int], None] = {}
    # Newest by id, the order they were written in (received_at is stamped as they are): the primary key's index
    # reads the newest of an event at once, where sorting by received_at read all a nation's 400,000 (~0.15 s).
    for bridge_id, received in checkins.order_by("-id").values_list("bridge_id", "received_at")[:CHECKIN_SAMPLE]:
        keys.setdefault((bridge_id, epoch_ms(received) // MINUTE_MS))
        if len(keys) >= limit:
            break
    if not keys:
        return []
    since = datetime.fromtimestamp(min(minute for _b, minute in keys) * MINUTE_MS / 1000, tz=UTC)
    counts: dict[tuple[int, int], int] = dict.fromkeys(keys, 0)
    last: dict[tuple[int, int], int] = {}
    rows = checkins.filter(bridge_id__in={b for b, _m in keys}, received_at__gte=since).order_by()
    for bridge_id, received in rows.values_list("bridge_id", "received_at"):
        at = epoch_ms(received)
        key = (bridge_id, at // MINUTE_MS)
        if key in counts:
            counts[key] += 1
            last[key] = max(last.get(key, at), at)
    names = dict(Bridge.objects.filter(id__in={b for b, _m in keys}).values_list("id", "name"))
    return [FeedLine(kind="checkin", at=last[key], bridge_id=key[0], bridge=names.get(key[0], ""),
                     count=counts[key]).as_dict() for key in keys if counts[key]]


def recent_feed(event_id: int, scope_path: str | None, board: EventBoard | None = None, limit: int = FEED_SIZE):
    """The latest happenings read back from the rows, for a board that (re)loads: newest first."""
    within = Q() if scope_path is None else Q(bridge__path__startswith=scope_path)
    items = checkin_lines(CheckIn.objects.filter(within, roll_call__session__event_id=event_id), limit)
    # Bridges and times first, the few names after: selecting whole rows with their bridges joined every one of a
    # nation's 40,000 bridge rows before keeping 30.
    intervals = ConnectionInterval.objects.filter(within, event_id=event_id).order_by()
    found = [
        ("bridge_checkin", BridgeCheckIn.objects.filter(within, event_id=event_id).order_by("-checked_in_at")
         .values_list("bridge_id", "checked_in_at")[:limit]),
        ("connected", intervals.order_by("-started_at").values_list("bridge_id", "started_at")[:limit]),
        ("disconnected", intervals.filter(ended_at__isnull=False).order_by("-ended_at")
         .values_list("bridge_id", "ended_at")[:limit]),
    ]
    found = [(kind, list(rows)) for kind, rows in found]
    names = dict(Bridge.objects.filter(id__in={b for _k, rows in found for b, _at in rows}).order_by()
                 .values_list("id", "name"))
    items += [feed_item(kind, at=at, bridge_id=b, bridge=names.get(b, "")) for kind, rows in found for b, at in rows]
    items += [feed_item("roll_call_opened", at=rc.opened_at, label=rc.label)
              for rc in RollCall.objects.filter(session__event_id=event_id).order_by("-opened_at")[:limit]]
    if board is not None and board.launch is not None:
        items.append({**feed_item("launch"), "at": board.launch["at"]})
    items = [i for i in items if i["at"] is not None and i["at"] <= now_ms() + 1000]
    items.sort(key=lambda i: i["at"], reverse=True)
    return summarise_checkins(items)[:limit]


def snapshot(event_id: int, scope_path: str | None, group: str | None = None) -> dict:
    """What a board of this scope shows now (in group mode, of the group with code `group`), read from the rows
    of that scope only."""
    return EventBoard.for_snapshot(event_id, scope_path, group).snapshot(scope_path, group)


scope_path_of = scope.scope_path_of  # the one rule lives in bridges.scope

