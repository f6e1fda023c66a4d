"""An event's attendance numbers for reports, computed once from the database.

A fixed handful of queries whatever the size of the event (invitations, rosters, check-ins,
readiness tests, bridge check-ins, connection intervals, certificates) plus the training app's
eligibility evaluation, which is the one place that says who completed. Other rules are reused as
they are: which bridges count as confirmed or tested (events.participation), how many teachers a
bridge is expected to bring (the board's) and which district a bridge belongs to (bridges.tree.group_of).

The counting rules per bridge are stated once in `training.tallies` (the read model): `summarise`
reads its rows and sums them per district, which is what the reports page and the report API show;
`build` (the workbook, with every bridge and every teacher) counts the same way from the database, and
tests/test_report_tallies.py holds the two equal. Stated here: the attendance rate is the mean, over the
roll calls shown, of present / expected.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count
from django.utils import timezone

from attendance.board import expected_teachers
from attendance.models import BridgeCheckIn, CheckIn, RollCall
from attendance.presence import connected_seconds_by_bridge
from bridges.models import Bridge, Person
from bridges.tree import group_of_loading as district_of
from bridges.tree import unit_order
from events import participation
from events.models import Event, Invitation, ReadinessTest
from training import tallies
from training.eligibility import describe_rule, evaluate, rule_for
from training.models import Certificate

from .filters import ReportFilters


@dataclass
class RollCallInfo:
    id: int
    label: str
    opened_at: datetime
    held: bool


@dataclass
class BridgeRow:
    id: int
    code: str
    name: str
    path: str
    tier_code: str
    tier_label: str
    district_id: int
    district_name: str
    status: str
    status_label: str
    confirmed: bool
    tested: bool
    readiness: str  # "ok", "problem", "" (not tested)
    readiness_problems: str
    readiness_at: datetime | None
    head_name: str
    head_phone: str
    tech_name: str
    tech_phone: str
    email: str
    checked_in_at: datetime | None
    headcount: int
    minutes: float
    expected: int
    roster: int
    present: dict[int, int] = field(default_factory=dict)
    flagged: int = 0
    # Of the people whose own bridge this is (set by `summarise`; the workbook counts them per person).
    teachers: int = 0
    completed: int = 0
    certificates: int = 0


@dataclass
class PersonRow:
    id: int
    teacher_id: str
    full_name: str
    birth_date: date | None
    subject: str
    bridge_id: int
    school_name: str
    district_name: str
    checkins: dict[int, datetime] = field(default_factory=dict)
    flagged: set[int] = field(default_factory=set)  # roll calls whose check-in is flagged
    eligible: bool = False
    certificate: str = ""


@dataclass
class GroupRow:
    """A district (or the total): counts over its bridges and people."""

    id: int | None
    code: str
    name: str
    invited: int = 0
    confirmed: int = 0
    tested: int = 0
    checked_in: int = 0
    minutes: float = 0.0
    expected: int = 0
    headcount: int = 0
    present: dict[int, int] = field(default_factory=dict)
    flagged: int = 0
    teachers: int = 0
    completed: int = 0
    certificates: int = 0

    def add_bridge(self, row: BridgeRow) -> None:
        self.invited += 1
        self.confirmed += row.confirmed
        self.tested += row.tested
        self.checked_in += row.checked_in_at is not None
        self.minutes += row.minutes
        self.expected += row.expected
        self.headcount += row.headcount
        self.flagged += row.flagged
        for rc_id, n in row.present.items():
            self.present[rc_id] = self.present.get(rc_id, 0) + n

    def add_person(self, row: PersonRow) -> None:
        self.teachers += 1
        self.completed += row.eligible
        self.certificates += bool(row.certificate)

    @property
    def mean_minutes(self) -> float:
        return self.minutes / self.invited if self.invited else 0.0


def share(part: float, whole: float) -> float | None:
    """A fraction for a percentage cell; None when there is nothing to divide by."""
    return part / whole if whole else None


def attendance_rate(group: GroupRow, roll_call_ids: list[int]) -> float | None:
    if not group.expected or not roll_call_ids:
        return None
    return sum(group.present.get(rc, 0) for rc in roll_call_ids) / (group.expected * len(roll_call_ids))


@dataclass
class AttendanceReport:
    event: Event
    filters: ReportFilters
    generated_at: datetime
    roll_calls: list[RollCallInfo]
    bridges: list[BridgeRow]
    people: list[PersonRow]
    groups: list[GroupRow]
    total: GroupRow
    rule_text: str = ""

    @property
    def roll_call_ids(self) -> list[int]:
        return [rc.id for rc in self.roll_calls]

    @property
    def held_ids(self) -> list[int]:
        return [rc.id for rc in self.roll_calls if rc.held]

    @property
    def is_empty(self) -> bool:
        return not self.bridges and not self.people

    def rate(self, group: GroupRow) -> float | None:
        return attendance_rate(group, self.held_ids)


def _in_scope(path: str, filters: ReportFilters) -> bool:
    return filters.path is None or path.startswith(filters.path)


def _roll_calls(event: Event, filters: ReportFilters, now: datetime) -> list[RollCallInfo]:
    calls = RollCall.objects.filter(session__event=event).order_by("opened_at", "id")
    if filters.roll_call_ids:
        calls = calls.filter(pk__in=filters.roll_call_ids)
    return [RollCallInfo(rc.id, rc.label, rc.opened_at, rc.opened_at <= now) for rc in calls]


def _invited_rows(event: Event) -> list[tuple]:
    fields = ("bridge_id", "id", "status", "expected_participants", "problem")
    rows = [tuple(r) for r in Invitation.objects.filter(event=event).values_list(*fields)]
    # Nobody invited: nothing to report (the workbook says so) rather than a lone host row.
    if rows and event.host_id not in {r[0] for r in rows}:
        # The host takes part without an invitation (as on the board).
        rows.append((event.host_id, None, Invitation.Status.CONFIRMED, None, ""))
    return rows


def _latest_readiness(event: Event) -> dict[int, tuple[datetime, bool]]:
    """(time, passed) of each invitation's latest readiness test."""
    latest: dict[int, tuple[datetime, bool]] = {}
    tests = ReadinessTest.objects.filter(invitation__event=event).order_by("invitation_id", "-at", "-id")
    for invitation_id, at, ok in tests.values_list("invitation_id", "at", "ok"):
        latest.setdefault(invitation_id, (at, ok))
    return latest


