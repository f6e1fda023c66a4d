"""Nation size (issue 13): 40,000 bridges and 1,000,000 people on PostgreSQL.

A database of its own (diemcau_nation, dropped and created afresh, migrated) is seeded fast by a child
process with COPY (psycopg's cursor.copy), not the ORM row by row: a tree of the host, 63 provinces,
10 districts each and ~63 schools a district (≈ 40,000 bridges), 1,000,000 teachers on the schools'
rosters, one nation-wide training inviting every bridge, two roll calls (30 % of the teachers checked in
at the first, closed one, 10 % so far at the second, open one), bridge check-ins and console connections
for 85 % of the bridges, an organizer and a district officer. Names are folded by core.text.fold (the
home of Person.name_key) once per distinct name; phones are built from prefixes that
bridges.phones.normalize_phone keeps as typed (checked once per prefix and on a sample).

Then, medians of a few runs (fewer when one run is long):

- in a child process on that database (wall, CPU by time.process_time, time inside database calls by
  Django's execute_wrapper): the board's snapshot read from the rows (attendance.board.state.snapshot) for
  the organizer and for the district officer, and the same built from the coalescer's board in memory with
  its JSON; the organizer's 40,384 bridges are above settings.BOARD_TILES_MAX, so its board is in group
  mode (every group's counters, the tiles of one province: the district officer's, as `?group=<code>` asks);
  one delta frame after a batch of check-ins, through the real coalescer's refresh and frame body
  (attendance.board.coalescer.Coalescer._refresh / _body; the organizer's body in group mode looking at that
  province), for a province-sized batch and for the nation's 250 ms tick at 5,000 check-ins/s, the online
  sweep and the coalescer's periodic full refresh;
  the eligibility of the training (training.eligibility.evaluate); the reports' numbers (reports.data.build);
- over HTTP against a real uvicorn server on loopback (bench.server): GET /api/attendance/events/<id>/board
  (what a board loads on hello and on every reconnect; the organizer's with ?group= of that province; no
  board is connected there, so it is read from the rows), GET /api/attendance/events/<id>/report, the
  reports page and GET /api/training/events/<id>/eligibility, as the organizer and as the district officer,
  with the server's CPU read from /proc;
- `manage.py import_people FILE` of a 40,000-row office-shaped roster onto the nation's schools.

    .venv/bin/python -m bench.run --only nation          (full size: ~10 minutes of seeding)
    .venv/bin/python -m bench.bench_nation --scale 0.02  (a small run; prints, writes nothing)
    BENCH_NATION_DB=mine .venv/bin/python -m bench.bench_nation --seed-only prep.json   (seed once, keep it;
        then `python -m bench.bench_nation inproc prep.json 3 out.json`, in the environment `_env()` gives
        the children (DATABASE_URL on that database, DJANGO_SETTINGS_MODULE=config.settings), reruns the
        in-process figures on it; each run adds its check-ins to it)
    BENCH_NATION_SCALE=0.1 .venv/bin/python -m bench.run --only nation --no-write

Not in --quick (bench.run skips a module whose IN_QUICK is False).
"""

from __future__ import annotations

import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IN_QUICK = False
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_NATION_DB", "diemcau_nation")  # another name lets two runs coexist
ORGANIZER = ("nation-organizer", "nation-Organizer-2030")  # throw-away accounts in a throw-away database
OFFICER = ("nation-district", "nation-District-2030")

PROVINCES = (
    "Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang",
    "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận",
    "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang",
    "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận",
    "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng",
    "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)
DISTRICTS_PER_PROVINCE = 10
SCHOOLS_PER_DISTRICT = 63
PEOPLE = 1_000_000
IMPORT_ROWS = 40_000
# Prefixes of Vietnamese mobile numbers; each is checked once against bridges.phones.normalize_phone.
PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "032", "035", "038", "077", "086", "088")
# The nation's 5,000 check-ins a second, coalesced every 250 ms (attendance.board.coalescer.FRAME_INTERVAL).
NATION_RATE = 5_000
SNAPSHOT_TARGET_ORGANIZER_S = 1.0
SNAPSHOT_TARGET_DISTRICT_S = 0.2
FRAME_TARGET_MS = 20.0


