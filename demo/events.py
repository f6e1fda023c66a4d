"""The demo event, shaped like Quảng Ngãi's 2022 plan: the launch ceremony, then the training of all teachers.

Called by `manage.py seed_demo` after the bridges. Idempotent (found by title; only invitations nobody
has touched get a simulated answer) and deterministic (each bridge's answer comes from a random
generator seeded with its code, so a small run and a later full run agree).
"""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bridges.models import Bridge, Tier
from events import services
from events.models import AgendaItem, Event, Invitation, ReadinessTest
from events.services.readiness import build_test, problem_text

SEED = "diemcau-demo-event-2022"
TITLE = "Lễ phát động phong trào chuyển đổi số ngành Giáo dục và Đào tạo"
DAYS_AHEAD = 5
DESCRIPTION = (
    "Lễ phát động phong trào chuyển đổi số ngành Giáo dục và Đào tạo tỉnh Quảng Ngãi, tổ chức trực tuyến "
    "từ điểm cầu chính tới điểm cầu các huyện, thị xã, thành phố và tất cả các trường học.\n"
    "Ngay sau lễ phát động là buổi tập huấn kỹ năng số cho toàn thể giáo viên trong tỉnh."
)
SESSIONS = [
    ("Lễ phát động", (8, 0), (8, 45), False, [
        ((8, 0), (8, 5), "Khai mạc: tuyên bố lý do, giới thiệu đại biểu", "Ban tổ chức", AgendaItem.Kind.OPENING),
        ((8, 5), (8, 15), "Báo cáo của Sở GD&ĐT về kế hoạch chuyển đổi số ngành Giáo dục",
         "Giám đốc Sở Giáo dục và Đào tạo", AgendaItem.Kind.PRESENTATION),
        ((8, 15), (8, 25), "Phát biểu chỉ đạo của lãnh đạo UBND tỉnh", "Phó Chủ tịch UBND tỉnh",
         AgendaItem.Kind.SPEECH),
        ((8, 25), (8, 30), "Nghi thức phát động phong trào", "Lãnh đạo UBND tỉnh và Sở GD&ĐT",
         AgendaItem.Kind.LAUNCH),
        ((8, 30), (8, 40), "Phát biểu hưởng ứng của đại diện cán bộ quản lý, giáo viên",
         "Hiệu trưởng một trường THPT", AgendaItem.Kind.SPEECH),
        ((8, 40), (8, 45), "Bế mạc lễ phát động", "Ban tổ chức", AgendaItem.Kind.CLOSING),
    ]),
    ("Tập huấn kỹ năng số cho giáo viên", (9, 0), (11, 30), True, [
        ((9, 0), (9, 45), "Tập huấn nội dung 1: Khai thác học liệu số và hệ thống quản lý học tập (LMS)",
         "Báo cáo viên Sở GD&ĐT", AgendaItem.Kind.TRAINING),
        ((9, 45), (10, 0), "Giải lao", "", AgendaItem.Kind.BREAK),
        ((10, 0), (10, 45), "Tập huấn nội dung 2: An toàn thông tin và bảo vệ dữ liệu cá nhân học sinh",
         "Báo cáo viên Sở Thông tin và Truyền thông", AgendaItem.Kind.TRAINING),
        ((10, 45), (11, 15), "Tập huấn nội dung 3: Hồ sơ điện tử và chữ ký số trong nhà trường",
         "Báo cáo viên Sở GD&ĐT", AgendaItem.Kind.TRAINING),
        ((11, 15), (11, 30), "Trao đổi, giải đáp và kết thúc tập huấn", "Ban tổ chức", AgendaItem.Kind.DISCUSSION),
    ]),
]
GROUPS = {
    Tier.Role.HOST: "Lãnh đạo UBND tỉnh; lãnh đạo Sở GD&ĐT và các phòng chuyên môn; đại diện các sở, ngành; "
                    "phóng viên báo, đài.",
    Tier.Role.INTERMEDIATE: "Lãnh đạo UBND huyện, thị xã, thành phố; lãnh đạo và chuyên viên Phòng GD&ĐT; "
                            "tổ kỹ thuật của huyện.",
    Tier.Role.SCHOOL: "Ban giám hiệu, tổ trưởng chuyên môn và toàn thể giáo viên của trường; "
                      "cán bộ phụ trách công nghệ thông tin.",
}
DECLINE_REASONS = [
    "Trường tổ chức kiểm tra học kỳ đúng buổi sáng hôm đó, xin tham dự tại điểm cầu của Phòng GD&ĐT.",
    "Khu vực trường bị cắt điện theo lịch sửa chữa lưới điện.",
    "Đường truyền internet của trường đang chờ nhà mạng sửa chữa.",
    "Trường ghép điểm cầu với trường bạn gần nhất.",
]


def _local(day, hour_minute) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(*hour_minute)), timezone.get_default_timezone())


def _create_event(host: Bridge) -> Event:
    day = timezone.localdate() + timedelta(days=DAYS_AHEAD)
    event = services.create_event(
        title=TITLE, kind=Event.Kind.LAUNCH, host=host, starts_at=_local(day, (8, 0)), ends_at=_local(day, (11, 30)),
        description=DESCRIPTION,
    )
    for title, start, end, counts, agenda in SESSIONS:
        session = services.add_session(event, title=title, starts_at=_local(day, start), ends_at=_local(day, end),
                                       counts_for_completion=counts)
        for order, (item_start, item_end, item_title, speaker, kind) in enumerate(agenda, start=1):
            services.add_agenda_item(session, title=item_title, speaker=speaker, kind=kind, order=order,
                                     starts_at=_local(day, item_start), ends_at=_local(day, item_end))
    tiers = Tier.objects.all()
    services.set_participant_groups(event, {tier: GROUPS.get(tier.role, "") for tier in tiers})
    return services.set_status(event, Event.Status.PUBLISHED)


