"""Who has completed a training, and why (or why not), computed with a handful of aggregate queries.

M is the number of roll calls held so far in the sessions that count toward completion (if no session
is marked as counting, every session counts). A person is present at a roll call when a CheckIn of
theirs exists for it, wherever they checked in. Connected time is that of the person's home bridge or
of a bridge they checked in at, whichever is higher, over the counting sessions' length so far. An
organizer's override beats the rule.

`evaluate(event, scope_path=...)` restricts the people evaluated to a subtree in SQL (a district officer's
call reads its district's rows, not the nation's); the translated reasons of a standing are built when
they are read (`Standing.reasons`), i.e. for the rows a page or answer shows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attendance.models import CheckIn, RollCall
from attendance.presence import connected_seconds_by_bridge
from bridges.models import Person
from events.models import Event, Invitation, Session

from .models import CompletionRule, Override


@dataclass
class HeldRollCall:
    id: int
    label: str
    ended: bool


@dataclass(slots=True)  # no __dict__ each: a province builds 17,878 of them per list
class Standing:
    person_id: int
    full_name: str
    teacher_id: str
    birth_date: date | None
    bridge_id: int
    school_name: str
    bridge_path: str
    name_key: str = ""  # Person.name_key: folded name for search
    present: int = 0
    attended: int = 0  # bit i set: present at held_roll_calls[i] (an int, not a set: nothing for the GC to walk)
    connected_percent: float | None = None
    by_rule: bool = False
    override: Override | None = None
    rule: CompletionRule | None = field(default=None, repr=False)
    held: int = 0
    language: str | None = field(default=None, repr=False)  # the one active when judged: the reasons' language
    held_roll_calls: tuple[HeldRollCall, ...] = field(default=(), repr=False)  # shared by every standing
    _reasons: list[str] | None = field(default=None, repr=False)

    @property
    def missed(self) -> list[str]:
        """Labels of the held roll calls they were absent from (read for the rows shown, not for everyone)."""
        return [rc.label for i, rc in enumerate(self.held_roll_calls) if not self.attended >> i & 1]

    @property
    def eligible(self) -> bool:
        return self.override.eligible if self.override is not None else self.by_rule

    @property
    def reasons(self) -> list[str]:
        """Why (not), in the language active when judged; built on first reading (a nation has 1,000,000
        standings, a page shows a few)."""
        if self._reasons is None:
            if self.rule is None:
                self._reasons = []
            else:
                with translation.override(self.language):
                    self._reasons = _reasons(self, self.rule, self.held)
        return self._reasons

    @property
    def explanation(self) -> str:
        return " · ".join(self.reasons)


@dataclass
class Report:
    event: Event
    rule: CompletionRule
    roll_calls: list[HeldRollCall]
    standings: list[Standing]
    session_seconds: float

    @property
    def held(self) -> int:
        return len(self.roll_calls)

    @property
    def completed(self) -> int:
        return sum(1 for rc in self.roll_calls if rc.ended)

    @property
    def open_roll_calls(self) -> list[str]:
        return [rc.label for rc in self.roll_calls if not rc.ended]

    @property
    def eligible_count(self) -> int:
        return sum(1 for s in self.standings if s.eligible)

    def within(self, path_prefix: str | None) -> list[Standing]:
        if not path_prefix:
            return self.standings
        return [s for s in self.standings if s.bridge_path.startswith(path_prefix)]


def counting_sessions(event: Event) -> list[Session]:
    sessions = list(event.sessions.all())
    counting = [s for s in sessions if s.counts_for_completion]
    return counting or sessions


def rule_for(event: Event) -> CompletionRule:
    """The event's rule, or an unsaved empty one (= present at every roll call held)."""
    return CompletionRule.objects.filter(event=event).first() or CompletionRule(event=event)


def describe_rule(rule: CompletionRule) -> str:
    parts = []
    if rule.min_roll_calls is not None:
        parts.append(_("present at %(n)s or more roll calls") % {"n": rule.min_roll_calls})
    if rule.min_connected_percent is not None:
        parts.append(_("bridge connected for %(x)s%% or more of the session time") % {"x": rule.min_connected_percent})
    if not parts:
        return _("present at every roll call held")
    joiner = _(" and ") if rule.combine == CompletionRule.Combine.AND else _(" or ")
    return joiner.join(parts)


