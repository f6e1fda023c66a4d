"""Bulk invitation letters for every invited bridge of the demo province (614), end to end on a real server.

bench.server starts uvicorn on a free loopback port with its own temporary SQLite database and
media folder, and a db_worker beside it (JOBS_MODE=database, the embedded default). A child process
seeds the demo province (bridges only), an event with two sessions and six agenda items, invites
every bridge and creates an organizer account. The benchmark then logs in through the login page and, over HTTP:

- POSTs /api/events/<id>/invitation-letters/zip and polls /api/jobs/<id> until the job is done
  (timed from the POST to the "done" answer; the ZIP is then checked in the media folder);
- does the same for /api/events/<id>/invitation-letters/email (console mail backend, whose output
  the server discards: every message is fully built and serialized, no SMTP).

A last child process renders 20 letters in a loop for the cost of one PDF.

    .venv/bin/python -m bench.bench_invitations [--quick]      (or: python -m bench.run --only invitations)
"""

import io
import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 30.0
FULL_SCHOOLS = 600  # + 13 district halls + the host = 614 bridges
QUICK_SCHOOLS = 60
USERNAME = "bench-organizer"
PASSWORD = "bench-Organizer-2030"  # noqa: S105 - a throw-away account in a throw-away database


# --- child processes on the server's database ------------------------------------------------

def _prepare(schools: int) -> dict:
    import django

    django.setup()
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model

    from bridges.models import Bridge, Role, Tier
    from demo.seeding import seed_bridges
    from events.models import AgendaItem, Event, Invitation, ParticipantGroup, Session

    seed_bridges(schools=schools, teachers_per_school=0)
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    day = dt.datetime(2030, 3, 15, tzinfo=tz)
    host = Bridge.objects.filter(tier__role=Tier.Role.HOST).first()
    event = Event.objects.create(
        title="Lễ phát động phong trào “Bình dân học vụ số” và tập huấn kỹ năng số cho giáo viên",
        host=host, status=Event.Status.PUBLISHED, starts_at=day.replace(hour=7, minute=30),
        ends_at=day.replace(hour=17), description="Toàn thể giáo viên trong tỉnh tham dự tại điểm cầu của trường.")
    ceremony = Session.objects.create(event=event, title="Lễ phát động", starts_at=day.replace(hour=7, minute=30),
                                      ends_at=day.replace(hour=9, minute=30))
    training = Session.objects.create(event=event, title="Tập huấn kỹ năng số", starts_at=day.replace(hour=9, minute=45),
                                      ends_at=day.replace(hour=17), counts_for_completion=True)
    items = [(ceremony, 7, 30, 7, 45, "Văn nghệ chào mừng", ""),
             (ceremony, 7, 45, 8, 0, "Tuyên bố lý do, giới thiệu đại biểu", "Ban tổ chức"),
             (ceremony, 8, 0, 8, 30, "Phát biểu khai mạc", "Lãnh đạo UBND tỉnh"),
             (ceremony, 8, 30, 9, 0, "Nghi thức phát động", "Lãnh đạo tỉnh và các điểm cầu"),
             (training, 9, 45, 11, 30, "Chuyên đề 1: Khai thác học liệu số", "Sở GD&ĐT"),
             (training, 13, 30, 16, 30, "Chuyên đề 2: An toàn thông tin", "Sở TT&TT")]
    for order, (session, h1, m1, h2, m2, title, speaker) in enumerate(items):
        AgendaItem.objects.create(session=session, order=order, starts_at=day.replace(hour=h1, minute=m1),
                                  ends_at=day.replace(hour=h2, minute=m2), title=title, speaker=speaker)
    for tier in Tier.objects.all():
        ParticipantGroup.objects.create(event=event, tier=tier, description=f"Cán bộ, giáo viên tại {tier.label}")
    Invitation.objects.bulk_create([Invitation(event=event, bridge=b) for b in Bridge.objects.all()])
    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    Role.objects.create(user=user, kind=Role.Kind.ORGANIZER)
    return {"event_id": event.pk, "invited": event.invitations.count(),
            "with_email": event.invitations.exclude(bridge__email="").count()}


def _sample(event_id: int) -> dict:
    import django

    django.setup()
    import statistics

    from events import calendar
    from events.invitation_pdf import EventSheet, render
    from events.models import Invitation

    sheet = EventSheet.build(calendar.event_queryset().get(pk=event_id))
    sample = list(Invitation.objects.filter(event_id=event_id).select_related("bridge", "bridge__tier", "room")[:20])
    size = len(render(sheet, sample[0].bridge, sample[0]))  # fonts registered, caches warm
    times = []
    for invitation in sample:
        started = time.perf_counter()
        render(sheet, invitation.bridge, invitation)
        times.append(time.perf_counter() - started)
    return {"pdf_ms_median": statistics.median(times) * 1000, "pdf_kb": size / 1024}