def build(event: Event, filters: ReportFilters, *, now: datetime | None = None) -> AttendanceReport:
    now = now or timezone.now()
    roll_calls = _roll_calls(event, filters, now)
    shown_ids = {rc.id for rc in roll_calls}

    invited = _invited_rows(event)
    bridge_fields = ("id", "code", "name", "path", "tier__code", "tier__label", "head_name", "head_phone",
                     "tech_name", "tech_phone", "email", "expected_participants")
    bridge_info = {row[0]: row for row in Bridge.objects.filter(pk__in=[r[0] for r in invited])
                   .values_list(*bridge_fields)}
    ancestor_ids = {int(p) for info in bridge_info.values() for p in info[3].strip("/").split("/") if p}
    ancestors = {b["id"]: b for b in Bridge.objects.filter(pk__in=ancestor_ids).values("id", "code", "name", "tier__role")}
    readiness = _latest_readiness(event)
    checkins = {b: (at, n) for b, at, n in BridgeCheckIn.objects.filter(event=event)
                .values_list("bridge_id", "checked_in_at", "headcount")}
    roster = dict(Person.objects.filter(bridge_id__in=list(bridge_info)).values("bridge_id")
                  .annotate(n=Count("id")).values_list("bridge_id", "n"))
    seconds = connected_seconds_by_bridge(event.pk, event.starts_at, event.ends_at)
    status_labels = dict(Invitation.Status.choices)

    # Check-ins of the roll calls shown: per bridge where they happened, and per person.
    present_at: dict[int, dict[int, int]] = defaultdict(dict)
    person_checkins: dict[int, dict[int, datetime]] = defaultdict(dict)
    flagged_at: dict[int, int] = defaultdict(int)
    person_flags: dict[int, set[int]] = defaultdict(set)
    if shown_ids:
        for person_id, rc_id, bridge_id, at, same_client in CheckIn.objects.filter(
                roll_call_id__in=shown_ids).values_list("person_id", "roll_call_id", "bridge_id", "at", "same_client"):
            counts = present_at[bridge_id]
            counts[rc_id] = counts.get(rc_id, 0) + 1
            person_checkins[person_id][rc_id] = at
            if same_client:
                flagged_at[bridge_id] += 1
                person_flags[person_id].add(rc_id)

    groups: dict[int, GroupRow] = {}
    bridges: list[BridgeRow] = []
    district_by_bridge: dict[int, dict] = {}
    for bridge_id, invitation_id, status, inv_expected, problem in invited:
        info = bridge_info.get(bridge_id)
        if info is None:
            continue
        (_id, code, name, path, tier_code, tier_label, head_name, head_phone, tech_name, tech_phone, email,
         bridge_expected) = info
        district = district_of(path, ancestors) or {"id": bridge_id, "code": code, "name": name}
        district_by_bridge[bridge_id] = district
        if not _in_scope(path, filters) or (filters.tier and tier_code != filters.tier.code):
            continue
        test = readiness.get(invitation_id)
        tested = participation.is_tested(status)
        checkin = checkins.get(bridge_id)
        row = BridgeRow(
            id=bridge_id, code=code, name=name, path=path, tier_code=tier_code, tier_label=tier_label,
            district_id=district["id"], district_name=district["name"], status=status,
            status_label=str(status_labels.get(status, status)),
            confirmed=participation.is_confirmed(status, is_host=bridge_id == event.host_id), tested=tested,
            readiness="" if test is None else ("ok" if test[1] else "problem"),
            readiness_problems=problem if test and not test[1] else "", readiness_at=test[0] if test else None,
            head_name=head_name, head_phone=head_phone, tech_name=tech_name, tech_phone=tech_phone, email=email,
            checked_in_at=checkin[0] if checkin else None, headcount=checkin[1] if checkin else 0,
            minutes=round(seconds.get(bridge_id, 0.0) / 60, 1),
            expected=expected_teachers(inv_expected, bridge_expected, roster.get(bridge_id, 0)),
            roster=roster.get(bridge_id, 0), present=dict(present_at.get(bridge_id, {})),
            flagged=flagged_at.get(bridge_id, 0),
        )
        bridges.append(row)
        group = groups.setdefault(district["id"], GroupRow(district["id"], district["code"], district["name"]))
        group.add_bridge(row)

    # People: those the training's eligibility considers (rosters of invited bridges, plus anyone who
    # checked in or was given an override), with the verdict computed there.
    evaluation = evaluate(event, now=now)
    tier_bridges = None
    if filters.tier is not None:
        tier_bridges = set(Bridge.objects.filter(tier=filters.tier).values_list("pk", flat=True))
    people_q = Person.objects.all()
    if filters.path:
        people_q = people_q.filter(bridge__path__startswith=filters.path)
    subjects = dict(people_q.values_list("pk", "subject"))
    certificates = _certificates(event)
    people: list[PersonRow] = []
    for standing in evaluation.standings:
        if not _in_scope(standing.bridge_path, filters):
            continue
        if tier_bridges is not None and standing.bridge_id not in tier_bridges:
            continue
        district = district_by_bridge.get(standing.bridge_id) or district_of(standing.bridge_path, ancestors)
        row = PersonRow(
            id=standing.person_id, teacher_id=standing.teacher_id, full_name=standing.full_name,
            birth_date=standing.birth_date, subject=subjects.get(standing.person_id, ""),
            bridge_id=standing.bridge_id, school_name=standing.school_name,
            district_name=district["name"] if district else "",
            checkins=person_checkins.get(standing.person_id, {}), flagged=person_flags.get(standing.person_id, set()),
            eligible=standing.eligible,
            certificate=certificates.get(standing.person_id, ""),
        )
        people.append(row)
        if district is not None:
            group = groups.setdefault(district["id"], GroupRow(district["id"], district["code"], district["name"]))
            group.add_person(row)

    # The host's own row first, then the districts by code (as on the board).
    ordered = sorted(groups.values(), key=lambda g: (g.id != event.host_id, unit_order(g.code, g.name)))
    total = GroupRow(None, "", "")
    for row in bridges:
        total.add_bridge(row)
    for row in people:
        total.add_person(row)
    return AttendanceReport(
        event=event, filters=filters, generated_at=now, roll_calls=roll_calls, bridges=bridges, people=people,
        groups=ordered, total=total, rule_text=describe_rule(evaluation.rule),
    )


