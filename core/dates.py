"""The date line of an official document (Decree 30/2020/NĐ-CP on administrative documents).

Decree 30 writes the place and date as "Quảng Ngãi, ngày 02 tháng 12 năm 2026": the day takes a
leading zero below 10, the month takes one only for January and February ("tháng 02", but
"tháng 8" and "tháng 12"). This is the one place that rule is written; letters, certificates and
the workbook's signed sheet call it.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def _parts(d: date | datetime) -> dict:
    if isinstance(d, datetime):
        d = timezone.localdate(d) if timezone.is_aware(d) else d.date()
    return {"day": f"{d.day:02d}", "month": f"{d.month:02d}" if d.month < 3 else str(d.month), "year": d.year}


def official_day(d: date | datetime) -> str:
    """'ngày DD tháng M(M) năm YYYY' inside a sentence (an event's day on a letter, a training's on a certificate)."""
    return _("day %(day)s month %(month)s year %(year)s") % _parts(d)


def official_date(d: date | datetime, place: str | None = None) -> str:
    """'<place>, ngày DD tháng M(M) năm YYYY', or 'Ngày …' with no place (an aware datetime: its local day)."""
    parts = _parts(d)
    place = (place or "").strip()
    if place:
        return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {**parts, "place": place}
    return _("Day %(day)s month %(month)s year %(year)s") % parts
