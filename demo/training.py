"""Demo data: a finished province-wide training a month before the demo's events, with its three roll
calls attended realistically, so certificates can be issued and verified in the demo.

Deterministic (a seeded random generator over teachers in identifier order) and idempotent (the event
has a fixed UID; a second run changes nothing). Bulk inserts: ~18,000 teachers x 3 roll calls.
"""

import random
import uuid
from datetime import datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from attendance.models import BridgeCheckIn, CheckIn, ConnectionInterval, RollCall
from bridges.models import Bridge, Person, Tier
from events.models import Event, Invitation, Session
from training.models import CertificateTemplate, CompletionRule

from .province import HOST_CODE

DEMO_UID = uuid.uuid5(uuid.NAMESPACE_URL, "https://diemcau.invalid/demo/training/ky-nang-so")
SEED = "diemcau-demo-training-ky-nang-so"
TITLE = "Tập huấn kỹ năng số cho cán bộ, giáo viên toàn tỉnh"
ROLL_CALLS = (("Đầu buổi", time(7, 45)), ("Giữa buổi", time(9, 30)), ("Cuối buổi", time(11, 10)))
SILENT_SCHOOLS = 0.03  # schools whose console never came online: nobody there is recorded
BATCH = 5000


def _host() -> Bridge | None:
    return (Bridge.objects.filter(code=HOST_CODE).first()
            or Bridge.objects.filter(tier__role=Tier.Role.HOST, parent=None).order_by("pk").first())


def _day(host: Bridge):
    """A month before the province's next (or latest) other event, else a month before today."""
    other = Event.objects.filter(host=host).exclude(uid=DEMO_UID).order_by("-starts_at").first()
    reference = timezone.localdate(other.starts_at) if other else timezone.localdate()
    return reference - timedelta(days=30)


