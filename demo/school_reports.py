"""Demo data: the device-needs report of "Sóng và máy tính cho em" asked of every school, opened ten days ago
with its deadline two days ago, answered by most schools (a few late, a few missing), so the rollup, the
reminders and the console's section show something real.

Deterministic (a seeded random generator over schools in path order) and idempotent (the form is found by
its title; a second run changes nothing). Answers are checked by schoolreports.validation like any other.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from bridges.models import Bridge, Tier
from bridges.services import console_actor
from schoolreports import definition as d
from schoolreports import services
from schoolreports.models import ReportAnswer, ReportForm, ReportSubmission
from schoolreports.validation import check

TITLE = "Rà soát học sinh chưa có thiết bị học trực tuyến – Sóng và máy tính cho em"
SEED = "diemcau-demo-school-reports"
LATE, MISSING = 0.07, 0.08


def _values(definition: dict, rng: random.Random) -> dict:
    grid = next(f for f in d.fields_of(definition) if f["type"] == d.GRID)
    values, total = {}, 0
    for row in grid["rows"]:
        for column in grid["columns"]:
            # Most pupils without a device are in primary school, most of them "other hardship" or poor.
            weight = {"tieu_hoc": 6, "thcs": 3, "thpt": 1, "gdnn_gdtx": 0}.get(row["key"], 1)
            weight *= {"ho_ngheo": 3, "ho_can_ngheo": 2, "mo_coi_covid": 0, "kho_khan_khac": 4}.get(column["key"], 1)
            n = rng.randint(0, weight * 2) if weight else int(rng.random() < 0.02)
            values[d.cell_key(grid["key"], row["key"], column["key"])] = n
            total += n
    values["tong_so_hs"] = total
    return values


def seed(stdout) -> None:
    if ReportForm.objects.filter(title=TITLE).exists():
        stdout.write("School reports demo: already seeded.")
        return
    now = timezone.now()
    rng = random.Random(SEED)
    with translation.override("vi"), transaction.atomic():
        form = services.copy_template("device_needs")
        form.title = TITLE
        form.save(update_fields=["title"])
        round_ = services.publish_round(form, title=f"{TITLE} – đợt tháng {timezone.localdate(now).month}",
                                        opens_at=now - timedelta(days=10), deadline=now - timedelta(days=10, hours=-1),
                                        now=now - timedelta(days=10))
        round_.deadline = now - timedelta(days=2)
        round_.save(update_fields=["deadline"])
        schools = list(Bridge.objects.filter(tier__role=Tier.Role.SCHOOL).order_by("path"))
        answers, kept = [], []
        for school in schools:
            draw = rng.random()
            if draw < MISSING:
                continue
            late = draw < MISSING + LATE
            at = now - (timedelta(days=1, hours=rng.randint(0, 20)) if late else
                        timedelta(days=rng.randint(3, 9), hours=rng.randint(0, 8)))
            values = check(round_.version.definition, _values(round_.version.definition, rng))
            answers.append(ReportAnswer(round=round_, bridge=school, version=round_.version,
                                        status=ReportAnswer.Status.SUBMITTED, values=values,
                                        typed_by=school.head_name or "", submitted_at=at, updated_at=at, late=late))
            kept.append((school, values, at, late))
        ReportAnswer.objects.bulk_create(answers, batch_size=500)
        by_bridge = {a.bridge_id: a for a in ReportAnswer.objects.filter(round=round_)}
        ReportSubmission.objects.bulk_create(
            [ReportSubmission(answer=by_bridge[school.pk], values=values, typed_by=school.head_name or "",
                              actor_label=console_actor(school), at=at, late=late)
             for school, values, at, late in kept], batch_size=500)
    late_count = sum(1 for *_rest, late in kept if late)
    stdout.write(f"School reports demo: “{round_.title}”, {len(kept)} of {len(schools)} schools answered "
                 f"({late_count} late), rollup at /school-reports/rounds/{round_.pk}/.")


def banner_links(base_url: str) -> list[tuple[str, str, str]]:
    form = ReportForm.objects.filter(title=TITLE).first()
    round_ = form.rounds.first() if form else None
    if round_ is None:
        return []
    return [(base_url + reverse("schoolreports:round", args=[round_.pk]),
             "Báo cáo của trường: học sinh chưa có thiết bị, tổng hợp theo huyện",
             "School reports: pupils without a device, rolled up by district")]