def _child(server, *args: str) -> dict:
    env = {**server.env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    proc = subprocess.run([sys.executable, "-m", "bench.bench_invitations", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- over HTTP -------------------------------------------------------------------------------

def _login(client) -> None:
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = client.post("/accounts/login/", data={"username": USERNAME, "password": PASSWORD,
                                                   "csrfmiddlewaretoken": token})
    if answer.status_code != 302:
        raise RuntimeError(f"login failed: HTTP {answer.status_code}")


def _run_job(client, path: str, payload: dict) -> tuple[dict, float, int]:
    """Start a job over the API and poll it as the progress widget does; (final job, seconds, polls)."""
    headers = {"X-CSRFToken": client.cookies["csrftoken"]}
    started = time.perf_counter()
    answer = client.post(path, json=payload, headers=headers)
    if answer.status_code != 202:
        raise RuntimeError(f"{path}: HTTP {answer.status_code} {answer.text[:300]}")
    job_id, polls = answer.json()["id"], 0
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        polls += 1
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if job["status"] != "done":
        raise RuntimeError(f"{path}: job failed: {job['message']}")
    return job, seconds, polls


def run(quick: bool) -> dict:
    import httpx

    from bench.server import Server

    schools = QUICK_SCHOOLS if quick else FULL_SCHOOLS
    mail_env = {"EMAIL_HOST": "", "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    with Server(jobs_mode="database", env=mail_env) as server:
        data = _child(server, "--prepare", str(schools))
        with httpx.Client(base_url=server.url, timeout=120, follow_redirects=False) as client:
            _login(client)
            event = data["event_id"]
            zip_job, zip_s, zip_polls = _run_job(client, f"/api/events/{event}/invitation-letters/zip", {})
            # Downloaded the way an organizer gets it: through the scope-checked job download.
            download = client.get(zip_job["result_url"])
            download.raise_for_status()
            with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
                files = len(archive.namelist())
            zip_mb = len(download.content) / 1e6
            mail_job, mail_s, _ = _run_job(client, f"/api/events/{event}/invitation-letters/email",
                                           {"attach_pdf": True})
        sample = _child(server, "--sample", str(event))
        peak_mb = server.peak_rss_mb
    if files != data["invited"]:
        raise RuntimeError(f"the ZIP holds {files} PDFs for {data['invited']} invited bridges")

    invited = data["invited"]
    per_second = invited / zip_s
    figures = [
        {"name": f"ZIP job over HTTP, {invited} invitation PDFs (POST to done)", "value": round(zip_s, 2), "unit": "s",
         "target": f"< {TARGET_S:.0f} s for 614" if not quick else "", "ok": zip_s < TARGET_S if not quick else None},
        {"name": "invitation PDFs per second in the bulk job", "value": round(per_second, 1), "unit": "PDF/s",
         "target": f">= {614 / TARGET_S:.1f} (614 in {TARGET_S:.0f} s)", "ok": per_second >= 614 / TARGET_S},
        {"name": "one invitation PDF (median of 20, in-process)", "value": round(sample["pdf_ms_median"], 1),
         "unit": "ms", "target": "", "ok": None},
        {"name": "size of one invitation PDF", "value": round(sample["pdf_kb"], 1), "unit": "KB", "target": "",
         "ok": None},
        {"name": f"ZIP of {files} PDFs", "value": round(zip_mb, 1), "unit": "MB", "target": "", "ok": None},
        {"name": f"e-mail job over HTTP, {mail_job['result']['sent']} mails with .ics + PDF", "value": round(mail_s, 2),
         "unit": "s", "target": "", "ok": None},
        {"name": "server + job worker peak RSS", "value": peak_mb, "unit": "MB", "target": "", "ok": None},
    ]
    return {
        "title": "Invitation letters in bulk (giấy mời)",
        "command": ("on a real uvicorn server (bench.server, JOBS_MODE=database with one db_worker, SQLite): POST "
                    "/api/events/<id>/invitation-letters/zip, then GET /api/jobs/<id> every 0.2 s until done; "
                    "the same for .../invitation-letters/email"),
        "figures": figures,
        "notes": (
            f"{invited} bridges of the demo province ({schools} schools, 13 district halls, the host) invited to one "
            f"event with 2 sessions and 6 agenda items; the ZIP held {files} PDFs ({zip_polls} progress polls). The job "
            "runs in the one db_worker process, so one core: reportlab (with rl-accel) and the bundled "
            "Noto Serif registered once per process, the event's layout built once per job, QR codes drawn as vectors "
            "with a fixed mask. E-mails went through the console backend into a discarded stream: messages are fully "
            f"built (text, HTML, .ics METHOD:REQUEST, PDF) and serialized, SMTP time is not included; "
            f"{data['with_email']} of the invited bridges have an address."
        ),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--prepare"]:
        print(json.dumps(_prepare(int(argv[1]))))
        return
    if argv[:1] == ["--sample"]:
        print(json.dumps(_sample(int(argv[1]))))
        return
    result = run(quick="--quick" in argv)
    print(result["title"])
    for figure in result["figures"]:
        print(f"  {figure['name']}: {figure['value']} {figure['unit']}  {figure['target']}")
    print(result["notes"])


if __name__ == "__main__":
    main(sys.argv[1:])