def _certificates(event: Event) -> dict[int, str]:
    return dict(Certificate.objects.filter(event=event, status=Certificate.Status.VALID, person__isnull=False)
                .values_list("person_id", "number"))


def summarise(event: Event, filters: ReportFilters, *, now: datetime | None = None) -> AttendanceReport:
    """The report's numbers per bridge and district from the read model (`training.tallies`), without
    people rows: what the reports page and `/api/attendance/events/{id}/report` show."""
    now = now or timezone.now()
    roll_calls = _roll_calls(event, filters, now)
    shown = [str(rc.id) for rc in roll_calls]
    rows = tallies.rows(event, path=filters.path, tier_code=filters.tier.code if filters.tier else None)
    ancestor_ids = {int(p) for t in rows for p in t.path.strip("/").split("/") if p}
    ancestors = {b["id"]: b for b in Bridge.objects.filter(pk__in=ancestor_ids).values("id", "code", "name", "tier__role")}
    invited = [t.bridge_id for t in rows if t.invited]
    fields = ("id", "code", "name", "tier__code", "tier__label", "head_name", "head_phone", "tech_name",
              "tech_phone", "email")
    info = {r[0]: r for r in Bridge.objects.filter(pk__in=invited).values_list(*fields)}
    status_labels = dict(Invitation.Status.choices)
    groups: dict[int, GroupRow] = {}
    total = GroupRow(None, "", "")
    bridges: list[BridgeRow] = []
    for t in rows:
        district = district_of(t.path, ancestors)
        if district is None:
            continue
        group = groups.setdefault(district["id"], GroupRow(district["id"], district["code"], district["name"]))
        for target in (group, total):
            target.teachers += t.teachers
            target.completed += t.completed
            target.certificates += t.certificates
        if not t.invited or t.bridge_id not in info:
            continue
        _id, code, name, tier_code, tier_label, head_name, head_phone, tech_name, tech_phone, email = info[t.bridge_id]
        row = BridgeRow(
            id=t.bridge_id, code=code, name=name, path=t.path, tier_code=tier_code, tier_label=tier_label,
            district_id=district["id"], district_name=district["name"], status=t.status,
            status_label=str(status_labels.get(t.status, t.status)), confirmed=t.confirmed, tested=t.tested,
            readiness=t.readiness, readiness_problems=t.readiness_problems, readiness_at=t.readiness_at,
            head_name=head_name, head_phone=head_phone, tech_name=tech_name, tech_phone=tech_phone, email=email,
            checked_in_at=t.checked_in_at, headcount=t.headcount, minutes=t.minutes, expected=t.expected,
            roster=t.roster, present={int(k): n for k, n in t.present.items() if k in shown},
            flagged=sum(n for k, n in t.flagged.items() if k in shown),
            teachers=t.teachers, completed=t.completed, certificates=t.certificates,
        )
        bridges.append(row)
        group.add_bridge(row)
        total.add_bridge(row)
    bridges.sort(key=lambda b: (b.path, b.id))
    ordered = sorted(groups.values(), key=lambda g: (g.id != event.host_id, unit_order(g.code, g.name)))
    return AttendanceReport(
        event=event, filters=filters, generated_at=now, roll_calls=roll_calls, bridges=bridges, people=[],
        groups=ordered, total=total, rule_text=describe_rule(rule_for(event)),
    )