FINDINGS = (
    "What the first nation runs found (2026-12-02). Fixed: (1) training.eligibility's candidates were "
    "`id IN (check-ins) OR id IN (overrides) OR bridge IN (invitations)`; PostgreSQL hashes an IN subquery only "
    "within work_mem (4 MB), so the 400,000 check-ins were scanned again for each of 1,000,000 people: the query "
    "ran over 5 minutes before it was stopped (eligibility, reports and certificate issue never finished at this "
    "size). As correlated EXISTS it takes ~1.6 s (EXPLAIN ANALYZE) and the whole evaluation the figure above. "
    "(2) bridges.phones.is_checked parsed every tile's phone with libphonenumber on every snapshot, half the "
    "snapshot's CPU at 4,474 bridges; it now caches its answer per stored text. (3) The board (issue 13's "
    "targets): a snapshot loaded the whole event for any scope (now only its scope's rows, by bridge__path); over "
    "HTTP the response schema and ASCII-escaped JSON of 40,000 tiles added ~1.3 s (now ready-made UTF-8 JSON, "
    "gzip when asked); a frame's body walked every bridge in scope for its counters (now kept per scope and group, "
    "moved by the changed tiles); the nation's tick touched more bridges than PARTIAL_REFRESH_LIMIT and reloaded "
    "the event every frame (now re-read in chunks of plain statements); the full refresh ran every 15 s (now a "
    "one-query online sweep every 15 s, the full refresh every 60 s). (4) The eligibility API evaluated the whole "
    "nation for a district officer and built translated reasons per person (now evaluate(scope_path=) in SQL, "
    "reasons built when read). (5) With a board connected to the process the snapshot API answers from the "
    "coalescer's board in memory. (6) Group mode (issue 13): above settings.BOARD_TILES_MAX bridges the organizer's "
    "snapshot carries the groups' counters and one province's tiles (192 KB, not 10.6 MB) and its frames the moved "
    "groups' counters and that province's tiles (~21 KB, not 349 KB); a frame re-reads its bridges in one "
    "statement, nets each tile's counter difference and builds feed lines as plain dicts; a nation-sized board is "
    "frozen out of the cyclic collector (a full collection took ~160 ms inside a frame). Still open: read from the "
    "rows, the organizer's snapshot still counts the whole nation for the groups' counters (~0.8-1 s in the "
    "database: under 1 s only from memory); the nation tick's frame is ~20 µs of Python per changed tile (above "
    "20 ms at 1,233 tiles); "
    "reports.data.build evaluates the whole nation for a district officer (a read model is other work). "
    "docs/CAPACITY.md turns these costs into workers and cores."
)


def database_url() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME


def sizes(scale: float) -> dict:
    schools = max(1, round(SCHOOLS_PER_DISTRICT * scale))
    return {"provinces": len(PROVINCES), "districts": DISTRICTS_PER_PROVINCE, "schools": schools,
            "people": max(len(PROVINCES) * DISTRICTS_PER_PROVINCE * schools, round(PEOPLE * scale)),
            "import_rows": max(100, round(IMPORT_ROWS * scale))}


# --- the seed (a child process: python -m bench.bench_nation seed SCALE OUT) -------------------------

class Copier:
    """COPY rows into a model's table; the columns not given get their field's constant default."""

    def __init__(self, cursor, now):
        self.cursor = cursor
        self.now = now

    def copy(self, model, columns: list[str], rows) -> int:
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - fields.keys()
        if unknown:
            raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
        extra, constants = [], []
        for column, f in fields.items():
            if column in columns or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.now
            elif f.has_default() or f.null or f.empty_strings_allowed:
                value = f.get_default()  # a constant default, None, or "" for a blank text field
            else:
                raise ValueError(f"{model.__name__}.{f.name} needs a value")
            extra.append(column)
            constants.append(value)
        names = ", ".join(f'"{c}"' for c in [*columns, *extra])
        count = 0
        tail = tuple(constants)
        with self.cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row((*row, *tail))
                count += 1
        return count

    def restart_ids(self, model) -> None:
        table = model._meta.db_table
        sql = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"  # noqa: S608 - a model's own table
        self.cursor.execute(sql)


def _phones(rng: random.Random, count: int) -> list[str]:
    from bridges.phones import normalize_phone

    for prefix in PHONE_PREFIXES:  # the home's verdict on each pattern, once
        sample = f"{prefix}1234567"
        if normalize_phone(sample) != sample:
            raise RuntimeError(f"{sample} is not kept as typed by normalize_phone: {normalize_phone(sample)!r}")
    phones = [f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}" for _ in range(count)]
    for phone in rng.sample(phones, min(200, len(phones))):
        if normalize_phone(phone) != phone:
            raise RuntimeError(f"{phone} is not kept as typed by normalize_phone")
    return phones


