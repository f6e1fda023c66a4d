"""Signed, rotating roll-call QR codes.

A code is `<roll call>.<bridge>.<window>.<mac>`: short, so the QR stays coarse enough for a
cheap phone camera across a hall. window = floor(unix time / roll_call.window_seconds); a code is
accepted in its own window and the next one (the console's QR is at most one rotation old). The
MAC is an HMAC of SECRET_KEY salted with the roll call's own secret: a code of one roll call is
worthless for another and nobody without the server's key can make one.

The teacher page, once loaded from a valid code, carries a signed page token valid for
PAGE_SECONDS so that typing an identifier does not race the rotation (see read_page). Each load makes
a new token with a random id of its own; a successful check-in consumes that id (teacher_checkin), so
one page load checks in one person.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop

from core import keyed_hash
from core import qr as core_qr
from core.bulk_sql import Select, read
from core.errors import Refused
from events.models import Session

from ..models import CheckInAttempt, RollCall

PAGE_SECONDS = 180
_PAGE_SALT = "attendance.teacher-page"


class QRRefused(Refused):
    """A scan refused; `outcome` is the stored CheckInAttempt outcome, `reason` its untranslated note."""

    def __init__(self, outcome: str, reason: str, roll_call: RollCall | None = None, bridge_id: int | None = None):
        super().__init__(reason, code=outcome)
        self.outcome = outcome
        self.reason = reason
        self.roll_call = roll_call
        self.bridge_id = bridge_id


@dataclass(frozen=True)
class ScannedCode:
    roll_call: RollCall
    bridge_id: int
    window: int


def window_index(roll_call: RollCall, at: datetime) -> int:
    return int(at.timestamp()) // roll_call.window_seconds


def _mac(roll_call: RollCall, bridge_id: int, window: int) -> str:
    digest = keyed_hash.salted_hmac(
        f"attendance.qr.{roll_call.secret}", f"{roll_call.pk}.{bridge_id}.{window}", algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def make_token(roll_call: RollCall, bridge_id: int, window: int) -> str:
    return f"{roll_call.pk}.{bridge_id}.{window}.{_mac(roll_call, bridge_id, window)}"


def current_token(roll_call: RollCall, bridge_id: int, now: datetime | None = None) -> str:
    return make_token(roll_call, bridge_id, window_index(roll_call, now or timezone.now()))


def token_url(token: str) -> str:
    return settings.SITE_URL + reverse("attendance_public:teacher", args=[token])


def _parse(token: str) -> tuple[int, int, int, str]:
    parts = (token or "").split(".")
    if len(parts) != 4 or len(token) > 120:
        raise ValueError
    roll_call_id, bridge_id, window = (int(p) for p in parts[:3])
    return roll_call_id, bridge_id, window, parts[3]


def authenticate(token: str) -> ScannedCode:
    """The code's roll call, bridge and window if the server made it; else QRRefused(FORGED_QR)."""
    code = authenticate_many([token])[0]
    if isinstance(code, QRRefused):
        raise code
    return code


def authenticate_many(tokens: list[str]) -> list[ScannedCode | QRRefused]:
    """authenticate() for many codes with two plain reads: each code, or the QRRefused it would raise."""
    parsed = parse_many(tokens)
    [roll_calls] = read(roll_call_read(parsed))
    [sessions] = read(session_read(roll_calls))
    return judge_many(parsed, roll_calls, sessions)


def parse_many(tokens: list[str]) -> list[tuple[int, int, int, str] | None]:
    """Each code's (roll call, bridge, window, signature) as written, None if malformed: nothing verified."""
    parsed = []
    for token in tokens:
        try:
            parsed.append(_parse(token))
        except ValueError:
            parsed.append(None)
    return parsed


# What judge_many needs, the codes' roll calls and then their sessions (as select_related("session") gives
# them), as reads a caller may send with its own (core.bulk_sql.read).
def roll_call_read(parsed) -> Select:
    return Select(RollCall, _ALL_ROLL_CALL, {"id": {p[0] for p in parsed if p is not None}})


def session_read(roll_calls: list[RollCall]) -> Select:
    return Select(Session, _ALL_SESSION, {"id": {r.session_id for r in roll_calls}})


