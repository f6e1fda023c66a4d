"""Demo data: the follow-up report of last month's training ("results of replicating the training"), opened
after it with its deadline in a week, answered by most of the schools invited (a few missing), so the
follow-up page, its workbook and the console's reports section show something real.

A follow-up is a round of the report engine: it is opened by `followups.services.open_form` (the round from
the shipped replication template) and its answers are the engine's, each checked by
schoolreports.validation, with one submission each. Deterministic (a seeded random generator over the
schools in path order) and idempotent (found by its title on the training; a second run changes nothing).
"""

import random
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from bridges.services import console_actor
from events.models import Event
from followups import services as followup
from followups.models import FollowUpForm
from schoolreports.models import ReportAnswer, ReportSubmission
from schoolreports.services import school_facts
from schoolreports.validation import check

from . import training

TITLE = "Báo cáo kết quả nhân rộng tập huấn kỹ năng số tại trường"
SEED = "diemcau-demo-followups"
MISSING = 0.2


def _values(rng: random.Random, facts) -> dict:
    pupils = rng.randint(200, 1500)
    classes = rng.randint(1, 12)
    teachers = min(rng.randint(1, 6), facts.roster) if facts.roster else 0
    values = {followup.FIELDS["school_students"]: pupils, followup.FIELDS["classes_held"]: classes,
              followup.FIELDS["students_trained"]: min(pupils, classes * rng.randint(20, 40)),
              followup.FIELDS["teachers_led"]: teachers}
    if rng.random() < 0.3:
        values[followup.FIELDS["notes"]] = "Đã lồng ghép vào sinh hoạt chuyên môn của tổ."
    return values


def seed(stdout) -> None:
    event = Event.objects.filter(uid=training.DEMO_UID).first()
    if event is None:
        stdout.write("Follow-up demo: no training yet, skipped.")
        return
    if FollowUpForm.objects.filter(event=event, title=TITLE).exists():
        stdout.write("Follow-up demo: already seeded.")
        return
    now = timezone.now()
    rng = random.Random(SEED)
    with translation.override("vi"), transaction.atomic():
        form = followup.open_form(event, title=TITLE, deadline=now + timedelta(days=7),
                                  instructions="Nhà trường báo cáo số học sinh, số lớp và giáo viên đã triển khai.")
        round_ = form.round
        schools = list(followup.expected_schools(form).select_related("tier").order_by("path"))
        kept = []
        for school in schools:
            if rng.random() < MISSING:
                continue
            facts = school_facts(school)
            at = now - timedelta(days=rng.randint(0, 5), hours=rng.randint(0, 8))
            kept.append((school, check(round_.version.definition, _values(rng, facts), facts), at))
        ReportAnswer.objects.bulk_create(
            [ReportAnswer(round=round_, bridge=school, version=round_.version, status=ReportAnswer.Status.SUBMITTED,
                          values=values, typed_by=school.head_name or "", submitted_at=at, updated_at=at)
             for school, values, at in kept], batch_size=500)
        by_bridge = {a.bridge_id: a for a in ReportAnswer.objects.filter(round=round_)}
        ReportSubmission.objects.bulk_create(
            [ReportSubmission(answer=by_bridge[school.pk], values=values, typed_by=school.head_name or "",
                              actor_label=console_actor(school), at=at)
             for school, values, at in kept], batch_size=500)
    stdout.write(f"Follow-up demo: “{TITLE}”, {len(kept)} of {len(schools)} schools answered, "
                 f"at {reverse('followups:detail', args=[form.pk])}.")


def banner_links(base_url: str) -> list[tuple[str, str, str]]:
    form = FollowUpForm.objects.filter(title=TITLE).first()
    if form is None:
        return []
    return [(base_url + reverse("followups:detail", args=[form.pk]),
             "Báo cáo sau tập huấn: kết quả nhân rộng tại các trường",
             "Follow-up report: results of replicating the training in the schools")]