def _held_roll_calls(sessions: list[Session], now: datetime) -> list[HeldRollCall]:
    calls = RollCall.objects.filter(session__in=sessions, opened_at__lte=now).order_by("opened_at", "id")
    return [HeldRollCall(rc.id, rc.label, rc.ends_at() <= now) for rc in calls]


def held_roll_calls(event: Event, *, now: datetime | None = None) -> list[HeldRollCall]:
    """The roll calls held so far in the sessions that count (M of the rule), without judging anyone."""
    return _held_roll_calls(counting_sessions(event), now or timezone.now())


def _connected_percent_by_bridge(event: Event, sessions: list[Session], now: datetime) -> tuple[dict[int, float], float]:
    seconds: dict[int, float] = defaultdict(float)
    total = 0.0
    for session in sessions:
        end = min(session.ends_at, now)
        if end <= session.starts_at:
            continue
        total += (end - session.starts_at).total_seconds()
        for bridge_id, value in connected_seconds_by_bridge(event.pk, session.starts_at, end).items():
            seconds[bridge_id] += value
    if not total:
        return {}, 0.0
    return {bridge_id: min(100.0, 100.0 * value / total) for bridge_id, value in seconds.items()}, total


def _candidates(event: Event, held_ids: list[int], bridge_ids=None, scope_path: str | None = None,
                matching: Q | None = None) -> list[Standing]:
    """People on the rosters of invited bridges, plus anyone who checked in or was overridden (only those
    whose own bridge is among `bridge_ids`, and in the subtree at `scope_path`, when given)."""
    # Correlated EXISTS, not `id IN (subquery)`: PostgreSQL hashes an IN subquery only when it fits work_mem,
    # and an OR of them cannot become a join, so a nation's 400,000 check-ins were scanned again for each of
    # 1,000,000 people (minutes; bench/bench_nation.py). EXISTS probes the indexes, ~1.5 s for the nation.
    who = Q(Exists(Invitation.objects.filter(event=event, bridge_id=OuterRef("bridge_id"))))
    who |= Q(Exists(CheckIn.objects.filter(roll_call_id__in=held_ids, person_id=OuterRef("pk"))))
    who |= Q(Exists(Override.objects.filter(event=event, person_id=OuterRef("pk"))))
    people = Person.objects.filter(who)
    if bridge_ids is not None:
        people = people.filter(bridge_id__in=list(bridge_ids))
    if scope_path:
        people = people.filter(bridge__path__startswith=scope_path)
    if matching is not None:
        people = people.filter(matching)
    rows = (
        people
        .order_by("bridge__path", "name_key", "id")
        .values_list("id", "full_name", "teacher_id", "birth_date", "bridge_id", "bridge__name", "bridge__path",
                     "name_key")
    )
    return [Standing(*row) for row in rows]


class _Verdict:
    """The rule's verdict on a standing, with what does not change per person worked out once (a province
    judges 17,878 people per list; asking Django for the active language alone was a fifth of it)."""

    def __init__(self, rule: CompletionRule, held_roll_calls: list[HeldRollCall]):
        self.rule, self.held = rule, len(held_roll_calls)
        self.held_roll_calls = tuple(held_roll_calls)
        self.language = translation.get_language()
        needs_all = rule.min_roll_calls is None and rule.min_connected_percent is None
        # None: the roll-call condition is not part of the rule; 0 held roll calls: not met by anyone.
        self.needed = None if not (needs_all or rule.min_roll_calls is not None) else (
            self.held if needs_all else rule.min_roll_calls)
        self.min_percent = rule.min_connected_percent
        self.any_of = rule.combine == CompletionRule.Combine.OR

    def judge(self, standing: Standing) -> None:
        """`_reasons` says the same in words, when the standing's reasons are read."""
        standing.rule, standing.held, standing.language = self.rule, self.held, self.language
        standing.held_roll_calls = self.held_roll_calls
        conditions = []
        if self.held == 0:
            conditions.append(False)
        elif self.needed is not None:
            conditions.append(standing.present >= self.needed)
        if self.min_percent is not None:
            conditions.append((standing.connected_percent or 0.0) >= self.min_percent)
        standing.by_rule = any(conditions) if self.any_of else bool(conditions) and all(conditions)


