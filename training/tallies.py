"""The read model of an event's numbers: one `BridgeTally` row per event and bridge, and how they are counted.

Pages and the API (the reports page, `/api/attendance/events/{id}/report`, the training page) read these
rows and sum them per district per request; they never recount the event. The rows are kept fresh by
the notifications that feed the board: `attendance.live.changed` (check-in batches, roster ticks,
bridge check-ins, connections; with the own bridges of teachers who checked in at another one) marks its
bridges' rows, a roll call opened or closed and the completion rule mark the whole event, confirmations
and readiness tests mark their bridge (signals), certificates issued or revoked and overrides mark their
people's bridges, imports (`bridges.signals.written`) mark the bridges they wrote in every event.

Marking is on the hot paths, so it is one plain UPDATE per batch that skips rows already marked, and it
runs after the writer's commit: a mark skipped inside an uncommitted transaction could otherwise be
cleared by a reader that counts before that commit, and the change would be lost. A reader takes the
marked rows (its own token in `stale`, COUNTING or above), then counts (seeing every write committed
before), then stores the numbers and sets COUNTED only where its token is still there: a mark that came
meanwhile (MARKED) or a later reader's token wins, and the row is counted again. A
read recounts only marked rows (`fresh`); the read model is built whole in a page only when missing (the
first view) or when the invited bridges differ from its rows. While the event is under way, counting it
whole is the job worker's: `rebuild_task` (queued by a whole mark) and `refresh_due`, which every
db_worker runs each LIVE_REFRESH (core.jobs.periodic: connected minutes grow without a notification, and a
mark lost with its process is caught). `manage.py rebuild_tallies` and the end of `seed_demo` rebuild all.

Counting rules, stated once (reports.data's people rows follow the same ones):
- a bridge takes part when invited, and the host always (as on the board);
- confirmed and tested: `events.participation`; readiness: the invitation's latest readiness test;
- teachers "present" at a bridge are the check-ins recorded there, per roll call (as the board counts them);
  "flagged" ones are those attendance marked as one of many from one device (CheckIn.same_client);
- teachers expected: the board's `expected_teachers`;
- "teachers", "completed" and "certificates" follow the person's own (roster) bridge; completed is the
  verdict of `training.eligibility.evaluate`, certificates the valid ones.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task

from attendance.board import expected_teachers
from attendance.models import BridgeCheckIn, CheckIn
from attendance.presence import connected_seconds_by_bridge
from bridges.models import Bridge, Person
from bridges.tree import group_of_loading, path_ids, unit_order
from events import participation
from events.models import Event, Invitation, ReadinessTest

from .eligibility import evaluate
from .models import BridgeTally, Certificate, TallyState

# While an event is under way connected minutes grow without a notification: the job worker counts its
# tallies again whole this often (refresh_due); pages never do.
LIVE_REFRESH = timedelta(seconds=60)

COUNTED, MARKED, COUNTING = BridgeTally.COUNTED, BridgeTally.MARKED, BridgeTally.COUNTING
ROWS, STATE = BridgeTally._meta.db_table, TallyState._meta.db_table

FIELDS = ("path", "invited", "status", "confirmed", "tested", "readiness", "readiness_at", "readiness_problems",
          "checked_in_at", "headcount",
          "minutes", "expected", "roster", "present", "flagged", "teachers", "completed", "certificates",
          "counted_at")


def _participants(event: Event, bridge_ids: set[int] | None) -> dict[int, tuple]:
    """bridge id -> (invitation id, status, expected on the invitation) of the bridges taking part."""
    invitations = Invitation.objects.filter(event=event)
    if bridge_ids is not None:
        invitations = invitations.filter(bridge_id__in=bridge_ids)
    rows = {b: (i, s, e, p) for b, i, s, e, p in invitations.values_list("bridge_id", "id", "status",
                                                                         "expected_participants", "problem")}
    # Nobody invited: nothing to count rather than a lone host row.
    if event.host_id not in rows and (bridge_ids is None or event.host_id in bridge_ids) and (
            rows or Invitation.objects.filter(event=event).exists()):
        rows[event.host_id] = (None, Invitation.Status.CONFIRMED, None, "")
    return rows


def count(event: Event, bridge_ids: Iterable[int] | None = None, *, now: datetime | None = None) -> list[BridgeTally]:
    """The tallies of the event (or of these bridges only), counted from scratch; unsaved rows."""
    now = now or timezone.now()
    only = None if bridge_ids is None else set(bridge_ids)
    taking_part = _participants(event, only)

    evaluation = evaluate(event, now=now, bridge_ids=only)
    people: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for standing in evaluation.standings:
        counts = people[standing.bridge_id]
        counts[0] += 1
        counts[1] += standing.eligible
    certificates = Certificate.objects.filter(event=event, status=Certificate.Status.VALID, person__isnull=False)
    if only is not None:
        certificates = certificates.filter(person__bridge_id__in=only)
    certified = dict(certificates.values("person__bridge_id").annotate(n=Count("id"))
                     .values_list("person__bridge_id", "n"))

    ids = set(taking_part) | set(people) | set(certified)
    if not ids:
        return []
    info = {b: (path, expected) for b, path, expected in Bridge.objects.filter(pk__in=ids)
            .values_list("id", "path", "expected_participants")}
    roster = dict(Person.objects.filter(bridge_id__in=list(taking_part)).values("bridge_id")
                  .annotate(n=Count("id")).values_list("bridge_id", "n"))
    invitation_ids = [row[0] for row in taking_part.values() if row[0] is not None]
    latest: dict[int, tuple[datetime, bool]] = {}
    for invitation_id, at, ok in (ReadinessTest.objects.filter(invitation_id__in=invitation_ids)
                                  .order_by("invitation_id", "-at", "-id").values_list("invitation_id", "at", "ok")):
        latest.setdefault(invitation_id, (at, ok))
    checkins = BridgeCheckIn.objects.filter(event=event)
    present: dict[int, dict[str, int]] = defaultdict(dict)
    flagged: dict[int, dict[str, int]] = defaultdict(dict)
    rows = CheckIn.objects.filter(roll_call__session__event=event)
    if only is not None:
        checkins = checkins.filter(bridge_id__in=only)
        rows = rows.filter(bridge_id__in=only)
    checked = {b: (at, n) for b, at, n in checkins.values_list("bridge_id", "checked_in_at", "headcount")}
    for bridge_id, rc_id, n, same in (rows.values("bridge_id", "roll_call_id")
                                      .annotate(n=Count("id"), same=Count("id", filter=Q(same_client=True)))
                                      .values_list("bridge_id", "roll_call_id", "n", "same")):
        present[bridge_id][str(rc_id)] = n
        if same:
            flagged[bridge_id][str(rc_id)] = same
    seconds = connected_seconds_by_bridge(event.pk, event.starts_at, event.ends_at) if taking_part else {}

    tallies = []
    for bridge_id in sorted(ids):
        if bridge_id not in info:
            continue
        path, bridge_expected = info[bridge_id]
        part = taking_part.get(bridge_id)
        done = people.get(bridge_id, (0, 0))
        tally = BridgeTally(event=event, bridge_id=bridge_id, path=path, teachers=done[0], completed=done[1],
                            certificates=certified.get(bridge_id, 0), counted_at=now)
        if part is not None:
            invitation_id, status, inv_expected, problem = part
            test = latest.get(invitation_id)
            at, headcount = checked.get(bridge_id, (None, 0))
            tally.invited = True
            tally.status = status
            tally.confirmed = participation.is_confirmed(status, is_host=bridge_id == event.host_id)
            tally.tested = participation.is_tested(status)
            tally.readiness = "" if test is None else ("ok" if test[1] else "problem")
            tally.readiness_at = test[0] if test else None
            tally.readiness_problems = problem if test and not test[1] else ""
            tally.checked_in_at, tally.headcount = at, headcount
            tally.minutes = round(seconds.get(bridge_id, 0.0) / 60, 1)
            tally.roster = roster.get(bridge_id, 0)
            tally.expected = expected_teachers(inv_expected, bridge_expected, tally.roster)
            tally.present = present.get(bridge_id, {})
            tally.flagged = flagged.get(bridge_id, {})
        tallies.append(tally)
    return tallies


def rebuild(event: Event, *, now: datetime | None = None) -> int:
    """Count the event's tallies whole and store them; the number of rows."""
    now = now or timezone.now()
    token = _token()
    # Taken before the count starts: a whole mark that comes while we count sets MARKED again and is kept.
    TallyState.objects.filter(event=event).exclude(stale=COUNTED).update(stale=token)
    n = _store(event, None, now, token)
    with transaction.atomic():
        state = TallyState.objects.select_for_update().filter(event=event).first()
        if state is None:
            try:
                with transaction.atomic():
                    TallyState.objects.create(event=event, built_at=now)
            except IntegrityError:
                pass  # another reader's first build at the same moment: as good
        else:
            TallyState.objects.filter(pk=state.pk).update(built_at=now)
            TallyState.objects.filter(pk=state.pk, stale=token).update(stale=COUNTED)
    return n