def _at(day, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def _template() -> None:
    if CertificateTemplate.objects.filter(event__isnull=True).exists():
        return
    CertificateTemplate.objects.create(
        issuer="ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI\nSỞ GIÁO DỤC VÀ ĐÀO TẠO",
        motto="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc",
        title="GIẤY CHỨNG NHẬN", completion_text="Đã hoàn thành chương trình tập huấn",
        signer_title="GIÁM ĐỐC", signer_name="Trần Minh Đức",
        place="Quảng Ngãi", number_format="{seq}/GCN-SGDĐT",
    )


def _attendance(rng: random.Random) -> int:
    """How many of the three roll calls a teacher answered: most all three, some one or two, a few none."""
    roll = rng.random()
    if roll < 0.84:
        return 3
    if roll < 0.93:
        return 2
    if roll < 0.97:
        return 1
    return 0


def seed(stdout) -> None:
    if Event.objects.filter(uid=DEMO_UID).exists():
        stdout.write("Training demo: already there, nothing changed.")
        return
    host = _host()
    if host is None:
        stdout.write("Training demo: no host bridge yet, skipped.")
        return
    rng = random.Random(SEED)
    day = _day(host)
    starts, ends = _at(day, time(7, 30)), _at(day, time(11, 30))
    schools = list(Bridge.objects.filter(path__startswith=host.path, tier__role=Tier.Role.SCHOOL)
                   .order_by("code").values_list("id", flat=True))
    halls = list(Bridge.objects.filter(path__startswith=host.path).exclude(tier__role=Tier.Role.SCHOOL)
                 .order_by("code").values_list("id", flat=True))
    silent = {school for school in schools if rng.random() < SILENT_SCHOOLS}

    with transaction.atomic():
        event = Event.objects.create(
            uid=DEMO_UID, title=TITLE, kind=Event.Kind.TRAINING, status=Event.Status.ENDED, host=host,
            starts_at=starts, ends_at=ends,
            description="Tập huấn trực tuyến kết nối từ Trung tâm IOC tới các điểm cầu trường học.",
        )
        session = Session.objects.create(event=event, title="Tập huấn kỹ năng số", starts_at=starts, ends_at=ends,
                                         counts_for_completion=True)
        roll_calls = [RollCall.objects.create(session=session, label=label, opened_at=_at(day, clock),
                                              closes_at=_at(day, clock) + timedelta(minutes=5))
                      for label, clock in ROLL_CALLS]
        Invitation.objects.bulk_create(
            [Invitation(event=event, bridge_id=b, status=Invitation.Status.TESTED_OK) for b in halls + schools
             if b not in silent]
            + [Invitation(event=event, bridge_id=b, status=Invitation.Status.CONFIRMED) for b in sorted(silent)],
            batch_size=BATCH)
        online = [b for b in halls + schools if b not in silent]
        BridgeCheckIn.objects.bulk_create([
            BridgeCheckIn(event=event, bridge_id=b, checked_in_at=starts - timedelta(minutes=rng.randint(5, 40)))
            for b in online], batch_size=BATCH)
        intervals = []
        for b in online:
            # Most consoles stay up the whole morning; some drop for a while.
            begin = starts - timedelta(minutes=rng.randint(5, 30))
            if rng.random() < 0.15:
                drop = starts + timedelta(minutes=rng.randint(40, 150))
                back = drop + timedelta(minutes=rng.randint(5, 60))
                intervals += [ConnectionInterval(event=event, bridge_id=b, source=ConnectionInterval.Source.CONSOLE,
                                                 connection_id=f"demo-{b}-1", started_at=begin, last_seen_at=drop,
                                                 ended_at=drop),
                              ConnectionInterval(event=event, bridge_id=b, source=ConnectionInterval.Source.CONSOLE,
                                                 connection_id=f"demo-{b}-2", started_at=back, last_seen_at=ends,
                                                 ended_at=ends)]
            else:
                intervals.append(ConnectionInterval(event=event, bridge_id=b, source=ConnectionInterval.Source.CONSOLE,
                                                    connection_id=f"demo-{b}", started_at=begin, last_seen_at=ends,
                                                    ended_at=ends))
        ConnectionInterval.objects.bulk_create(intervals, batch_size=BATCH)

        checkins = []
        teachers = (Person.objects.filter(bridge_id__in=[s for s in schools if s not in silent])
                    .order_by("teacher_id", "pk").values_list("pk", "bridge_id"))
        for person_id, bridge_id in teachers.iterator(chunk_size=BATCH):
            answered = _attendance(rng)
            for rc in sorted(rng.sample(roll_calls, answered), key=lambda r: r.opened_at):
                self_scan = rng.random() < 0.8
                checkins.append(CheckIn(
                    roll_call=rc, person_id=person_id, bridge_id=bridge_id,
                    at=rc.opened_at + timedelta(seconds=rng.randint(5, 290)),
                    method=CheckIn.Method.SELF_QR if self_scan else CheckIn.Method.TICK,
                    recorded_by="" if self_scan else "điều phối viên",
                ))
        CheckIn.objects.bulk_create(checkins, batch_size=BATCH)
        CompletionRule.objects.create(event=event, min_roll_calls=2, combine=CompletionRule.Combine.AND)
        _template()
    stdout.write(f"Training demo: “{TITLE}” on {day:%d/%m/%Y}, {len(roll_calls)} roll calls, "
                 f"{len(checkins)} check-ins, {len(silent)} silent schools. Issue its certificates at "
                 f"/training/{event.pk}/ or with `manage.py issue_certificates {event.pk}`.")


def banner_links(base_url: str) -> list[tuple[str, str, str]]:
    event = Event.objects.filter(uid=DEMO_UID).first()
    links = []
    if event is not None:
        links.append((base_url + reverse("training:detail", args=[event.pk]),
                      "Cấp giấy chứng nhận cho đợt tập huấn tháng trước (tài khoản tochuc)",
                      "Issue certificates for last month's training (account tochuc)"))
    links += [(base_url + reverse("verify"), "Tra cứu giấy chứng nhận (công khai)", "Verify a certificate (public)"),
              (base_url + reverse("my_certificates"), "Giáo viên tải giấy chứng nhận của mình",
               "Teachers download their certificates")]
    return links