def _reasons(standing: Standing, rule: CompletionRule, held: int) -> list[str]:
    """The conditions `_Verdict.judge` weighed, in words, the organizer's decision first."""
    reasons = []
    needs_all = rule.min_roll_calls is None and rule.min_connected_percent is None
    if held == 0:
        reasons.append(_("no roll call has been held yet"))
    elif needs_all or rule.min_roll_calls is not None:
        needed = held if needs_all else rule.min_roll_calls
        reasons.append(_("present at %(present)s of %(held)s roll calls (needs %(needed)s)") % {
            "present": standing.present, "held": held, "needed": needed})
    if rule.min_connected_percent is not None:
        reasons.append(_("bridge connected %(percent)s%% of the time (needs %(needed)s%%)") % {
            "percent": round(standing.connected_percent or 0.0), "needed": rule.min_connected_percent})
    if standing.missed:
        reasons.append(_("missed roll calls: %(labels)s") % {"labels": ", ".join(standing.missed)})
    if standing.override is not None:
        verdict = _("eligible") if standing.override.eligible else _("not eligible")
        reasons.insert(0, _("organizer's decision: %(verdict)s (%(reason)s)") % {
            "verdict": verdict, "reason": standing.override.reason})
    return reasons


def evaluate(event: Event, *, now: datetime | None = None, bridge_ids=None, scope_path: str | None = None,
             matching: Q | None = None) -> Report:
    """Everyone's standing; with `bridge_ids`, only the people whose own bridge is one of them (the tallies
    recount a few bridges after a notification); with `scope_path` (`bridges.scope.scope_path_of`), only the
    people whose own bridge is in that subtree, read from that subtree's rows; with `matching` (a Q on Person),
    only the people it selects (a search judges its matches, not the province)."""
    now = now or timezone.now()
    rule = rule_for(event)
    sessions = counting_sessions(event)
    roll_calls = _held_roll_calls(sessions, now)
    held_ids = [rc.id for rc in roll_calls]

    standings = _candidates(event, held_ids, bridge_ids, scope_path, matching)
    bit = {rc_id: 1 << i for i, rc_id in enumerate(held_ids)}
    present: dict[int, int] = defaultdict(int)
    bridges_seen: dict[int, set[int]] = defaultdict(set)
    checkins = CheckIn.objects.filter(roll_call_id__in=held_ids)
    if bridge_ids is not None:
        checkins = checkins.filter(person_id__in=[s.person_id for s in standings])
    overrides = Override.objects.filter(event=event)
    if matching is not None:
        checkins = checkins.filter(person__in=Person.objects.filter(matching).values("pk"))
        overrides = overrides.filter(person__in=Person.objects.filter(matching).values("pk"))
    if scope_path:
        checkins = checkins.filter(person__bridge__path__startswith=scope_path)
        overrides = overrides.filter(person__bridge__path__startswith=scope_path)
    # Only check-ins away from home are kept per person: the home bridge is the standing's own (fewer sets
    # to build and collect: a province's list is 17,878 people and ~50,000 check-ins).
    home = {s.person_id: s.bridge_id for s in standings}
    for person_id, roll_call_id, bridge_id in checkins.values_list(
            "person_id", "roll_call_id", "bridge_id"):
        present[person_id] |= bit[roll_call_id]
        if bridge_id != home.get(person_id, bridge_id):
            bridges_seen[person_id].add(bridge_id)
    percent_by_bridge, session_seconds = _connected_percent_by_bridge(event, sessions, now)
    overrides = {o.person_id: o for o in overrides.select_related("by")}

    verdict = _Verdict(rule, roll_calls)
    for standing in standings:
        attended = present.get(standing.person_id, 0)
        standing.attended, standing.present = attended, attended.bit_count()
        if session_seconds:
            standing.connected_percent = percent_by_bridge.get(standing.bridge_id, 0.0)
            for elsewhere in bridges_seen.get(standing.person_id, ()):
                standing.connected_percent = max(standing.connected_percent, percent_by_bridge.get(elsewhere, 0.0))
        standing.override = overrides.get(standing.person_id)
        verdict.judge(standing)
    return Report(event=event, rule=rule, roll_calls=roll_calls, standings=standings, session_seconds=session_seconds)