def rebuild_all() -> int:
    """Every event's tallies (after an import or a seed); the number of events."""
    events = list(Event.objects.all())
    for event in events:
        rebuild(event)
    return len(events)


def _token() -> int:
    """What a reader writes in `stale` while it counts: its own, so that it stores only rows nobody marked
    or took over since (another reader, a mark)."""
    return random.randint(COUNTING, 32767)  # noqa: S311 - not a secret


def _store(event: Event, bridge_ids: list[int] | None, now: datetime, token: int | None = None) -> int:
    """Count these bridges (None: the whole event) and store what changed. The rows are first taken (`stale` =
    this reader's token), then counted (seeing every write committed before), then stored only where the token
    is still ours, and set COUNTED: a mark that came meanwhile (MARKED), or a later reader's token, wins and the
    row is counted again. Rows are updated in place, never deleted and written again, so no mark is lost."""
    token = token or _token()
    taken = BridgeTally.objects.filter(event=event)
    if bridge_ids is not None:
        taken = taken.filter(bridge_id__in=bridge_ids).exclude(stale=COUNTED)
    taken.update(stale=token)
    counted = {t.bridge_id: t for t in count(event, bridge_ids, now=now)}
    try:
        with transaction.atomic():
            mine = BridgeTally.objects.select_for_update().filter(event=event, stale=token)
            if bridge_ids is not None:
                mine = mine.filter(bridge_id__in=bridge_ids)
            stored = {t.bridge_id: t for t in mine}
            present = BridgeTally.objects.filter(event=event)
            if bridge_ids is not None:
                present = present.filter(bridge_id__in=bridge_ids)
            others = set(present.values_list("bridge_id", flat=True)) - set(stored)  # marked or another's
            changed, gone = [], []
            for bridge_id, row in stored.items():
                new = counted.pop(bridge_id, None)
                if new is None:
                    gone.append(row.pk)
                    continue
                if any(getattr(row, name) != getattr(new, name) for name in FIELDS if name != "counted_at"):
                    for name in FIELDS:
                        setattr(row, name, getattr(new, name))
                    changed.append(row)
            BridgeTally.objects.bulk_update(changed, FIELDS, batch_size=500)
            BridgeTally.objects.filter(pk__in=gone).delete()
            BridgeTally.objects.bulk_create([t for b, t in counted.items() if b not in others], batch_size=500)
            mine.update(stale=COUNTED)  # the rows locked above: still ours
    except IntegrityError:
        return 0  # a row another reader added meanwhile: ours keep the token, counted again on the next read
    return len(stored) - len(gone) + len(counted)