def seed(scale: float) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from attendance.models import BridgeCheckIn, CheckIn, ConnectionInterval, RollCall
    from bench import workbooks as w
    from bridges.models import Bridge, Person, Role, Tier
    from core.text import clean_text, fold
    from events.models import Event, Invitation, Session
    from training.models import CompletionRule

    size = sizes(scale)
    rng = random.Random(f"nation:{scale}")
    now = timezone.now()
    timings = {}
    t_all = time.perf_counter()
    with transaction.atomic():
        tiers = {}
        for code, label, role, order in (("host", "Điểm cầu chính", Tier.Role.HOST, 0),
                                         ("province", "Tỉnh", Tier.Role.INTERMEDIATE, 1),
                                         ("district", "Huyện", Tier.Role.INTERMEDIATE, 2),
                                         ("school", "Trường", Tier.Role.SCHOOL, 3)):
            tiers[code] = Tier.objects.update_or_create(code=code, defaults={"label": label, "role": role,
                                                                             "order": order})[0].pk
        cursor = connection.cursor().cursor  # the psycopg cursor under Django's wrapper
        copier = Copier(cursor, now)

        # Bridges: ids given here so that paths, people and check-ins need no read-back.
        t0 = time.perf_counter()
        phones = _phones(rng, 200_000)
        bridges, schools, districts = [], [], []
        next_id = 1

        def bridge(code, name, tier, parent_path, address, expected):
            nonlocal next_id
            pk, next_id = next_id, next_id + 1
            path = f"{parent_path}{pk}/"
            bridges.append((pk, code, clean_text(name), tiers[tier], int(parent_path.strip("/").split("/")[-1])
                            if parent_path != "/" else None, path, path.count("/") - 2, clean_text(address),
                            f"{rng.choice(w.FAMILY)} {rng.choice(w.MIDDLE)} {rng.choice(w.GIVEN)}",
                            rng.choice(phones), rng.choice(phones), f"{code.lower()}@moet.edu.vn", expected,
                            secrets.token_urlsafe(32)))
            return pk, path

        host_id, host_path = bridge("VN", "Bộ Giáo dục và Đào tạo – điểm cầu chính", "host", "/",
                                    "35 Đại Cồ Việt, Hà Nội", 120)
        for p_no, province in enumerate(PROVINCES, start=1):
            p_code = f"P{p_no:02d}"
            _pid, p_path = bridge(p_code, f"Sở Giáo dục và Đào tạo {province}", "province", host_path,
                                  f"Trung tâm hội nghị tỉnh {province}", 40)
            for d_no in range(1, size["districts"] + 1):
                d_code = f"{p_code}-D{d_no:02d}"
                commune = w.COMMUNES[(p_no + d_no) % len(w.COMMUNES)]
                d_id, d_path = bridge(d_code, f"Phòng GD&ĐT huyện {commune} {d_no} ({province})", "district",
                                      p_path, f"Huyện {commune} {d_no}, {province}", 15)
                districts.append((d_id, d_path, d_code))
                for s_no in range(1, size["schools"] + 1):
                    s_code = f"{d_code}-{s_no:03d}"
                    school_commune = rng.choice(w.COMMUNES)
                    s_id, s_path = bridge(s_code, f"{rng.choice(w.LEVELS)} {school_commune} {s_no}", "school", d_path,
                                          f"Xã {school_commune}, huyện {commune} {d_no}, {province}", 0)
                    schools.append((s_id, s_code))
        columns = ["id", "code", "name", "tier_id", "parent_id", "path", "depth", "address", "head_name",
                   "head_phone", "tech_phone", "email", "expected_participants", "console_token"]
        copier.copy(Bridge, columns, bridges)
        copier.restart_ids(Bridge)
        timings["bridges"] = time.perf_counter() - t0

        # People: 1,000,000 teachers spread over the schools; name keys folded once per distinct name.
        t0 = time.perf_counter()
        names = [f"{f} {m} {g}" for f in w.FAMILY for m in w.MIDDLE for g in w.GIVEN]
        keys = {n: fold(n)[:150] for n in names}
        births = [date(1966, 1, 1) + timedelta(days=d) for d in range(12_000)]
        people_phones = _phones(rng, 300_000)
        per_school, extra = divmod(size["people"], len(schools))
        person_bridge: list[int] = []

        def people_rows():
            pk = 0
            for index, (school_id, _code) in enumerate(schools):
                for _ in range(per_school + (index < extra)):
                    pk += 1
                    person_bridge.append(school_id)
                    name = names[rng.randrange(len(names))]
                    yield (pk, school_id, name, keys[name], births[rng.randrange(12_000)], "F" if pk % 3 else "M",
                           w.SUBJECTS[pk % len(w.SUBJECTS)], people_phones[pk % len(people_phones)],
                           f"0{pk:011d}")

        people = copier.copy(Person, ["id", "bridge_id", "full_name", "name_key", "birth_date", "gender", "subject",
                                      "phone", "teacher_id"], people_rows())
        copier.restart_ids(Person)
        timings["people"] = time.perf_counter() - t0

        # The training: every bridge invited, two roll calls, 30 % / 10 % of the teachers checked in.
        t0 = time.perf_counter()
        event = Event.objects.create(title="Tập huấn chuyển đổi số toàn quốc (bench)", kind=Event.Kind.TRAINING,
                                     host_id=host_id, status=Event.Status.LIVE, starts_at=now - timedelta(hours=1),
                                     ends_at=now + timedelta(hours=5))
        session = Session.objects.create(event=event, title="Tập huấn", starts_at=event.starts_at,
                                         ends_at=event.ends_at, counts_for_completion=True)
        CompletionRule.objects.create(event=event, min_roll_calls=1)
        statuses = [Invitation.Status.CONFIRMED] * 18 + [Invitation.Status.TESTED_OK, Invitation.Status.INVITED]
        copier.copy(Invitation, ["event_id", "bridge_id", "status"],
                    ((event.pk, b[0], statuses[b[0] % len(statuses)]) for b in bridges))
        first = RollCall.objects.create(session=session, label="Đầu giờ", opened_at=now - timedelta(minutes=40),
                                        closes_at=now - timedelta(minutes=30))
        second = RollCall.objects.create(session=session, label="Giữa giờ", opened_at=now - timedelta(minutes=5),
                                         closes_at=now + timedelta(minutes=55))
        present = [b[0] for b in bridges if b[0] % 20 not in (3, 7, 11)]  # 85 %
        copier.copy(BridgeCheckIn, ["event_id", "bridge_id", "checked_in_at", "method", "headcount", "headcount_at"],
                    ((event.pk, b, now - timedelta(minutes=50), "button", 10 + b % 30, now - timedelta(minutes=20))
                     for b in present))
        copier.copy(ConnectionInterval, ["event_id", "bridge_id", "source", "connection_id", "started_at",
                                         "last_seen_at", "ended_at"],
                    ((event.pk, b, "console", f"bench.{b}", now - timedelta(minutes=55), now,
                      now - timedelta(minutes=2) if b % 17 == 0 else None) for b in present))

        def checkins(roll_call, share, opened):
            for pk in range(1, people + 1):
                if (pk * 7919) % 100 < share:
                    at = opened + timedelta(seconds=(pk * 31) % 540)
                    yield (roll_call.pk, pk, person_bridge[pk - 1], False, f"{pk % 65536:04x}", pk % 97 == 0, at, at,
                           "self_qr", "")

        columns = ["roll_call_id", "person_id", "bridge_id", "foreign", "client_key", "same_client", "at",
                   "received_at", "method", "recorded_by"]
        first_n = copier.copy(CheckIn, columns, checkins(first, 30, first.opened_at))
        second_n = copier.copy(CheckIn, columns, checkins(second, 10, second.opened_at))
        timings["event"] = time.perf_counter() - t0

        users = get_user_model().objects
        Role.objects.create(user=users.create_user(ORGANIZER[0], password=ORGANIZER[1]), kind=Role.Kind.ORGANIZER)
        district_id, district_path, district_code = districts[len(districts) // 2]
        Role.objects.create(user=users.create_user(OFFICER[0], password=OFFICER[1]), kind=Role.Kind.DISTRICT_OFFICER,
                            scope_id=district_id)
    t0 = time.perf_counter()
    with connection.cursor() as plain:
        plain.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - t0
    timings["all"] = time.perf_counter() - t_all
    in_district = {s for s, c in schools if c.startswith(district_code + "-")}
    district_people = sum(1 for b in person_bridge if b in in_district)
    return {"event_id": event.pk, "session_id": session.pk, "open_roll_call": second.pk, "bridges": len(bridges),
            "schools": len(schools), "people": people, "checkins": [first_n, second_n],
            "district": {"id": district_id, "path": district_path, "code": district_code,
                         "bridges": sum(1 for b in bridges if b[5].startswith(district_path)),
                         "people": district_people},
            "school_codes": [c for _s, c in schools], "timings": timings}


# --- in-process measures (a child process: python -m bench.bench_nation inproc PREP OUT) -------------

class DatabaseTime:
    """Time spent inside database calls (query sent to rows fetched by the driver), via execute_wrapper."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def _timed(fn, db: DatabaseTime, *, runs: int, budget: float) -> dict:
    """Medians of up to `runs` calls (fewer once `budget` seconds are spent), after one warm-up call when cheap."""
    walls, cpus, dbs, queries = [], [], [], []
    result = None
    spent = 0.0
    for _ in range(runs):
        w0, c0, d0, q0 = time.perf_counter(), time.process_time(), db.seconds, db.queries
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        dbs.append(db.seconds - d0)
        queries.append(db.queries - q0)
        spent += walls[-1]
        if spent > budget:
            break
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "db": statistics.median(dbs),
            "queries": int(statistics.median(queries)), "runs": len(walls), "result": result}


def inproc(prep: dict, runs: int) -> dict:
    import asyncio

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from attendance.board import coalescer as coalescer_module
    from attendance.board import state as board_state
    from attendance.board.coalescer import Coalescer
    from attendance.models import CheckIn
    from events.models import Event
    from reports import data as report_data
    from reports.filters import resolve
    from training.eligibility import evaluate

    db = DatabaseTime()
    out: dict = {}
    event_id = prep["event_id"]
    district_path = prep["district"]["path"]
    with connection.execute_wrapper(db):
        # Board snapshot: what the board's API answers (the consumer's hello points there). The nation's organizer
        # is above settings.BOARD_TILES_MAX: group mode, looking at the district officer's province (its group).
        warm = board_state.snapshot(event_id, district_path)  # warm: imports, translations, first connection
        viewed = warm["groups"][0]["code"]
        out["viewed_group"] = {"code": viewed, "name": warm["groups"][0]["name"]}
        for label, scope_path in (("organizer", None), ("district", district_path)):
            m = _timed(lambda s=scope_path: board_state.snapshot(event_id, s, viewed), db, runs=runs, budget=20)
            snap = m.pop("result")
            body = json.dumps(snap, ensure_ascii=False, separators=(",", ":")).encode()
            out[f"snapshot_{label}"] = {**m, "bytes": len(body), "tiles": len(snap["tiles"]), "mode": snap["mode"]}

        # One frame: the coalescer of this process refreshes the bridges a batch of check-ins touched and
        # builds each scope's body once (what every board of that scope is sent).
        coalescer = asyncio.run(_coalescer(Coalescer, event_id))
        coalescer.board = board_state.EventBoard.load(event_id)
        coalescer_module.settle_heap(coalescer.board)  # as Coalescer.start does
        coalescer.last_shared = coalescer._shared_state()
        # The snapshot from the coalescer's board in memory (a board of the event connected to the process),
        # built and serialized: the organizer's group mode with one province's tiles.
        for label, scope_path in (("organizer", None), ("district", district_path)):
            m = _timed(lambda s=scope_path: json.dumps(coalescer.board.snapshot(s, viewed), ensure_ascii=False,
                                                       separators=(",", ":")).encode(), db, runs=runs, budget=10)
            body = m.pop("result")
            out[f"memory_snapshot_{label}"] = {**m, "bytes": len(body)}
        checked = set(CheckIn.objects.filter(roll_call_id=prep["open_roll_call"]).values_list("person_id", flat=True))
        in_district = _district_people(district_path, exclude=checked)
        taken = checked | set(in_district)
        waiting = [pk for pk in range(1, prep["people"] + 1) if pk not in taken]
        random.Random("frames").shuffle(waiting)
        bridge_of = dict(_people_bridges(waiting[:20_000] + in_district))
        frames = {}
        batches = (("province tick (64 check-ins)", 64),
                   (f"nation tick ({NATION_RATE // 4:,} check-ins, 5,000/s × 250 ms)", NATION_RATE // 4))
        cursor_pos = 0
        for label, size in batches:
            rounds = []
            for _ in range(runs):
                batch = waiting[cursor_pos:cursor_pos + size]
                cursor_pos += size
                if len(in_district) > 2:  # a few of them in the district officer's district
                    batch = batch[:-2] + [in_district.pop(), in_district.pop()]
                ids = _insert_checkins(prep["open_roll_call"], batch, bridge_of)
                rounds.append(_frame(coalescer, ids, district_path, db, view=viewed))
            frames[label] = _median_frames(rounds)
        rounds = [_frame(coalescer, set(), district_path, db, sweep=True, view=viewed) for _ in range(runs)]
        frames[f"online sweep (every {coalescer_module.ONLINE_SWEEP_SECONDS:.0f} s)"] = _median_frames(rounds)
        rounds = [_frame(coalescer, set(), district_path, db, full=True, view=viewed) for _ in range(max(1, runs - 1))]
        frames[f"periodic full refresh (every {coalescer_module.FULL_REFRESH_SECONDS:.0f} s)"] = _median_frames(rounds)
        out["frames"] = frames

        # The eligibility of the training (what certificates, the eligibility page and the reports read).
        event = Event.objects.get(pk=event_id)
        m = _timed(lambda: evaluate(event, now=timezone.now()), db, runs=max(1, runs - 1), budget=60)
        report = m.pop("result")
        out["eligibility"] = {**m, "standings": len(report.standings), "eligible": report.eligible_count}
        del report

        # The reports' numbers (the reports page and /api/attendance/events/<id>/report call this).
        users = get_user_model().objects
        for label, username in (("organizer", ORGANIZER[0]), ("district", OFFICER[0])):
            user = users.get(username=username)
            filters = resolve(event, user, role=user.diemcau_role)
            m = _timed(lambda f=filters: report_data.build(event, f), db, runs=max(1, runs - 1), budget=60)
            built = m.pop("result")
            out[f"report_{label}"] = {**m, "groups": len(built.groups), "bridges": len(built.bridges),
                                      "people": len(built.people)}
            del built
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


async def _coalescer(cls, event_id):
    return cls(event_id)  # needs a running loop for its own bookkeeping; its tasks are never started


def _people_bridges(person_ids):
    from bridges.models import Person

    return Person.objects.filter(pk__in=person_ids).values_list("pk", "bridge_id")


def _district_people(path: str, exclude: set):
    from bridges.models import Person

    return [pk for pk in Person.objects.filter(bridge__path__startswith=path).values_list("pk", flat=True)
            if pk not in exclude][:200]


def _insert_checkins(roll_call_id: int, person_ids: list[int], bridge_of: dict) -> set[int]:
    """The batch's rows, as a check-in batch writes them (not timed: the frame is what is measured)."""
    from django.utils import timezone

    from attendance.models import CheckIn

    missing = [pk for pk in person_ids if pk not in bridge_of]
    if missing:
        bridge_of.update(_people_bridges(missing))
    now = timezone.now()
    CheckIn.objects.bulk_create([CheckIn(roll_call_id=roll_call_id, person_id=pk, bridge_id=bridge_of[pk], at=now,
                                         method=CheckIn.Method.SELF_QR) for pk in person_ids], batch_size=2000)
    return {bridge_of[pk] for pk in person_ids}


def _frame(coalescer, bridge_ids: set[int], district_path: str, db: DatabaseTime, *, full: bool = False,
           sweep: bool = False, view: str | None = None) -> dict:
    from attendance.board import state as board_state

    w0, c0, d0 = time.perf_counter(), time.process_time(), db.seconds
    changed = coalescer._refresh(set(bridge_ids), full, sweep)
    refreshed = time.process_time()
    items = coalescer._feed_items([])
    generated = board_state.now_ms()
    # The organizer's body in group mode, looking at the group `view`; the district's whole, as always.
    bodies = {scope: coalescer._body(scope, changed, items, False, generated, view=view)
              for scope in (None, district_path)}
    cpu = time.process_time() - c0
    return {"wall": time.perf_counter() - w0, "cpu": cpu, "db": db.seconds - d0, "refresh_cpu": refreshed - c0,
            "bodies_cpu": cpu - (refreshed - c0), "bridges": len(bridge_ids), "changed": len(changed),
            "bytes_organizer": len((bodies[None] or "").encode()),
            "bytes_district": len((bodies[district_path] or "").encode())}


def _median_frames(rounds: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in rounds) for key in rounds[0]} | {"runs": len(rounds)}


