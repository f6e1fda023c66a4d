"""Teachers checking in from the roll-call QR, written in batches (core.group_commit).

A roll call brings a province's teachers to their phones within a minute or two. Each scan is
checked on its own (the code's signature and window, the roll call open, who the teacher is), but
the scans that arrive together are read with one query per table and written with one insert per
table in one transaction, and the boards are told once per batch. The answers are those of a
check-in written alone: the same nonce twice gets the first answer (also within one batch), a
person recorded twice gets DUPLICATE with the first time.

Another process may write the same nonce or person meanwhile (PostgreSQL with several workers):
the batch's transaction then fails on a unique constraint and its scans are written again one by
one, each reading what is now committed.

One phone, one person per page load (issue 15): every scan carries the token of the page it was
typed on (qr.read_page); the first successful answer consumes the token's id, stored as a
ClientNonce of scope "page:<roll call>" beside the teachers' nonces, and a later submit from that
page answers PAGE_USED. By name, the birth year goes with a second check (second_factor). Answers
never carry a person's name: the teacher typed an identifier or chose a masked name. Rate limits
per client and roll call are attendance.services.throttle's. Each check-in keeps a short key of
its client (address, browser, device cookie); past ATTENDANCE_SAME_CLIENT_FLAG_AFTER check-ins of one
client at one roll call, all of them are flagged `same_client` (shown on the board, the roll-call pages and the
reports, as `foreign` is).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bridges.identifiers import clean_identifier
from bridges.models import Bridge, Person
from core.bulk_sql import Count, Insert, NextIds, Select, fetch, insert_rows, read, write
from core.group_commit import GroupCommit
from core.keyed_hash import salted_hmac
from core.text import clean_text

from .. import live
from ..models import CheckIn, CheckInAttempt, ClientNonce, RollCall
from . import idempotency, qr, roster, teacher_names, throttle
from . import second_factor as factors
from .checkin import (
    ATTEMPT_COLUMNS,
    CHECKIN_COLUMNS,
    Attempt,
    Context,
    checkin_values,
    feed_line,
    new_checkin,
    recorded,
    refusal,
    refused_error,
    save_attempt,
)

Outcome = CheckInAttempt.Outcome
MAX_BATCH = 100


def same_client_flag_after() -> int:
    """More check-ins than this from one client at one roll call are flagged (a phone lent to a colleague
    or two is ordinary; a whole staff room from one device is not)."""
    return int(getattr(settings, "ATTENDANCE_SAME_CLIENT_FLAG_AFTER", 3))


# A random id per phone browser, set by the teacher page: with the address and the browser it tells one
# device from another behind a school's NAT (phones of one model send the same browser string). Read by
# every way a check-in arrives (the page, the API, the fast path), so the flag counts devices alike.
DEVICE_COOKIE = "diemcau_device"


def device_of(cookies) -> str:
    """The device id among a request's cookies ("" when it has none)."""
    return (cookies.get(DEVICE_COOKIE) or "")[:64]


def client_key(ip: str | None, user_agent: str = "", device: str = "") -> str:
    """A short, keyed hash of the client: address, browser and the page's device cookie."""
    raw = f"{ip or ''}|{(user_agent or '')[:300]}|{(device or '')[:64]}"
    return salted_hmac("attendance.client", raw, algorithm="sha256").hexdigest()[:16]


@dataclass
class Scan:
    """One teacher's check-in as the page or the API received it."""

    code_token: str
    page_token: str | None = None
    identifier: str = ""
    person_id: object = None
    birth_year: object = ""
    second_factor: object = ""
    nonce: object = None
    ip: str | None = None
    client_key: str = ""
    now: datetime = field(default_factory=timezone.now)
    # The answer's language: the batch is written by whichever request thread leads it.
    language: str | None = None
    # What the client's limits count the answer under (admit and settle).
    roll_call_id: int | None = None
    page_id: str | None = None
    # The page token's signature, checked once at admission (qr.read_page_token): the per-page limits'
    # key, then the batch's page check.
    page: qr.PageToken | None = None


