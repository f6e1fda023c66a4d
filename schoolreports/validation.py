"""The one check of a school's answer: a form version's fields + the values sent -> the values to keep,
or a refusal naming each wrong field and why, in the request's language (Vietnamese unless English
was chosen). The console, the API and the pages all send answers through `check`.

Values come flat, one per field (`{"so_may": "12", "thiet_bi__tieu_hoc__ho_ngheo": "3"}`): a grid's
cells as `<grid>__<row>__<col>`, several choices as a list (or comma-separated keys), an attachment as the id
of the file the school uploaded for that field (services.attach; which ids are this answer's comes in
`attachments`). Numbers may be
typed as Vietnamese offices write them (1.234 or 1 234 for a thousand, 2,5 for a decimal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import Refused
from core.text import clean_text

from . import definition as d

# 1234, 1.234, 1,234 or 1 234 (thousands); a sign is kept to say "negative" by name.
WHOLE = re.compile(r"^[-+]?(\d+|\d{1,3}([., ]\d{3})+)$")
DECIMAL = re.compile(r"^[-+]?\d+([.,]\d+)?$")
YES = {"yes", "true", "1", "có", "co", "x", "on"}
NO = {"no", "false", "0", "không", "khong"}


@dataclass(frozen=True)
class SchoolFacts:
    """What the system knows of the school that answers (the ceilings of `max_from`)."""

    roster: int = 0
    expected_participants: int = 0

    def ceiling(self, name: str) -> int | None:
        value = {d.ROSTER: self.roster, d.EXPECTED: self.expected_participants}.get(name)
        return value or None  # nothing known (0): no ceiling rather than refusing every answer


class AnswerRefused(Refused):
    """An answer that cannot be kept; `errors` maps a value key (or "" for the whole answer) to its reason."""

    code = "answer_refused"

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()), fields={k: [v] for k, v in errors.items()})


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return clean_text(str(raw))


def _whole(raw, label: str, errors: dict, key: str) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = _text(raw)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if not WHOLE.match(text):
        errors[key] = _("%(field)s: “%(value)s” is not a whole number.") % {"field": label, "value": text[:20]}
        return None
    return int(re.sub(r"[., ]", "", text))


def _decimal(raw, label: str, errors: dict, key: str) -> Decimal | None:
    text = _text(raw).replace(" ", "")
    if not isinstance(raw, int | float) or isinstance(raw, bool):
        if text.count(".") and text.count(","):  # 1.234,5: the last separator is the decimal one
            text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else \
                text.replace(",", "")
        if not DECIMAL.match(text):
            errors[key] = _("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": text[:20]}
            return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        errors[key] = _("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": text[:20]}
        return None


def _in_range(value, field: dict, label: str, errors: dict, key: str) -> bool:
    if value < 0 and (field.get("min") is None or field["min"] >= 0):
        errors[key] = _("%(field)s cannot be negative.") % {"field": label}
        return False
    if field.get("min") is not None and value < Decimal(str(field["min"])):
        errors[key] = _("%(field)s: %(min)s at least.") % {"field": label, "min": field["min"]}
        return False
    if field.get("max") is not None and value > Decimal(str(field["max"])):
        errors[key] = _("%(field)s: %(max)s at most.") % {"field": label, "max": field["max"]}
        return False
    return True


def _plain(number: Decimal):
    return int(number) if number == number.to_integral_value() else float(number)


def _date(raw, label: str, errors: dict, key: str) -> str | None:
    text = _text(raw)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    errors[key] = _("%(field)s: “%(value)s” is not a date (dd/mm/yyyy).") % {"field": label, "value": text[:20]}
    return None


def _missing(raw) -> bool:
    return raw is None or (isinstance(raw, str | list) and not (raw.strip() if isinstance(raw, str) else raw))


def _one(field: dict, raw, errors: dict) -> object:
    """One field's value, checked (None when empty or refused)."""
    key, label, kind = field["key"], field["label"], field["type"]
    if _missing(raw):
        if field.get("required"):
            errors[key] = (_("%(field)s: enter a number (0 if none).") if kind in (d.INTEGER, d.DECIMAL)
                           else _("%(field)s: this answer is required.")) % {"field": label}
        return None
    if kind == d.INTEGER:
        value = _whole(raw, label, errors, key)
        return value if value is not None and _in_range(Decimal(value), field, label, errors, key) else None
    if kind == d.DECIMAL:
        value = _decimal(raw, label, errors, key)
        return _plain(value) if value is not None and _in_range(value, field, label, errors, key) else None
    if kind == d.TEXT:
        text = str(raw).strip()
        if len(text) > d.MAX_TEXT:
            errors[key] = _("%(field)s: %(max)s characters at most.") % {"field": label, "max": d.MAX_TEXT}
            return None
        return text
    if kind == d.YES_NO:
        text = _text(raw).lower()
        if text in YES or text in NO:
            return text in YES
        errors[key] = _("%(field)s: answer yes or no.") % {"field": label}
        return None
    if kind == d.DATE:
        if isinstance(raw, date):
            return raw.isoformat()
        return _date(raw, label, errors, key)
    allowed = {c["key"] for c in field["choices"]}
    if kind == d.CHOICE:
        text = _text(raw)
        if text not in allowed:
            errors[key] = _("%(field)s: choose one of the options.") % {"field": label}
            return None
        return text
    # several choices
    picked = raw if isinstance(raw, list) else [part for part in _text(raw).split(",")]
    picked = [_text(p) for p in picked if _text(p)]
    if any(p not in allowed for p in picked):
        errors[key] = _("%(field)s: choose among the options.") % {"field": label}
        return None
    return [c["key"] for c in field["choices"] if c["key"] in picked]