def under_way(event: Event, now: datetime) -> bool:
    """Connected minutes grow without a notification from the start to a while after the end."""
    return event.starts_at <= now <= event.ends_at + LIVE_REFRESH


def fresh(event: Event, *, now: datetime | None = None) -> None:
    """Make the event's tallies current. Built whole here when missing (the first view, or its rows lost), and
    outside the event's hours when marked whole or when the invited bridges differ from the rows (a bulk write
    that told nobody);
    while it is under way those are the job worker's (`rebuild_task`, queued by the whole mark, and
    `refresh_due` each minute), never a page's. Then only the rows marked since they were counted are
    counted again."""
    now = now or timezone.now()
    state = TallyState.objects.filter(event=event).values_list("stale", flat=True).first()
    invited, wanted = _invited(event)
    if state is None or (wanted and not invited):
        rebuild(event, now=now)  # missing: the first view
        return
    if state != COUNTED or invited != wanted:
        if not under_way(event, now):
            rebuild(event, now=now)
            return
        if state == COUNTED:
            mark(event.pk)  # a bulk write that told nobody: the worker counts it whole
    dirty = list(BridgeTally.objects.filter(event=event).exclude(stale=COUNTED).values_list("bridge_id", flat=True))
    if dirty:
        _store(event, dirty, now)


