"""An event with known attendance on the small tree (conftest), built with bulk_create, for report tests."""

from datetime import timedelta

from django.utils import timezone

from attendance.models import BridgeCheckIn, CheckIn, ConnectionInterval, RollCall
from bridges.models import Person
from events.models import Event, Invitation, ReadinessTest, Session
from training.models import Certificate

# Who was present at which of the two roll calls held (by teacher_id of the small tree: 0<district><school><k>).
PRESENT = {
    1: ["0BS10", "0BS11", "0BS12", "0BS20", "0BS21", "0TN10", "0TN11", "0TN12"],
    2: ["0BS10", "0BS11", "0BS12", "0BS20", "0TN10", "0TN11"],
}
FORMULA_NAME = "=HYPERLINK(\"http://evil.example\",\"x\")"


def make_attended_event(tree, *, title="Tập huấn kỹ năng số", invite=("BS", "TN", "BS-S1", "BS-S2", "TN-S1", "TN-S2")):
    now = timezone.now()
    start = now - timedelta(hours=3)
    event = Event.objects.create(title=title, kind=Event.Kind.TRAINING, status=Event.Status.LIVE, host=tree["host"],
                                 starts_at=start, ends_at=now + timedelta(hours=1))
    session = Session.objects.create(event=event, title="Tập huấn", starts_at=start, ends_at=now + timedelta(hours=1),
                                     counts_for_completion=True)
    rc1, rc2, rc3 = RollCall.objects.bulk_create([
        RollCall(session=session, label="Lần 1", opened_at=start + timedelta(minutes=10),
                 closes_at=start + timedelta(minutes=15)),
        RollCall(session=session, label="Lần 2", opened_at=start + timedelta(minutes=100),
                 closes_at=start + timedelta(minutes=105)),
        RollCall(session=session, label="Lần 3", opened_at=now + timedelta(minutes=30),
                 closes_at=now + timedelta(minutes=35)),
    ])
    statuses = {"BS": "confirmed", "TN": "tested_ok", "BS-S1": "tested_ok", "BS-S2": "confirmed",
                "TN-S1": "problem", "TN-S2": "invited"}
    invitations = Invitation.objects.bulk_create([
        Invitation(event=event, bridge=tree[code], status=statuses[code]) for code in invite])
    by_code = {inv.bridge.code: inv for inv in invitations}
    tests = []
    if "BS-S1" in by_code:
        tests.append(ReadinessTest(invitation=by_code["BS-S1"], ok=True))
    if "TN-S1" in by_code:
        tests.append(ReadinessTest(invitation=by_code["TN-S1"], ok=False,
                                   problems=[{"code": "rtt", "message": "slow"}]))
    ReadinessTest.objects.bulk_create(tests)
    if "TN-S1" in by_code:
        Invitation.objects.filter(pk=by_code["TN-S1"].pk).update(problem="slow connection")

    BridgeCheckIn.objects.bulk_create([
        BridgeCheckIn(event=event, bridge=tree["BS-S1"], checked_in_at=start + timedelta(minutes=2), headcount=3),
        BridgeCheckIn(event=event, bridge=tree["BS-S2"], checked_in_at=start + timedelta(minutes=5), headcount=2),
        BridgeCheckIn(event=event, bridge=tree["TN-S1"], checked_in_at=start + timedelta(minutes=8), headcount=3),
    ])
    ConnectionInterval.objects.bulk_create([
        ConnectionInterval(event=event, bridge=tree["BS-S1"], source="console", started_at=start,
                           last_seen_at=start + timedelta(minutes=90), ended_at=start + timedelta(minutes=90)),
        ConnectionInterval(event=event, bridge=tree["TN-S1"], source="console", started_at=start,
                           last_seen_at=start + timedelta(minutes=30), ended_at=start + timedelta(minutes=30)),
    ])
    people = {p.teacher_id: p for p in Person.objects.filter(bridge__path__startswith=tree["host"].path)}
    rows = []
    for rc, number in ((rc1, 1), (rc2, 2)):
        for tid in PRESENT[number]:
            person = people[tid]
            rows.append(CheckIn(roll_call=rc, person=person, bridge=person.bridge, at=rc.opened_at + timedelta(minutes=1),
                                method=CheckIn.Method.SELF_QR))
    CheckIn.objects.bulk_create(rows)
    # Present at both roll calls: 0BS10, 0BS11, 0BS12, 0BS20, 0TN10, 0TN11 -> eligible (no rule = every one).
    Certificate.objects.bulk_create([
        Certificate(event=event, person=people[tid], number=f"{n}/GCN", seq=n, year=now.year, code=f"CODE{n:08d}",
                    issued_at=now, holder_name=people[tid].full_name, training_title=title,
                    training_starts=start.date(), training_ends=start.date())
        for n, tid in enumerate(["0BS10", "0BS11", "0TN10"], start=1)
    ])
    return {"event": event, "roll_calls": (rc1, rc2, rc3), "people": people, "session": session}