# --- over HTTP ----------------------------------------------------------------------------------------

def _http(server, prep: dict, runs: int, viewed: str | None = None) -> dict:
    from bench.bench_floor import cpu_seconds, database_cpu_seconds

    event_id = prep["event_id"]
    paths = {
        # The organizer's in group mode, looking at one province (as its board asks after a pick).
        "board snapshot (API)": f"/api/attendance/events/{event_id}/board" + (f"?group={viewed}" if viewed else ""),
        "reports numbers (API)": f"/api/attendance/events/{event_id}/report",
        "reports page": f"/attendance/events/{event_id}/reports/",
        "eligibility (API, first 100)": f"/api/training/events/{event_id}/eligibility?limit=100",
    }
    out = {}
    for role, (username, password) in (("organizer", ORGANIZER), ("district", OFFICER)):
        client = server.client(username, password, timeout=900)
        try:
            for label, path in paths.items():
                walls, cpus, pgs, size = [], [], [], 0
                spent = 0.0
                for attempt in range(runs + 1):
                    c0, p0, w0 = cpu_seconds(server.process.pid), database_cpu_seconds(), time.perf_counter()
                    answer = client.get(path)
                    wall = time.perf_counter() - w0
                    answer.raise_for_status()
                    cpu, pg = cpu_seconds(server.process.pid) - c0, database_cpu_seconds() - p0
                    size = len(answer.content)
                    spent += wall
                    if attempt == 0 and wall < 5:
                        continue  # a warm-up when cheap
                    walls.append(wall)
                    cpus.append(cpu)
                    pgs.append(pg)
                    if spent > 40:
                        break
                out[f"{role}: {label}"] = {"wall": statistics.median(walls), "cpu": statistics.median(cpus),
                                           "pg_cpu": statistics.median(pgs), "bytes": size, "runs": len(walls)}
        finally:
            client.close()
    return out