def _invited(event: Event) -> tuple[int, int]:
    """(rows of bridges taking part, bridges taking part): different after a bulk write that told nobody."""
    invited = BridgeTally.objects.filter(event=event, invited=True).count()
    wanted = Invitation.objects.filter(event=event).count()
    if wanted and not Invitation.objects.filter(event=event, bridge_id=event.host_id).exists():
        wanted += 1  # the host takes part without an invitation
    return invited, wanted


def rows(event: Event, *, path: str | None = None, tier_code: str | None = None) -> list[BridgeTally]:
    """The event's current tallies within a subtree (None: all) and of one tier (None: all)."""
    fresh(event)
    qs = BridgeTally.objects.filter(event=event)
    if path:
        qs = qs.filter(path__startswith=path)
    if tier_code:
        qs = qs.filter(bridge__tier__code=tier_code)
    return list(qs.order_by("path", "bridge_id"))


def people_counts(event: Event, *, path: str | None = None) -> list[tuple[int, int, int]]:
    """(bridge id, people the rule judges there, how many of them are eligible) per bridge within a subtree,
    current, in the eligibility list's order (the bridge's path): how `training.eligibility_list` finds the
    bridges that hold a page."""
    fresh(event)
    qs = BridgeTally.objects.filter(event=event, teachers__gt=0)
    if path:
        qs = qs.filter(path__startswith=path)
    return list(qs.order_by("path", "bridge_id").values_list("bridge_id", "teachers", "completed"))


def mark(event_id: int, bridge_ids: Iterable[int] | None = None, *, homes: Iterable[int] = (),
         new_rows: bool = True) -> None:
    """Something these bridges' numbers depend on changed (None: the whole event's); `homes`, the own bridges
    of people who checked in elsewhere (their "completed" follows them home). Done after the caller's commit
    (see the module's docstring): one plain UPDATE that skips rows already marked. With `new_rows`, or
    for a home bridge, a bridge without a row yet (newly invited, its first teacher counted) marks the whole
    event. A whole mark queues `rebuild_task`."""
    if bridge_ids is None:
        transaction.on_commit(lambda: _mark_whole(event_id), robust=True)
        return
    ids = set(bridge_ids)
    away = set(homes) - ids
    ids |= away
    if ids:
        transaction.on_commit(lambda: _mark_rows(event_id, sorted(ids), ids if new_rows else away), robust=True)


def _mark_rows(event_id: int, ids: list[int], must_exist: set[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ROWS} SET stale = %s WHERE event_id = %s AND bridge_id IN ({', '.join(['%s'] * len(ids))}) "  # noqa: S608
            "AND stale <> %s", [MARKED, event_id, *ids, MARKED])
    if must_exist and BridgeTally.objects.filter(event_id=event_id, bridge_id__in=must_exist).count() < len(must_exist):
        _mark_whole(event_id)


