"""Two heavy jobs at once on a SQLite file: both finish, none fails with "database is locked" (issue 15).

Two real `manage.py db_worker` processes take two certificate print jobs from the database queue of the
test's own SQLite file. A print job reads its certificates through a server-side cursor and reports
progress meanwhile; on the job's own connection that progress UPDATE had to upgrade SQLite's read
snapshot, which SQLite refuses at once when the other worker has written since. core.jobs.runner writes
progress and heartbeats from a reporter thread with its own connection instead.
"""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks.backends.database.models import DBTaskResult

from bridges.models import Bridge, Person
from core import jobs
from core.models import Job
from events.models import Event
from training.codes import new_code
from training.jobs import PRINT
from training.models import Certificate

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = 700  # per job: a few seconds of drawing, several progress writes while the cursor is open
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def certificates(tiers):
    host = Bridge.objects.create(code="HOST", name="Trung tâm", tier=tiers["host"])
    school = Bridge.objects.create(code="S1", name="Trường Một", tier=tiers["school"], parent=host)
    now = timezone.now()
    event = Event.objects.create(title="Tập huấn", kind=Event.Kind.TRAINING, status=Event.Status.ENDED, host=host,
                                 starts_at=now, ends_at=now + timezone.timedelta(hours=2))
    people = Person.objects.bulk_create(
        [Person(bridge=school, full_name=f"Giáo viên {n:04d}", teacher_id=f"T{n:05d}") for n in range(PAGES)])
    Certificate.objects.bulk_create([
        Certificate(event=event, person=person, number=f"{n + 1}/GCN", seq=n + 1, year=2026, code=new_code(),
                    issued_at=now, holder_name=person.full_name, school_name=school.name,
                    training_title=event.title, training_starts=date(2026, 11, 7), training_ends=date(2026, 11, 7))
        for n, person in enumerate(people)])
    return event


def worker(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--no-reload",
                             "--no-startup-delay"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_two_print_jobs_at_once_on_sqlite_both_finish(certificates, settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite case: PostgreSQL has row locks and MVCC writes")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    started = [jobs.start(PRINT, params={"event_id": certificates.pk}) for _ in range(2)]
    env = {**os.environ, "SQLITE_PATH": connection.settings_dict["NAME"], "JOBS_MODE": "database",
           "MEDIA_ROOT": str(tmp_path / "media"), "JOBS_HEARTBEAT_SECONDS": "1", "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    workers = [worker(env), worker(env)]
    outputs = [w.communicate(timeout=300)[0] for w in workers]

    for w, output in zip(workers, outputs, strict=True):
        assert w.returncode == 0, output
        assert "database is locked" not in output, output
    done = Job.objects.filter(pk__in=[j.pk for j in started])
    assert sorted(done.values_list("status", "result")) == [(Job.Status.DONE, {"pages": PAGES})] * 2
    # They really ran side by side, one per worker: each started before the other finished.
    tasks = list(DBTaskResult.objects.filter(id__in=[j.task_id for j in done]))
    assert len({t.worker_ids[0] for t in tasks}) == 2
    assert max(t.started_at for t in tasks) < min(t.finished_at for t in tasks)