def _grid(field: dict, values: dict, out: dict, errors: dict) -> int | None:
    """A grid's cells into `out`; its grand total (None when a cell was refused or none was typed)."""
    total, typed, bad, empty = 0, False, False, 0
    for row in field["rows"]:
        for column in field["columns"]:
            key = d.cell_key(field["key"], row["key"], column["key"])
            label = _("%(field)s – %(row)s, %(column)s") % {"field": field["label"], "row": row["label"],
                                                            "column": column["label"]}
            raw = values.get(key)
            if _missing(raw):
                empty += 1
                continue
            value = _whole(raw, label, errors, key)
            if value is None or not _in_range(Decimal(value), field, label, errors, key):
                bad = True
                continue
            out[key] = value
            total += value
            typed = True
    if empty and field.get("required"):
        # One reason for the grid, not one per empty cell: the console marks the empty cells itself.
        errors[field["key"]] = _("%(field)s: %(count)s cells are empty; enter 0 where there is none.") % {
            "field": field["label"], "count": empty}
        bad = True
    return None if bad or not typed else total


def grid_total(field: dict, values: dict) -> int:
    return sum(int(values.get(d.cell_key(field["key"], r["key"], c["key"])) or 0)
               for r in field["rows"] for c in field["columns"])


def _attachment(field: dict, raw, attachments: dict, errors: dict) -> int | None:
    key, label = field["key"], field["label"]
    if _missing(raw):
        if field.get("required"):
            errors[key] = _("%(field)s: attach a file.") % {"field": label}
        return None
    try:
        pk = int(_text(raw))
    except ValueError:
        pk = None
    if pk is None or pk not in attachments.get(key, ()):
        errors[key] = _("%(field)s: the attached file was not found; attach it again.") % {"field": label}
        return None
    return pk


def check(definition: dict, values: dict, facts: SchoolFacts | None = None,
          attachments: dict[str, set[int]] | None = None) -> dict:
    """The values to keep (one key per field, a grid's cells as their own keys), or AnswerRefused with
    every reason at once. `attachments`: the ids of the files this answer holds, by field."""
    facts = facts or SchoolFacts()
    attachments = attachments or {}
    if not isinstance(values, dict):
        raise AnswerRefused({"": _("The answer was not sent in the expected form.")})
    fields = d.fields_of(definition)
    known = set()
    for field in fields:
        if field["type"] == d.GRID:
            known |= {d.cell_key(field["key"], r["key"], c["key"]) for r in field["rows"] for c in field["columns"]}
        else:
            known.add(field["key"])
    unknown = sorted(str(k)[:40] for k in values if k not in known)
    errors: dict[str, str] = {}
    if unknown:
        errors[""] = _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown[:5])}
    out: dict = {}
    totals: dict[str, object] = {}
    for field in fields:
        if field["type"] == d.GRID:
            totals[field["key"]] = _grid(field, values, out, errors)
            continue
        if field["type"] == d.FILE:
            value = _attachment(field, values.get(field["key"]), attachments, errors)
            if value is not None:
                out[field["key"]] = value
            continue
        value = _one(field, values.get(field["key"]), errors)
        if value is not None:
            out[field["key"]] = value
            if field["type"] in (d.INTEGER, d.DECIMAL):
                totals[field["key"]] = value
    by_key = d.field_map(definition)
    for field in fields:
        total = totals.get(field["key"])
        if total is None or field["key"] in errors:
            continue
        ceiling = facts.ceiling(field.get("max_from") or "")
        if ceiling is not None and total > ceiling:
            reason = (_("%(field)s: %(total)s is more than the %(max)s people on the school's roster.")
                      if field["max_from"] == d.ROSTER else
                      _("%(field)s: %(total)s is more than the school's %(max)s expected participants."))
            errors[field["key"]] = reason % {"field": field["label"], "total": total, "max": ceiling}
            continue
        cap = field.get("max_field")
        if cap and totals.get(cap) is not None and Decimal(str(total)) > Decimal(str(totals[cap])):
            errors[field["key"]] = _("%(field)s: %(total)s is more than “%(other)s” (%(max)s); it may not exceed "
                                     "it.") % {"field": field["label"], "total": total,
                                               "other": by_key[cap]["label"], "max": totals[cap]}
            continue
        when = field.get("positive_when")
        if when and total == 0 and totals.get(when) is not None and totals[when] > 0:
            errors[field["key"]] = _("%(field)s is 0 although “%(other)s” is %(value)s: check the numbers.") % {
                "field": field["label"], "other": by_key[when]["label"], "value": totals[when]}
            continue
        other = field.get("total_equals")
        if other and totals.get(other) is not None and Decimal(str(total)) != Decimal(str(totals[other])):
            errors[field["key"]] = _("%(field)s: %(total)s in all, but “%(other)s” says %(expected)s; the two "
                                     "must be equal.") % {"field": field["label"], "total": total,
                                                          "other": by_key[other]["label"], "expected": totals[other]}
    if errors:
        raise AnswerRefused(errors)
    return out
