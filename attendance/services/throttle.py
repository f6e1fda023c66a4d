"""Rate limits of the teacher page, per client address and roll call (issue 15), on django-ratelimit.

Why these numbers. A school's teachers share one NAT address on the school Wi-Fi, so a limit per
address must let a whole staff room through: the largest schools have some 150 teachers, a roll
call is open about five minutes, and most of them scan in the first one or two. Each teacher checks
in once per roll call, so per (address, roll call):

- successful check-ins: 90 in any minute (a sustained 60 a minute plus a burst of 30 for the rush)
  and 300 in five minutes: twice the largest staff room. A hostile client gains nothing from more
  room here: each check-in needs a page load of its own (qr.read_page, single use) and more than
  a few from one device are flagged (teacher_checkin).
- refused attempts (wrong birth year, wrong second check, unknown identifier...): 30 in a minute from
  one device (address, browser and device cookie: teacher_checkin.client_key), and 120 in ten minutes
  from one address, so a script that changes its browser or cookie at each try still meets a wall, and
  one person hammering does not lock a whole staff room out at once. A staff room where one teacher in
  three mistypes once passes; guessing a birth year (about 50 values) times a four-digit second check
  (10,000) does not.
- refused attempts per page load: 5; then the teacher scans the QR again.
- name searches: 300 a minute per address (a few keystrokes per teacher), 30 per page load.

django-ratelimit counts in the default cache: per process with the embedded LocMem cache, shared by
every worker once REDIS_URL points the cache at Redis. The client address comes from
core.audit.client_ip (the one rule for X-Forwarded-For). A check and its count are two cache calls:
requests in flight at the same moment may overshoot a limit by at most their number
(core.asgi_limit.BoundedHTTP lets 16 per process into Django).

When the cache is away (Redis restarting), a limit cannot be counted and lets the request through: a
check-in never fails because Redis is down (core.redis_outage); the limits hold again once it is back.

The limits are settings (ATTENDANCE_CHECKIN_RATES etc., from the environment in config/settings.py) so
an operator can widen them without touching code; "off" lifts one (load tests on loopback, where every
simulated phone shares one address).
"""

import logging
from functools import lru_cache

from django.conf import settings
from django.dispatch import receiver
from django.test.signals import setting_changed
from django.utils.translation import gettext as _
from django_ratelimit.core import _split_rate, get_usage

from core import redis_outage
from core.errors import Refused

log = logging.getLogger(__name__)

DEFAULTS = {
    "ATTENDANCE_CHECKIN_RATES": ("90/m", "300/5m"),
    "ATTENDANCE_FAILURE_RATES": ("30/m",),
    "ATTENDANCE_ADDRESS_FAILURE_RATES": ("120/10m",),
    "ATTENDANCE_PAGE_FAILURE_RATES": ("5/5m",),
    "ATTENDANCE_SEARCH_RATES": ("300/m",),
    "ATTENDANCE_PAGE_SEARCH_RATES": ("30/5m",),
}


class Throttled(Refused):
    """Too many check-ins or attempts from one client at one roll call: wait, or scan again."""

    code = "throttled"
    status = 429


# Read for every check-in (four times): worked out once, and again when a test overrides a setting. Each
# rate as django-ratelimit's (count, seconds), which it takes as they are (it parses a "5/5m" text at every
# call) and names in its cache keys as it names the text: the same counters either way.
@lru_cache(maxsize=16)
def _rates(name: str) -> tuple[tuple[int, int], ...]:
    rates = getattr(settings, name, DEFAULTS[name])
    if isinstance(rates, str):
        rates = rates.split(",")
    return tuple(_split_rate(r.strip()) for r in rates if r.strip() and r.strip().lower() != "off")


@receiver(setting_changed)
def _forget_rates(**_kwargs) -> None:
    _rates.cache_clear()


def _client(ip: str | None, roll_call_id: int | None) -> str:
    return f"{ip or 'unknown'}|{roll_call_id if roll_call_id is not None else '-'}"


def _usage(group: str, value: str, rate: tuple[int, int], *, increment: bool) -> dict | None:
    """django-ratelimit's count, or None (no limit) while the cache is unreachable."""
    try:
        return get_usage(None, group=group, key=lambda _group, _request: value, rate=rate, increment=increment)
    except redis_outage.ERRORS:
        log.warning("rate limit %s not counted: the cache is unreachable", group)
        return None


def _over(group: str, value: str, rates: tuple[tuple[int, int], ...], *, increment: bool) -> bool:
    limited = False
    for rate in rates:
        usage = _usage(group, value, rate, increment=increment)
        limited |= usage is not None and usage["should_limit"]
    return limited


def _at_limit(group: str, value: str, rates: tuple[tuple[int, int], ...]) -> bool:
    # Before a check-in: refuse when the next one would go over (count + 1 > limit).
    for rate in rates:
        usage = _usage(group, value, rate, increment=False)
        if usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"]):
            return True
    return False


def check_in_allowed(ip: str | None, roll_call_id: int | None, page_id: str | None, device: str = "") -> None:
    """Raise Throttled when this client may not try another check-in at this roll call now. `device` is
    the client's key (teacher_checkin.client_key)."""
    address = _client(ip, roll_call_id)
    if _at_limit("attendance.checkin", address, _rates("ATTENDANCE_CHECKIN_RATES")):
        raise Throttled(_("Many teachers have just checked in from this network. Wait a minute, then scan the "
                          "QR code again."))
    if _at_limit("attendance.device-refused", f"{device}|{roll_call_id}", _rates("ATTENDANCE_FAILURE_RATES")):
        raise Throttled(_("Too many refused attempts from this phone. Wait a minute, then scan the QR code "
                          "again."))
    if _at_limit("attendance.address-refused", address, _rates("ATTENDANCE_ADDRESS_FAILURE_RATES")):
        raise Throttled(_("Too many refused attempts from this network. Wait a few minutes, then scan the QR "
                          "code again, or ask the coordinator to tick you on the roster."))
    if page_id and _at_limit("attendance.page-refused", page_id, _rates("ATTENDANCE_PAGE_FAILURE_RATES")):
        raise Throttled(_("Too many refused attempts on this page. Scan the QR code on the screen again."))


def count_answer(ip: str | None, roll_call_id: int | None, page_id: str | None, *, ok: bool,
                 device: str = "") -> None:
    """Count an answered check-in (not a replayed one) against the client's limits."""
    address = _client(ip, roll_call_id)
    if ok:
        _over("attendance.checkin", address, _rates("ATTENDANCE_CHECKIN_RATES"), increment=True)
        return
    _over("attendance.device-refused", f"{device}|{roll_call_id}", _rates("ATTENDANCE_FAILURE_RATES"),
          increment=True)
    _over("attendance.address-refused", address, _rates("ATTENDANCE_ADDRESS_FAILURE_RATES"), increment=True)
    if page_id:
        _over("attendance.page-refused", page_id, _rates("ATTENDANCE_PAGE_FAILURE_RATES"), increment=True)


def search_allowed(ip: str | None, roll_call_id: int | None, page_id: str) -> None:
    """Count a name search; raise Throttled past the limits."""
    over_client = _over("attendance.search", _client(ip, roll_call_id), _rates("ATTENDANCE_SEARCH_RATES"),
                        increment=True)
    over_page = _over("attendance.page-search", page_id, _rates("ATTENDANCE_PAGE_SEARCH_RATES"), increment=True)
    if over_client or over_page:
        raise Throttled(_("Too many searches. Wait a minute, or use your teacher identifier."))