# --- import ------------------------------------------------------------------------------------------

def write_roster(path: Path, rows: int, school_codes: list[str], seed_: int = 2026) -> int:
    """An office-shaped roster (bench.workbooks' columns and cell types) for the nation's schools."""
    import openpyxl

    from bench import workbooks as w

    rng = random.Random(seed_)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Giáo viên")
    ws.append(["BỘ GIÁO DỤC VÀ ĐÀO TẠO"])
    ws.append(["DANH SÁCH GIÁO VIÊN BỔ SUNG THAM GIA TẬP HUẤN"])
    ws.append([])
    ws.append(w.PEOPLE_HEADER)
    # 25 new teachers a school, as a batch of provinces would send.
    codes = school_codes[: max(1, rows // 25)]
    start = date(1966, 1, 1)
    for index in range(rows):
        cell_id = openpyxl.cell.WriteOnlyCell(ws, value=48_000_000_000 + index)
        cell_id.number_format = "000000000000"
        born = start + timedelta(days=rng.randrange(12000))
        ws.append([index + 1, w._name(rng), born if rng.random() < 0.7 else born.strftime("%d/%m/%Y"),
                   rng.choice(("Nam", "Nữ")), rng.choice(w.SUBJECTS), w._phone(rng), None, cell_id,
                   codes[index * len(codes) // rows]])
    ws.append([None, f"Tổng cộng: {rows} người"])
    wb.save(path)
    return len(codes)


# --- driver ------------------------------------------------------------------------------------------

def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _env() -> dict:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
                "JOBS_MODE": "inline", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"})
    env.pop("REDIS_URL", None)
    return env


def _child(*args: str, timeout: float = 3600) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.bench_nation", *args], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{proc.stderr[-4000:]}")
    return json.loads(Path(args[-1]).read_text())


def seed_only(scale: float, out: Path) -> dict:
    """Create, migrate and seed the database, and keep it (for profiling by hand)."""
    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=_env(), check=True,
                   capture_output=True, timeout=600)
    return _child("seed", str(scale), str(out))


def measure(scale: float, *, keep: bool = False, log=print) -> dict:
    from bench.server import Server

    runs = 3
    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    result: dict = {"scale": scale}
    try:
        with tempfile.TemporaryDirectory(prefix="diemcau-bench-nation-") as tmp:
            tmp = Path(tmp)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=_env(), check=True,
                           capture_output=True, timeout=600)
            result["migrate_s"] = time.perf_counter() - t0
            log(f"  migrated in {result['migrate_s']:.1f} s; seeding at scale {scale} …")
            t0 = time.perf_counter()
            prep = _child("seed", str(scale), str(tmp / "prep.json"))
            result["seed_s"] = time.perf_counter() - t0
            result["prep"] = {k: v for k, v in prep.items() if k != "school_codes"}
            log(f"  seeded {prep['bridges']:,} bridges, {prep['people']:,} people, "
                f"{sum(prep['checkins']):,} check-ins in {result['seed_s']:.0f} s ({prep['timings']})")
            result["inproc"] = _child("inproc", str(tmp / "prep.json"), str(runs), str(tmp / "inproc.json"))
            log(f"  in-process done: {json.dumps(result['inproc'])[:600]}")
            with Server(database_url=database_url(), jobs_mode="inline", env={"DB_POOL": "1"}) as server:
                result["http"] = _http(server, prep, runs, result["inproc"].get("viewed_group", {}).get("code"))
                log(f"  over HTTP: {json.dumps(result['http'])}")
                sheet = tmp / "danh-sach-giao-vien-bo-sung.xlsx"
                rows = sizes(scale)["import_rows"]
                schools = write_roster(sheet, rows, prep["school_codes"])
                seconds, rss, output = server.timed("import_people", str(sheet))
                result["import"] = {"rows": rows, "schools": schools, "seconds": seconds, "rss_mb": rss,
                                    "bytes": sheet.stat().st_size, "output": output[-400:]}
                log(f"  import of {rows:,} rows: {seconds:.1f} s, {rss} MB")
    finally:
        if not keep:
            _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    return result


def _fig(name, value, unit, target=None, ok=None):
    return {"name": name, "value": value, "unit": unit, "target": target or "", "ok": ok}


def figures(result: dict) -> tuple[list[dict], str]:
    prep, inp, http = result["prep"], result["inproc"], result.get("http", {})
    full = result["scale"] >= 1
    district = prep["district"]

    def target(text, ok):
        return (text, ok) if full else (f"{text} (at full size)", None)

    figs = [_fig(f"seed: {prep['bridges']:,} bridges, {prep['people']:,} people, {sum(prep['checkins']):,} check-ins "
                 "(COPY, then ANALYZE)", round(result["seed_s"], 1), "s", "< 600 s", result["seed_s"] < 600)]
    def shown(label):
        m = inp[f"snapshot_{label}"]
        if m.get("mode") == "groups":
            return f"group mode: every group's counters, {m['tiles']:,} tiles of {inp['viewed_group']['code']}"
        return f"{m['tiles']:,} tiles" if "tiles" in m else "every tile"

    for label, t, name in (("organizer", SNAPSHOT_TARGET_ORGANIZER_S, f"organizer, {prep['bridges']:,} bridges"),
                           ("district", SNAPSHOT_TARGET_DISTRICT_S, f"district officer, {district['bridges']} bridges")):
        m = inp[f"snapshot_{label}"]
        tt, ok = target(f"< {t * 1000:.0f} ms", m["wall"] < t)
        figs.append(_fig(f"board snapshot in-process from the rows, {name} ({shown(label)}): wall",
                         round(m["wall"] * 1000), "ms", tt, ok))
        figs.append(_fig("  its CPU / time in database calls / queries", f"{m['cpu'] * 1000:,.0f} / "
                         f"{m['db'] * 1000:,.0f} / {m['queries']}", "ms / ms / n"))
        figs.append(_fig("  its size (compact JSON, UTF-8)", round(m["bytes"] / 1024), "KB"))
        h = http.get(f"{label}: board snapshot (API)")
        if h:
            tt, ok = target(f"< {t * 1000:.0f} ms", h["wall"] < t)
            figs.append(_fig(f"board snapshot over HTTP (GET …/board), {label}: wall / server CPU",
                             f"{h['wall'] * 1000:,.0f} / {h['cpu'] * 1000:,.0f}", "ms", tt, ok))
            figs.append(_fig("  its size (UTF-8 JSON as built; gzipped on the wire when the client asks)", round(h["bytes"] / 1024), "KB"))
        mem = inp.get(f"memory_snapshot_{label}")
        if mem:
            tt, ok = target(f"< {t * 1000:.0f} ms", mem["wall"] < t)
            figs.append(_fig(f"board snapshot from the coalescer's board in memory, {label}, built + JSON: wall / CPU",
                             f"{mem['wall'] * 1000:,.1f} / {mem['cpu'] * 1000:,.1f}", "ms", tt, ok))
    for label, m in inp["frames"].items():
        tt, ok = target(f"< {FRAME_TARGET_MS:.0f} ms CPU", m["cpu"] * 1000 < FRAME_TARGET_MS)
        figs.append(_fig(f"one frame, {label}: CPU (refresh + 2 scopes' bodies)", round(m["cpu"] * 1000, 1), "ms",
                         tt, ok))
        figs.append(_fig("  wall / in database calls / bridges touched / tiles changed",
                         f"{m['wall'] * 1000:,.1f} / {m['db'] * 1000:,.1f} / {m['bridges']:,.0f} / {m['changed']:,.0f}",
                         "ms / ms / n / n"))
        figs.append(_fig("  frame size organizer / district", f"{m['bytes_organizer'] / 1024:,.1f} / "
                         f"{m['bytes_district'] / 1024:,.1f}", "KB"))
    e = inp["eligibility"]
    figs.append(_fig(f"eligibility of the training, {e['standings']:,} people (training.eligibility.evaluate): wall",
                     round(e["wall"], 2), "s"))
    figs.append(_fig("  its CPU / in database calls", f"{e['cpu']:,.2f} / {e['db']:,.2f}", "s"))
    for label in ("organizer", "district"):
        m = inp[f"report_{label}"]
        figs.append(_fig(f"reports numbers in-process (reports.data.build), {label}, {m['people']:,} people: wall / CPU",
                         f"{m['wall']:,.2f} / {m['cpu']:,.2f}", "s"))
    for key, h in http.items():
        if "board snapshot" in key:
            continue
        figs.append(_fig(f"over HTTP, {key}: wall / server CPU", f"{h['wall']:,.2f} / {h['cpu']:,.2f}", "s"))
    imp = result.get("import")
    if imp:
        figs.append(_fig(f"import of a {imp['rows']:,}-row roster onto {imp['schools']:,} schools "
                         "(manage.py import_people, whole process)", round(imp["seconds"], 1), "s"))
        figs.append(_fig("  its peak RSS", imp["rss_mb"], "MB"))
    figs.append(_fig("peak RSS of the in-process measuring child", round(inp["peak_rss_mb"]), "MB"))
    notes = (
        f"Scale {result['scale']}: the host, {len(PROVINCES)} provinces × {DISTRICTS_PER_PROVINCE} districts × "
        f"{sizes(result['scale'])['schools']} schools ({prep['bridges']:,} bridges), {prep['people']:,} teachers, one "
        f"training inviting every bridge, check-ins {prep['checkins'][0]:,} (first roll call, closed) and "
        f"{prep['checkins'][1]:,} (second, open), bridge check-ins and console connections for 85 % of the bridges; "
        f"seeded by COPY in {result['seed_s']:.0f} s (bridges {prep['timings']['bridges']:.0f} s, people "
        f"{prep['timings']['people']:.0f} s, event and check-ins {prep['timings']['event']:.0f} s, ANALYZE "
        f"{prep['timings']['analyze']:.0f} s), not counted. The district officer covers {district['code']} "
        f"({district['bridges']} bridges, {district['people']:,} teachers); groups on the board and in reports are "
        "provinces (bridges.tree.group_of: the highest intermediate bridge). In-process figures are medians of up "
        "to 3 runs (1 when a run is long); 'in database calls' is the wall time inside cursor.execute and fetches "
        "(PostgreSQL's work plus transfer). A frame is the coalescer's _refresh for the bridges a batch of "
        "check-ins touched (rows inserted beforehand, not timed) plus one body per scope (organizer, district); "
        "every board of a scope gets the same bytes"
        + ("; the organizer's board is in group mode (above settings.BOARD_TILES_MAX bridges: counters of the groups "
           "that moved, tiles of the province it looks at). " if inp["snapshot_organizer"].get("mode") == "groups"
           else ". ")
        + "Over HTTP: one uvicorn worker, logged in, server CPU from "
        "/proc. Check-in attempts are not seeded (the board and reports do not read them)."
    )
    return figs, notes + "\n\n" + FINDINGS


def run(quick: bool = False) -> dict:
    title = "Nation size: 40,000 bridges and 1,000,000 people (PostgreSQL)"
    command = ".venv/bin/python -m bench.run --only nation"
    from bench.bench_live import PG_ADMIN_URL as _admin_url  # noqa: F401 - same server as the live bench

    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return {"title": title, "command": command, "figures": [], "notes": f"Skipped: PostgreSQL not reachable: {exc}"}
    scale = float(os.environ.get("BENCH_NATION_SCALE", "1"))
    load_before = os.getloadavg()[0]
    result = measure(scale)
    figs, notes = figures(result)
    load_after = os.getloadavg()[0]
    # Two cores: above one before the run, something else held a core. Not the load at the end: the run's
    # own PostgreSQL and child raise it to one or two by themselves.
    if load_before > 1.0:
        notes = (f"**Provisional**: measured on a busy machine (load average {load_before:.1f} at the start, "
                 f"{load_after:.1f} at the end, on 2 cores); rerun on a quiet machine.\n\n" + notes)
    return {"title": title, "command": command + (f" (BENCH_NATION_SCALE={scale})" if scale != 1 else ""),
            "figures": figs, "notes": notes}


def main(argv: list[str]) -> None:
    if argv[:1] == ["seed"]:
        Path(argv[2]).write_text(json.dumps(seed(float(argv[1])), default=str))
        return
    if argv[:1] == ["inproc"]:
        prep = json.loads(Path(argv[1]).read_text())
        Path(argv[3]).write_text(json.dumps(inproc(prep, int(argv[2])), default=str))
        return
    import argparse

    parser = argparse.ArgumentParser(description="Nation-size benchmark (prints; bench.run writes BENCHMARKS.md)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database afterwards")
    parser.add_argument("--seed-only", metavar="PREP_JSON", help="seed, keep the database, write what was seeded")
    args = parser.parse_args(argv)
    if args.seed_only:
        prep = seed_only(args.scale, Path(args.seed_only))
        print(f"seeded {prep['bridges']:,} bridges, {prep['people']:,} people into {database_url()}")
        return
    result = measure(args.scale, keep=args.keep)
    figs, notes = figures(result)
    for fig in figs:
        print(f"  {fig['name']}: {fig['value']} {fig['unit']}  {fig['target']}"
              f"{'' if fig['ok'] is None else (' met' if fig['ok'] else ' MISSED')}")
    print(notes)


if __name__ == "__main__":
    main(sys.argv[1:])