def self_check_in(code_token: str, *, page_token: str | None = None, identifier="", person_id=None, birth_year="",
                  second_factor="", nonce=None, ip: str | None = None, user_agent: str = "", device: str = "",
                  now: datetime | None = None) -> idempotency.Answer:
    """A teacher's check-in from the QR: by identifier, or by name plus birth year and the second check.

    Raises throttle.Throttled (nothing is written) when the client is over its limits at this roll call.
    """
    scan = admit(code_token, page_token=page_token, identifier=identifier, person_id=person_id,
                 birth_year=birth_year, second_factor=second_factor, nonce=nonce, ip=ip, user_agent=user_agent,
                 device=device, now=now)
    # Inside the caller's transaction only its own scan may be written: others' would share its fate.
    inside = transaction.get_connection().in_atomic_block
    answer = write_scans([scan])[0] if inside else WRITES.submit(scan)
    settle(scan, answer)
    return answer


def admit(code_token: str, *, page_token: str | None = None, identifier="", person_id=None, birth_year="",
          second_factor="", nonce=None, ip: str | None = None, user_agent: str = "", device: str = "",
          now: datetime | None = None) -> Scan:
    """The scan to write, once the client's limits at this roll call allow it (throttle.Throttled if not).
    Its answer's language is the active one."""
    roll_call_id = qr.roll_call_id_of(code_token)
    page = qr.read_page_token(page_token) if page_token else None
    page_id = page.page_id if page else None
    client = client_key(ip, user_agent, device)
    throttle.check_in_allowed(ip, roll_call_id, page_id, client)
    return Scan(code_token, page_token=page_token, identifier=identifier or "", person_id=person_id,
                birth_year=birth_year or "", second_factor=second_factor or "", nonce=nonce, ip=ip,
                client_key=client, now=now or timezone.now(),
                language=translation.get_language() or settings.LANGUAGE_CODE,
                roll_call_id=roll_call_id, page_id=page_id, page=page)


def settle(scan: Scan, answer: idempotency.Answer) -> None:
    """After the answer: what the client's limits count (a replayed nonce counts nothing)."""
    if not answer.replayed:
        throttle.count_answer(scan.ip, scan.roll_call_id, scan.page_id, ok=bool(answer.body.get("ok")),
                              device=scan.client_key)


def check_in_many(requests: list[dict]) -> list[idempotency.Answer | throttle.Throttled]:
    """self_check_in for many teachers at once, written in one batch: each request is admit()'s keyword
    arguments plus "language"; each gets its answer, or the Throttled refusal that kept it out. The fast
    path (attendance/fast_path.py) collects what arrives together on the event loop and hands it here."""
    results: list = [None] * len(requests)
    admitted: list[tuple[int, Scan]] = []
    for index, request in _each_in_its_language(enumerate(requests), lambda item: item[1].get("language")):
        arguments = dict(request)
        arguments.pop("language", None)
        try:
            admitted.append((index, admit(**arguments)))
        except throttle.Throttled as refused:
            results[index] = refused
    if admitted:
        for (index, scan), answer in zip(admitted, write_scans([scan for _i, scan in admitted]), strict=True):
            settle(scan, answer)
            results[index] = answer
    return results


def _each_in_its_language(items, language_of):
    """The items, each with its language active (LANGUAGE_CODE when it names none). The language is
    switched only where it changes: a batch is mostly one language, and each switch costs more than
    the rest of a scan's admission."""
    current = object()
    with ExitStack() as stack:
        for item in items:
            language = language_of(item) or settings.LANGUAGE_CODE
            if language != current:
                stack.close()
                stack.enter_context(translation.override(language, deactivate=False))
                current = language
            yield item


def open_page(code_token: str, now: datetime | None = None) -> tuple[qr.ScannedCode, str]:
    """A teacher page loads: the verified code (QRRefused if not) and a new single-use page token."""
    code = qr.verify(code_token, now)
    return code, qr.make_page_token(code)