def _mark_whole(event_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {STATE} SET stale = %s WHERE event_id = %s AND stale <> %s",  # noqa: S608
                       [MARKED, event_id, MARKED])
        marked = cursor.rowcount
    if marked:
        rebuild_task.enqueue(event_id)


def mark_people(event_id: int, person_ids: Iterable[int]) -> None:
    """Certificates or overrides of these people changed: their own bridges' rows."""
    ids = list(set(person_ids))
    if ids:
        mark(event_id, Person.objects.filter(pk__in=ids).values_list("bridge_id", flat=True).distinct())


def mark_bridges(bridge_ids: Iterable[int]) -> None:
    """Rosters or bridges written in bulk (imports): these bridges' rows in every event, one UPDATE after commit.
    A bridge without rows is neither invited nor counted anywhere: nothing to mark."""
    ids = sorted(set(bridge_ids))
    if not ids:
        return

    def run():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {ROWS} SET stale = %s WHERE bridge_id IN ({', '.join(['%s'] * len(chunk))}) "  # noqa: S608
                               "AND stale <> %s", [MARKED, *chunk, MARKED])

    transaction.on_commit(run, robust=True)


@task()
def rebuild_task(event_id: int) -> int:
    """A whole mark (roll call opened or closed, the rule saved) in the job worker: the event counted whole."""
    event = Event.objects.filter(pk=event_id).first()
    return rebuild(event) if event is not None else 0


def refresh_due(now: datetime | None = None) -> int:
    """The safety net, each LIVE_REFRESH in every db_worker (core.jobs.periodic): events under way counted whole
    (connected minutes grow without a notification; a mark lost with its process), and events marked whole
    whose task did not run. Each event is claimed first (a conditional UPDATE), so two workers count it once."""
    now = now or timezone.now()
    due = 0
    live = Event.objects.filter(starts_at__lte=now, ends_at__gte=now - LIVE_REFRESH).values_list("pk", flat=True)
    candidates = set(TallyState.objects.filter(Q(event_id__in=list(live), built_at__lt=now - LIVE_REFRESH)
                                               | Q(stale=MARKED, built_at__lt=now - LIVE_REFRESH))
                     .values_list("event_id", flat=True))
    for event_id in sorted(candidates):
        built = TallyState.objects.filter(event_id=event_id).values_list("built_at", flat=True).first()
        if built is None or not TallyState.objects.filter(event_id=event_id, built_at=built).update(built_at=now):
            continue  # another worker took it
        event = Event.objects.filter(pk=event_id).first()
        if event is not None:
            rebuild(event, now=now)
            due += 1
    return due


def completion_by_district(event: Event, *, path: str | None = None) -> tuple[list[dict], dict]:
    """Teachers, completed and certificates per district (bridges.tree.group_of, in the tree's order) and in
    total, within a subtree: the training page's table, summed from the tallies."""
    counted = [t for t in rows(event, path=path) if t.teachers or t.certificates]
    ids = {i for t in counted for i in path_ids(t.path)}
    ancestors = {b["id"]: b for b in Bridge.objects.filter(pk__in=ids).values("id", "code", "name", "tier__role")}
    groups: dict[int, dict] = {}
    total = {"name": "", "teachers": 0, "completed": 0, "certificates": 0}
    for tally in counted:
        district = group_of_loading(tally.path, ancestors)
        if district is None:
            continue
        group = groups.setdefault(district["id"], {"id": district["id"], "code": district["code"],
                                                   "name": district["name"], "teachers": 0, "completed": 0,
                                                   "certificates": 0})
        for target in (group, total):
            target["teachers"] += tally.teachers
            target["completed"] += tally.completed
            target["certificates"] += tally.certificates
    ordered = sorted(groups.values(), key=lambda g: (g["id"] != event.host_id, unit_order(g["code"], g["name"])))
    return ordered, total