def judge_many(parsed, roll_calls: list[RollCall], sessions: list[Session]) -> list[ScannedCode | QRRefused]:
    """Each parsed code verified against its roll call's secret (roll_call_read's and session_read's results)."""
    by_id = {s.pk: s for s in sessions}
    found = {}
    for roll_call in roll_calls:
        roll_call._state.fields_cache["session"] = by_id[roll_call.session_id]
        found[roll_call.pk] = roll_call
    codes, checked = [], {}  # a school's teachers scan the same code: its signature is checked once
    for item in parsed:
        if item is None:
            codes.append(QRRefused(CheckInAttempt.Outcome.FORGED_QR, gettext_noop("malformed code")))
            continue
        if item not in checked:
            roll_call_id, bridge_id, window, mac = item
            roll_call = found.get(roll_call_id)
            if roll_call is None or not constant_time_compare(mac, _mac(roll_call, bridge_id, window)):
                checked[item] = None
            else:
                checked[item] = ScannedCode(roll_call, bridge_id, window)
        code = checked[item]
        codes.append(code or QRRefused(CheckInAttempt.Outcome.FORGED_QR, gettext_noop("signature does not match")))
    return codes


_ALL_ROLL_CALL = tuple(f.name for f in RollCall._meta.concrete_fields)
_ALL_SESSION = tuple(f.name for f in Session._meta.concrete_fields)


def in_window(code: ScannedCode, now: datetime) -> bool:
    current = window_index(code.roll_call, now)
    return code.window in (current, current - 1)


def verify(token: str, now: datetime | None = None) -> ScannedCode:
    """A code that is authentic, in its window and of an open roll call; else QRRefused."""
    now = now or timezone.now()
    code = authenticate(token)
    if not in_window(code, now):
        raise QRRefused(CheckInAttempt.Outcome.EXPIRED_QR, gettext_noop("code outside the current and previous window"),
                        code.roll_call, code.bridge_id)
    if not code.roll_call.is_open(now):
        raise QRRefused(CheckInAttempt.Outcome.CLOSED, gettext_noop("roll call is not open"), code.roll_call, code.bridge_id)
    return code


@dataclass(frozen=True)
class Page:
    """A teacher page token read back: its single-use id, and whether it is still within PAGE_SECONDS."""

    id: str
    fresh: bool


def make_page_token(code: ScannedCode) -> str:
    """A new token for one load of the teacher page (a new id each time)."""
    return keyed_hash.dumps([code.roll_call.pk, code.bridge_id, secrets.token_urlsafe(12)], salt=_PAGE_SALT)


def read_page(page_token: str, code: ScannedCode, token: PageToken | None = None) -> Page:
    """The page token of a submit: checked instead of the code's window, so a teacher who scanned in
    time is not refused because typing took longer than one rotation. QRRefused(FORGED_QR) if the
    token is not ours or belongs to another code. `token`: the token as read_page_token read it when
    the submit arrived (the check-in's admission reads it once, for the per-page limits and for this).
    """
    token = token or read_page_token(page_token)
    if token.ids is None:
        raise QRRefused(CheckInAttempt.Outcome.FORGED_QR, gettext_noop("page token signature does not match"))
    if token.ids[:2] != [code.roll_call.pk, code.bridge_id]:
        raise QRRefused(CheckInAttempt.Outcome.FORGED_QR, gettext_noop("page token is for another code"))
    return Page(token.ids[2], fresh=token.fresh)


@dataclass(frozen=True, slots=True)
class PageToken:
    """A page token's signature checked, once: [roll call, bridge, page id] (None: not ours) and whether
    it was within PAGE_SECONDS when read."""

    ids: list | None
    fresh: bool

    @property
    def page_id(self) -> str | None:
        return self.ids[2] if self.ids else None


def read_page_token(page_token) -> PageToken:
    """The token's ids and freshness: one signature check for a fresh token (the usual case); an expired
    one is read again for its ids."""
    ids, fresh = _page_ids(page_token, max_age=PAGE_SECONDS), True
    if ids is _EXPIRED:
        ids, fresh = _page_ids(page_token), False
    return PageToken(ids, fresh)


_EXPIRED = object()


def _page_ids(page_token, max_age: int | None = None):
    """[roll call, bridge, page id] of a token we signed (whatever its age, unless `max_age`: then
    _EXPIRED past it), else None."""
    try:
        ids = keyed_hash.loads(page_token or "", salt=_PAGE_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return _EXPIRED
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(ids, list) or len(ids) != 3 or not isinstance(ids[2], str):
        return None
    return ids


def page_id_of(page_token) -> str | None:
    """The single-use id of a page token we signed, before its code is read: keys per-page limits."""
    return read_page_token(page_token).page_id


def roll_call_id_of(token: str) -> int | None:
    """The roll call a code names, unverified: enough to key a rate limit before anything is read."""
    try:
        return _parse(token)[0]
    except ValueError:
        return None


def svg(url: str) -> bytes:
    return core_qr.svg(url)