def find_names(code_token: str, page_token: str, query, *, ip: str | None = None,
               now: datetime | None = None) -> teacher_names.Found:
    """Names on the code's bridge roster matching what the teacher typed (teacher_names), for a fresh
    page of an open roll call; Refused (forged, expired, closed, throttled) otherwise. Nothing is stored."""
    now = now or timezone.now()
    try:
        code = qr.authenticate(code_token)
        page = qr.read_page(page_token, code)
    except qr.QRRefused as refused:
        raise refused_error(refused.outcome) from None
    if not page.fresh:
        raise refused_error(Outcome.EXPIRED_QR)
    if not code.roll_call.is_open(now):
        raise refused_error(Outcome.CLOSED)
    throttle.search_allowed(ip, code.roll_call.pk, page.id)
    return teacher_names.search(code.bridge_id, query)


@transaction.atomic
def refuse_scan(refused: qr.QRRefused, *, ip: str | None = None) -> tuple[int, dict]:
    """A code refused when the teacher page loads (forged, expired, closed): stored and answered."""
    ctx = Context(method=CheckIn.Method.SELF_QR, ip=ip)
    if refused.bridge_id is not None:
        ctx.bridge = Bridge.objects.filter(pk=refused.bridge_id).first()
    attempt, status, body = refusal(refused.roll_call, ctx, refused.outcome, refused.reason)
    save_attempt(attempt)
    return status, body


def write_scans(scans: list[Scan]) -> list[idempotency.Answer]:
    """Check these scans in, in one transaction; one answer per scan, in order."""
    try:
        with transaction.atomic():
            return _Batch(scans).write()
    except IntegrityError:
        if len(scans) > 1:
            return [answer for scan in scans for answer in write_scans([scan])]
        # The row that got in the way is committed now (the unique index made us wait for it).
        with transaction.atomic():
            return _Batch(scans).write()


WRITES = GroupCommit(write_scans, max_batch=MAX_BATCH)


def _birth_year(value) -> int | None:
    text = clean_text(value)
    return int(text) if text.isdigit() and len(text) == 4 else None


def _nonce_scope(roll_call_id: int) -> str:
    # A teacher's nonce is unique within the roll call the page was opened for.
    return f"rollcall:{roll_call_id}"


def _page_scope(roll_call_id: int) -> str:
    # A consumed page token: the id of a page that already checked someone in.
    return f"page:{roll_call_id}"


def _person_pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_NONCE_FIELDS = ("scope", "nonce", "status_code", "response", "created_at")
# What the batch reads of a person and of an earlier check-in (the answer, the second check, the roster push).
_PERSON_FIELDS = ("bridge", "full_name", "teacher_id", "birth_date")
_BRIDGE_FIELDS = ("code", "name")
_ROW_FIELDS = ("roll_call", "person", "bridge", "at", "foreign", "method", "recorded_by", "received_at", "client_key")


class _Answered(NamedTuple):
    """A nonce's (or a spent page's) answer, to be written as a ClientNonce row and replayed
    (idempotency.replay) within the batch: two model instances per scan cost more than its rules."""

    scope: str
    nonce: str
    status_code: int
    response: dict