def _good_results(rng: random.Random) -> dict:
    return {"rtt_ms": round(rng.uniform(18, 190), 1), "download_mbps": round(rng.uniform(4, 80), 1),
            "camera": "ok", "microphone": "ok", "jitsi_reachable": True}


def _problem_results(rng: random.Random) -> dict:
    results = _good_results(rng)
    trouble = rng.choice(["slow_download", "slow_download", "latency", "camera", "microphone", "firewall"])
    if trouble == "slow_download":
        results["download_mbps"] = round(rng.uniform(0.4, 1.8), 1)
    elif trouble == "latency":
        results["rtt_ms"] = round(rng.uniform(340, 950), 1)
        results["download_mbps"] = round(rng.uniform(1.2, 3.5), 1)
    elif trouble == "camera":
        results["camera"] = rng.choice(["not_allowed", "not_found"])
    elif trouble == "microphone":
        results["microphone"] = rng.choice(["not_found", "not_allowed"])
    else:
        results["jitsi_reachable"] = False
    return results


def _outcome(bridge_code: str, role: str) -> tuple[str, random.Random]:
    rng = random.Random(f"{SEED}:{bridge_code}")
    roll = rng.random()
    if role != Tier.Role.SCHOOL:
        return "ok", rng  # halls are set up by the province's technicians
    if roll < 0.80:
        return "ok", rng
    if roll < 0.87:
        return "problem", rng
    if roll < 0.90:
        return "declined", rng
    return "silent", rng


@transaction.atomic
def _simulate_answers(event: Event) -> dict:
    """Answers for invitations nobody has touched yet (so rerunning, or a school's real answer, is kept)."""
    now = timezone.now()
    fresh = list(event.invitations.filter(status=Invitation.Status.INVITED, responded_at__isnull=True,
                                          reminder_count=0, readiness_tests__isnull=True)
                 .select_related("bridge", "bridge__tier").order_by("bridge__path"))
    counts = {"ok": 0, "problem": 0, "declined": 0, "silent": 0}
    tests, changed = [], []
    for invitation in fresh:
        outcome, rng = _outcome(invitation.bridge.code, invitation.bridge.tier.role)
        counts[outcome] += 1
        answered = now - timedelta(days=rng.uniform(0.3, 3.5))
        if outcome == "silent":
            # Some silent schools already had a reminder; the others did not even get that far.
            if rng.random() < 0.6:
                invitation.reminder_count = rng.randint(1, 2)
                invitation.last_reminded_at = now - timedelta(hours=rng.uniform(6, 30))
                changed.append(invitation)
            continue
        invitation.responded_at = answered
        if outcome == "declined":
            invitation.status = Invitation.Status.DECLINED
            invitation.decline_reason = rng.choice(DECLINE_REASONS)
        else:
            results = _good_results(rng) if outcome == "ok" else _problem_results(rng)
            test = build_test(invitation, results, user_agent="Mozilla/5.0 (demo)")
            test.demo_at = answered + timedelta(minutes=rng.uniform(2, 40))
            tests.append(test)
            invitation.status = Invitation.Status.TESTED_OK if test.ok else Invitation.Status.PROBLEM
            invitation.problem = problem_text(test.problems)
            invitation.expected_participants = invitation.bridge.expected_participants or None
        changed.append(invitation)
    Invitation.objects.bulk_update(
        changed, ["status", "responded_at", "decline_reason", "problem", "expected_participants", "reminder_count",
                  "last_reminded_at"], batch_size=500)
    created = ReadinessTest.objects.bulk_create(tests, batch_size=500)
    # auto_now_add stamps "now" on insert; the demo wants the tests spread over the past days.
    for test in created:
        test.at = test.demo_at
    ReadinessTest.objects.bulk_update(created, ["at"], batch_size=500)
    return counts


def seed(stdout) -> Event | None:
    host = Bridge.objects.filter(tier__role=Tier.Role.HOST).order_by("path").first()
    if host is None:
        stdout.write("events: no host bridge yet, demo event skipped")
        return None
    event = Event.objects.filter(title=TITLE).order_by("pk").first()
    created = event is None
    if created:
        event = _create_event(host)
    invited = services.invite_bridges(event, Bridge.objects.all(), how="demo")
    counts = _simulate_answers(event)
    stdout.write(
        f"events: {'created' if created else 'kept'} “{TITLE}” on "
        f"{timezone.localtime(event.starts_at):%d/%m/%Y %H:%M}; {invited.total} bridges invited "
        f"({invited.created} new); of the {sum(counts.values())} invitations nobody had answered, "
        f"{counts['ok']} now tested OK, {counts['problem']} with problems, {counts['declined']} declined, "
        f"{counts['silent']} silent"
    )
    return event


def banner_links(base_url: str) -> list[tuple[str, str, str]]:
    event = Event.objects.filter(title=TITLE).order_by("pk").first()
    if event is None:
        return []
    return [
        (base_url + reverse("events:detail", args=[event.pk]), "Chương trình sự kiện demo (tài khoản tổ chức)",
         "The demo event's programme (organizer account)"),
        (base_url + reverse("events:readiness", args=[event.pk]), "Tình hình sẵn sàng của các điểm cầu",
         "Readiness of the bridges"),
    ]