class _Batch:
    # Reads and writes go through core.bulk_sql (plain statements, only the columns used, no default
    # ordering): through the ORM's compiler the batch's few rows cost more CPU than the database's work.
    # The rules stay here; only how the rows are read and written changed.
    def __init__(self, scans: list[Scan]):
        self.scans = scans
        self.answers: list[idempotency.Answer | None] = [None] * len(scans)
        self.attempts: list[Attempt] = []
        self.new_rows: list[CheckIn] = []
        self.nonces: dict[tuple[str, str], _Answered] = {}  # teachers' nonces and consumed pages alike
        self.replays: dict[int, tuple[str, str]] = {}  # scan index -> nonce written earlier in this batch
        self.changed: dict[int, tuple[set[int], list[dict]]] = {}  # event -> (bridges, feed lines)
        self.homes: dict[int, set[int]] = {}  # event -> own bridges of those checked in at another bridge
        self.client_counts: dict[tuple[int, str], int] = {}  # (roll call, client) -> check-ins so far
        self.crossed: set[tuple[int, str, int]] = set()  # (roll call, client, event) flagged in this batch
        self.reserved_ids: list[int] | None = None  # new check-ins' ids, read with the batch (PostgreSQL)

    def write(self) -> list[idempotency.Answer]:
        contexts = [self._context(scan) for scan in self.scans]
        # Each page token's signature, checked once (at admission when it went through admit).
        tokens = [scan.page or (qr.read_page_token(scan.page_token) if scan.page_token else None)
                  for scan in self.scans]
        codes = self._read_stored(contexts, tokens)
        pages = [self._page(scan, code, token) for scan, code, token in zip(self.scans, codes, tokens, strict=True)]
        scans = enumerate(zip(self.scans, codes, pages, contexts, strict=True))
        for index, (scan, code, page, ctx) in _each_in_its_language(scans, lambda item: item[1][0].language):
            self.answers[index] = self._one(index, scan, code, page, ctx)
        self._insert()
        self._flag_earlier_rows()
        for index, key in self.replays.items():
            self.answers[index] = idempotency.replay(self.nonces[key])
        with live.together():  # boards and consoles told in one trip after commit
            for event_id, (bridge_ids, feed) in self.changed.items():
                live.bridges_changed(event_id, sorted(bridge_ids), feed=feed, homes=self.homes.get(event_id, ()))
            roster.notify(self.new_rows)  # the consoles' rosters show these check-ins without a reload
        return self.answers

    def _insert(self) -> None:
        """The batch's rows, what bulk_create would write (core.bulk_sql): on PostgreSQL every table's in one
        round trip, the new check-ins with the ids read with the batch; elsewhere one multi-row INSERT per
        table; in the batch's transaction. A row another worker wrote meanwhile fails its unique constraint:
        IntegrityError, and write_scans writes the scans again one by one."""
        now = timezone.now()  # auto_now_add, once for the batch
        inserts = []
        if self.new_rows:
            rows = [checkin_values(r, now) for r in self.new_rows]
            if self.reserved_ids is not None:  # PostgreSQL: taken with the reads, written with the others below
                ids = self.reserved_ids[:len(rows)]
                inserts.append(Insert(CheckIn, ("id", *CHECKIN_COLUMNS),
                                      [(pk, *row) for pk, row in zip(ids, rows, strict=True)]))
            else:
                ids = insert_rows(CheckIn, CHECKIN_COLUMNS, rows, return_ids=True)
            for row, pk in zip(self.new_rows, ids, strict=True):
                row.pk, row.received_at = pk, now
                row._state.adding, row._state.db = False, "default"
        write(*inserts, Insert(CheckInAttempt, ATTEMPT_COLUMNS, [a.values(now) for a in self.attempts]),
              Insert(ClientNonce, _NONCE_FIELDS,
                     [(n.scope, n.nonce, n.status_code, n.response, now) for n in self.nonces.values()]))

    @staticmethod
    def _page(scan: Scan, code, token: qr.PageToken | None) -> qr.Page | qr.QRRefused | None:
        if not isinstance(code, qr.ScannedCode) or not scan.page_token:
            return None
        try:
            return qr.read_page(scan.page_token, code, token)
        except qr.QRRefused as refused:
            return refused

    @staticmethod
    def _context(scan: Scan) -> Context:
        return Context(method=CheckIn.Method.SELF_QR, ip=scan.ip, identifier=clean_identifier(scan.identifier)[:64],
                       nonce=idempotency.clean_nonce(scan.nonce) or "")

    def _read_stored(self, contexts, tokens) -> list:
        """The batch's codes, verified (qr.judge_many), and what the database already holds for the batch:
        answers to its nonces, consumed pages, its people, their rows, how many check-ins each client already
        made, and the bridges of all these. Two round trips (core.bulk_sql.read), the first before the codes
        are verified: keyed by the roll calls the codes name, so a forged code's roll call may be read in
        vain, never used (its scan is refused first, in _one). Only lists of keys, no subqueries: with a
        fresh table's statistics PostgreSQL planned `person_id IN (SELECT ...)` as a scan of the roll call's
        rows. Plain statements of the columns the batch uses: through the ORM these few rows cost most of a
        batch's CPU, and each round trip about 0.1 ms more."""
        parsed = qr.parse_many([scan.code_token for scan in self.scans])
        named = {item[0] for item in parsed if item is not None}  # the roll calls the codes name
        keys = {(_nonce_scope(item[0]), ctx.nonce) for item, ctx in zip(parsed, contexts, strict=True)
                if item is not None and ctx.nonce}
        keys |= {(_page_scope(item[0]), token.page_id) for item, token in zip(parsed, tokens, strict=True)
                 if item is not None and token is not None and token.page_id}
        identifiers = {ctx.identifier for ctx in contexts if ctx.identifier}
        chosen = {pk for scan, ctx in zip(self.scans, contexts, strict=True)
                  if not ctx.identifier and (pk := _person_pk(scan.person_id)) is not None}
        clients = {scan.client_key for scan in self.scans if scan.client_key}
        roll_calls, stored, by_identifier, by_pk, self.client_counts = read(
            qr.roll_call_read(parsed),
            Select(ClientNonce, ("scope", "nonce", "status_code", "response"),
                   {"scope": {k[0] for k in keys}, "nonce": {k[1] for k in keys}}),
            # Without the unique index's condition (identifier not empty) SQLite scans the whole roster
            # (bridges.models.PersonQuerySet.with_teacher_ids).
            Select(Person, _PERSON_FIELDS, {"teacher_id": identifiers}, exclude={"teacher_id": ""}),
            Select(Person, _PERSON_FIELDS, {"id": chosen}),
            Count(CheckIn, ("roll_call", "client_key"), {"roll_call": named, "client_key": clients}))
        found = [*by_identifier, *by_pk]
        # The bridges the answers name: the codes', the people's (and below, their earlier rows').
        wanted = {item[1] for item in parsed if item is not None} | {p.bridge_id for p in found}
        # The new rows' ids, taken with these reads on PostgreSQL (the attempts name them, and the rows are
        # then written in one round trip): one for each scan that may be a new check-in.
        self.stored = {(r.scope, r.nonce): r for r in stored}
        may_be_new = sum(1 for item, ctx in zip(parsed, contexts, strict=True)
                         if item is not None and ctx.nonce and (_nonce_scope(item[0]), ctx.nonce) not in self.stored)
        sessions, existing, bridges, self.reserved_ids = read(
            qr.session_read(roll_calls),
            # By person only (the unique index leads with it; a teacher has a row per roll call attended, a
            # few): with the roll call in the condition too, PostgreSQL went by a roll-call index and read
            # every row of the roll call whenever its statistics lagged a filling table.
            Select(CheckIn, _ROW_FIELDS, {"person": {p.pk for p in found}}),
            Select(Bridge, _BRIDGE_FIELDS, {"id": wanted}),
            NextIds(CheckIn, may_be_new))
        existing = [row for row in existing if row.roll_call_id in named]  # the person's other roll calls: not ours
        self.bridges = {b.pk: b for b in bridges}
        elsewhere = {row.bridge_id for row in existing} - set(self.bridges)  # a row at another bridge: rare
        self.bridges |= {b.pk: b for b in fetch(Bridge, _BRIDGE_FIELDS, {"id": elsewhere})}
        self.by_identifier = {p.teacher_id: p for p in by_identifier}
        self.by_pk = {p.pk: p for p in by_pk}
        self.rows = {(row.roll_call_id, row.person_id): row for row in existing}
        for item in [*found, *existing]:
            if item.bridge_id in self.bridges:
                item._state.fields_cache["bridge"] = self.bridges[item.bridge_id]
        return qr.judge_many(parsed, roll_calls, sessions)

    def _one(self, index: int, scan: Scan, code, page, ctx: Context) -> idempotency.Answer | None:
        if isinstance(code, qr.QRRefused):
            return self._refuse(code.roll_call, ctx, code.outcome, code.reason)
        roll_call = code.roll_call
        if isinstance(page, qr.QRRefused):
            return self._refuse(roll_call, ctx, page.outcome, page.reason)
        ctx.bridge = self.bridges.get(code.bridge_id)
        if ctx.bridge is None:
            return self._refuse(roll_call, ctx, Outcome.FORGED_QR, gettext_noop("the code's bridge no longer exists"))
        if not ctx.nonce:
            return self._refuse(roll_call, ctx, Outcome.INVALID, gettext_noop("missing or malformed nonce"),
                                message=_("The page is incomplete. Reload it and try again."))
        key = (_nonce_scope(roll_call.pk), ctx.nonce)
        if key in self.stored:
            return idempotency.replay(self.stored[key])
        if key in self.nonces:
            self.replays[index] = key  # answered once the batch's first use of this nonce is final
            return None
        if page is None:
            status, body = self._refusal(roll_call, ctx, Outcome.INVALID, gettext_noop("missing page token"),
                                         message=_("Open this page by scanning the QR code on the screen."))
        else:
            status, body = self._decide(scan, roll_call, page, ctx)
        self.nonces[key] = _Answered(key[0], key[1], status, body)
        if body.get("ok") and page is not None:
            # One person per page load: this page's token is spent.
            page_key = (_page_scope(roll_call.pk), page.id)
            self.nonces[page_key] = _Answered(page_key[0], page_key[1], status, body)
        return idempotency.Answer(status, body)

    def _decide(self, scan: Scan, roll_call: RollCall, page: qr.Page, ctx: Context) -> tuple[int, dict]:
        if not page.fresh:
            return self._refusal(roll_call, ctx, Outcome.EXPIRED_QR, gettext_noop("code or page too old at submit"))
        if not roll_call.is_open(scan.now):
            return self._refusal(roll_call, ctx, Outcome.CLOSED, gettext_noop("roll call not open at submit"))
        page_key = (_page_scope(roll_call.pk), page.id)
        if page_key in self.stored or page_key in self.nonces:
            return self._refusal(roll_call, ctx, Outcome.PAGE_USED, gettext_noop("page token already used"))
        person, refused = self._identify(scan, roll_call, ctx)
        if refused is not None:
            return refused
        row = self.rows.get((roll_call.pk, person.pk))
        outcome = Outcome.DUPLICATE
        if row is None:
            row = self.rows[(roll_call.pk, person.pk)] = new_checkin(roll_call, person, ctx, at=scan.now, recorded_by="")
            self._count_client(row, scan.client_key, roll_call)
            self.new_rows.append(row)
            outcome = Outcome.ACCEPTED
            bridges, feed = self.changed.setdefault(roll_call.session.event_id, (set(), []))
            bridges.add(ctx.bridge.pk)
            if person.bridge_id != ctx.bridge.pk:
                self.homes.setdefault(roll_call.session.event_id, set()).add(person.bridge_id)
            feed.append(feed_line(roll_call, row))
        attempt, status, body = recorded(roll_call, person, ctx, row, outcome, reveal_name=False)
        self.attempts.append(attempt)
        return status, body

    def _count_client(self, row: CheckIn, key: str, roll_call: RollCall) -> None:
        if not key:
            return
        row.client_key = key
        count = self.client_counts[(roll_call.pk, key)] = self.client_counts.get((roll_call.pk, key), 0) + 1
        limit = same_client_flag_after()
        if count > limit:
            row.same_client = True
            if count == limit + 1:
                self.crossed.add((roll_call.pk, key, roll_call.session.event_id))

    def _flag_earlier_rows(self) -> None:
        """A client has just gone past the limit: its earlier check-ins at the roll call are flagged too."""
        for roll_call_id, key, event_id in self.crossed:
            earlier = CheckIn.objects.filter(roll_call_id=roll_call_id, client_key=key, same_client=False).order_by()
            bridge_ids = set(earlier.values_list("bridge_id", flat=True))
            earlier.update(same_client=True)
            self.changed.setdefault(event_id, (set(), []))[0].update(bridge_ids)

    def _identify(self, scan: Scan, roll_call: RollCall, ctx: Context):
        """(person, None) or (None, refusal answer)."""
        if ctx.identifier:
            person = self.by_identifier.get(ctx.identifier)
            if person is None:
                return None, self._refusal(roll_call, ctx, Outcome.UNKNOWN_PERSON,
                                           gettext_noop("no person with this identifier"))
            return person, None
        person_pk = _person_pk(scan.person_id)
        if person_pk is None:
            return None, self._refusal(roll_call, ctx, Outcome.INVALID, gettext_noop("neither identifier nor name given"))
        person = self.by_pk.get(person_pk)
        if person is None or person.bridge_id != ctx.bridge.pk:
            return None, self._refusal(roll_call, ctx, Outcome.UNKNOWN_PERSON,
                                       gettext_noop("chosen person is not on this bridge's roster"),
                                       message=_("This name is not on this bridge's roster."))
        year = _birth_year(scan.birth_year)
        if year is None:
            return None, self._refusal(roll_call, ctx, Outcome.INVALID, gettext_noop("birth year missing or not 4 digits"),
                                       person=person, message=_("Type your birth year with four digits, e.g. 1985."))
        if person.birth_date is None:
            return None, self._refusal(roll_call, ctx, Outcome.WRONG_BIRTH_YEAR, gettext_noop("no birth date on record"),
                                       person=person,
                                       message=_("No birth year is on record for this name: use your teacher identifier "
                                                 "or ask the coordinator to tick you on the roster."))
        factor = factors.matches(roll_call, ctx.bridge.pk, person, scan.second_factor)
        if factor is None:
            return None, self._refusal(roll_call, ctx, Outcome.WRONG_CODE, gettext_noop("no identifier on record"),
                                       person=person,
                                       message=_("No teacher identifier is on record for this name: ask the "
                                                 "coordinator to tick you on the roster."))
        year_matches = person.birth_date.year == year
        if not (year_matches and factor):
            # One answer for both: telling which one was wrong would let them be guessed one at a time.
            # The typed values are not stored: they are personal data and the outcome says enough.
            outcome, reason = ((Outcome.WRONG_CODE, gettext_noop("second check does not match")) if year_matches
                               else (Outcome.WRONG_BIRTH_YEAR, gettext_noop("birth year does not match")))
            return None, self._refusal(roll_call, ctx, outcome, reason, person=person,
                                       answer_outcome=Outcome.WRONG_BIRTH_YEAR, message=_wrong_pair_message(roll_call))
        return person, None

    def _refusal(self, roll_call, ctx, outcome, reason, **kwargs) -> tuple[int, dict]:
        attempt, status, body = refusal(roll_call, ctx, outcome, reason, **kwargs)
        self.attempts.append(attempt)
        return status, body

    def _refuse(self, roll_call, ctx, outcome, reason, **kwargs) -> idempotency.Answer:
        return idempotency.Answer(*self._refusal(roll_call, ctx, outcome, reason, **kwargs))


def _wrong_pair_message(roll_call: RollCall) -> str:
    if roll_call.second_factor == RollCall.SecondFactor.IDENTIFIER_END:
        return _("The birth year or the end of the identifier does not match. Check both, or use your full "
                 "teacher identifier.")
    return _("The birth year or the code from the screen does not match. Check both, or use your teacher "
             "identifier.")
