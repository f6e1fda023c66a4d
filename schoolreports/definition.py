"""The shape of a form version's fields (FormVersion.definition) and the one check of it.

    {"sections": [{"key", "title", "help", "fields": [field, ...]}, ...]}

    field: key, type, label, help, required (bool) and, by type:
      integer, decimal: min, max (numbers or null), total_equals, max_from, max_field, positive_when
      grid:             rows, columns ([{key, label}], integers in each cell), min, max (each cell),
                        total_equals, max_from, max_field (for the grid's total)
      file:             nothing more (an attachment: the value is the id of a stored ReportAttachment)
      choice, multi_choice: choices ([{key, label}])
      yes_no, text, date: nothing more
      every type:       prefill (a fact the system knows about the school, PREFILLS)

`total_equals` names another number field: this field's value (a grid: its grand total) must equal
it. `max_from` names what the system knows of the school (MAX_FROM): the value (a grid's total) may
not exceed it. `max_field` names another number field of the same answer that the value (a grid's total)
may not exceed ("teachers who led" no more than "teachers trained"). `positive_when` names another number field:
when that one is above 0, this one may not be 0 (classes held, so some students trained). Keys are lower-case ASCII words (a-z, 0-9, single underscores): an answer's values
are stored one per field and a grid's cells as `<grid>__<row>__<col>` (`cell_key`), so a key never
holds a double underscore and "total" is no row or column.
"""

from __future__ import annotations

import re
from copy import deepcopy
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Refused
from core.text import clean_text

INTEGER, DECIMAL, TEXT, CHOICE, MULTI_CHOICE, YES_NO, DATE, GRID, FILE = (
    "integer", "decimal", "text", "choice", "multi_choice", "yes_no", "date", "grid", "file")
TYPES = {
    INTEGER: gettext_lazy("whole number"), DECIMAL: gettext_lazy("decimal number"), TEXT: gettext_lazy("text"),
    CHOICE: gettext_lazy("one choice"), MULTI_CHOICE: gettext_lazy("several choices"),
    YES_NO: gettext_lazy("yes / no"), DATE: gettext_lazy("date"), GRID: gettext_lazy("grid of numbers"),
    FILE: gettext_lazy("attachment (a file)"),
}
NUMBER_TYPES = (INTEGER, DECIMAL, GRID)
# What the system knows of a school that a number may not exceed.
ROSTER, EXPECTED = "roster", "expected_participants"
MAX_FROM = {ROSTER: gettext_lazy("the people on the school's roster"),
            EXPECTED: gettext_lazy("the school's expected participants")}
# Facts the console fills in before the school types (services.prefill_values); each for some types.
PREFILLS = {
    "internet_line": (gettext_lazy("the school's internet line (bridge record)"), (TEXT,)),
    "download_mbps": (gettext_lazy("download speed measured by the readiness test"), (DECIMAL, INTEGER)),
    "readiness_passed": (gettext_lazy("whether the readiness test passed"), (YES_NO,)),
    "camera_ok": (gettext_lazy("whether the readiness test found a camera"), (YES_NO,)),
    "roster": (gettext_lazy("the number of people on the roster"), (INTEGER,)),
}
KEY = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
MAX_KEY, MAX_LABEL, MAX_HELP = 40, 300, 1000
MAX_FIELDS, MAX_SECTIONS, MAX_OPTIONS, MAX_GRID_SIDE = 300, 40, 60, 30
MAX_TEXT = 2000
RESERVED = {"total", "typed_by", "nonce"}


class DefinitionError(Refused):
    """A form definition that cannot be used; `fields` maps a place ("sections.0.fields.2.max") to reasons."""

    code = "form_invalid"

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()), fields={k: [v] for k, v in errors.items()})


def cell_key(grid: str, row: str, column: str) -> str:
    return f"{grid}__{row}__{column}"


def fields_of(definition: dict) -> list[dict]:
    return [f for section in definition.get("sections", []) for f in section.get("fields", [])]


def field_map(definition: dict) -> dict[str, dict]:
    return {f["key"]: f for f in fields_of(definition)}


def file_keys(definition: dict) -> list[str]:
    return [f["key"] for f in fields_of(definition) if f["type"] == FILE]


def number_keys(definition: dict) -> list[str]:
    """Every value key that holds a number, in form order (a grid's cells row by row)."""
    keys = []
    for f in fields_of(definition):
        if f["type"] in (INTEGER, DECIMAL):
            keys.append(f["key"])
        elif f["type"] == GRID:
            keys += [cell_key(f["key"], r["key"], c["key"]) for r in f["rows"] for c in f["columns"]]
    return keys


def _number(value, place: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors[place] = _("Write a number.")
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors[place] = _("Write a number.")
        return None
    if not number.is_finite():
        errors[place] = _("Write a number.")
        return None
    return number


def _plain(number: Decimal | None):
    """A number as JSON keeps it: an int when whole."""
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _options(raw, place: str, errors: dict, prefix: str, limit: int) -> list[dict]:
    """Options (choices, a grid's rows or columns) as [{key, label}]; a plain string is a label."""
    if isinstance(raw, str):
        raw = [line for line in raw.splitlines() if line.strip()]
    if not isinstance(raw, list) or not raw:
        errors[place] = _("Give at least one, one per line.")
        return []
    if len(raw) > limit:
        errors[place] = _("Too many: %(max)s at most.") % {"max": limit}
        return []
    seen, out = set(), []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"label": item}
        if not isinstance(item, dict):
            errors[f"{place}.{i}"] = _("Not understood.")
            continue
        label = clean_text(item.get("label"))[:MAX_LABEL]
        key = clean_text(item.get("key")) or slug(label) or f"{prefix}{i + 1}"
        if not label:
            label = key
        if not KEY.match(key) or len(key) > MAX_KEY or key in RESERVED:
            errors[f"{place}.{i}"] = _("“%(key)s” cannot be a key: use lower-case letters, digits and single "
                                       "underscores (not “total”).") % {"key": key[:50]}
            continue
        if key in seen:
            errors[f"{place}.{i}"] = _("The key “%(key)s” is used twice.") % {"key": key}
            continue
        seen.add(key)
        out.append({"key": key, "label": label})
    return out


def slug(text: str) -> str:
    """A key made from a label: ASCII, lower case, single underscores ("Hộ cận nghèo" -> "ho_can_ngheo")."""
    from core.text import fold

    words = re.findall(r"[a-z0-9]+", fold(text or "").lower())
    key = "_".join(words)[:MAX_KEY].strip("_")
    if key and not key[0].isalpha():
        key = "k_" + key
    return key


def _field(raw, place: str, errors: dict) -> dict | None:
    if not isinstance(raw, dict):
        errors[place] = _("Not understood.")
        return None
    kind = raw.get("type")
    if kind not in TYPES:
        errors[f"{place}.type"] = _("Unknown type “%(type)s”; one of: %(types)s.") % {
            "type": str(kind)[:30], "types": ", ".join(TYPES)}
        return None
    label = clean_text(raw.get("label"))[:MAX_LABEL]
    key = clean_text(raw.get("key")) or slug(label)
    if not label:
        errors[f"{place}.label"] = _("Give the field a label.")
    if not KEY.match(key or "") or len(key) > MAX_KEY or key in RESERVED:
        errors[f"{place}.key"] = _("“%(key)s” cannot be a key: use lower-case letters, digits and single "
                                   "underscores (not “total”).") % {"key": (key or "")[:50]}
    field = {"key": key, "type": kind, "label": label, "help": str(raw.get("help") or "").strip()[:MAX_HELP],
             "required": bool(raw.get("required"))}
    if kind in NUMBER_TYPES:
        low = _number(raw.get("min"), f"{place}.min", errors)
        high = _number(raw.get("max"), f"{place}.max", errors)
        if kind in (GRID, INTEGER):
            for name, value in (("min", low), ("max", high)):
                if value is not None and value != value.to_integral_value():
                    errors[f"{place}.{name}"] = _("A whole number here.")
        if low is not None and high is not None and low > high:
            errors[f"{place}.max"] = _("The maximum is below the minimum.")
        field["min"], field["max"] = _plain(low), _plain(high)
        field["total_equals"] = clean_text(raw.get("total_equals"))
        field["max_field"] = clean_text(raw.get("max_field"))
        if kind != GRID:
            field["positive_when"] = clean_text(raw.get("positive_when"))
        max_from = raw.get("max_from") or ""
        if max_from and max_from not in MAX_FROM:
            errors[f"{place}.max_from"] = _("Unknown limit “%(name)s”; one of: %(names)s.") % {
                "name": str(max_from)[:30], "names": ", ".join(MAX_FROM)}
        field["max_from"] = max_from if max_from in MAX_FROM else ""
    if kind == GRID:
        field["rows"] = _options(raw.get("rows"), f"{place}.rows", errors, "r", MAX_GRID_SIDE)
        field["columns"] = _options(raw.get("columns"), f"{place}.columns", errors, "c", MAX_GRID_SIDE)
    if kind in (CHOICE, MULTI_CHOICE):
        field["choices"] = _options(raw.get("choices"), f"{place}.choices", errors, "o", MAX_OPTIONS)
    prefill = raw.get("prefill") or ""
    if prefill and (prefill not in PREFILLS or kind not in PREFILLS[prefill][1]):
        errors[f"{place}.prefill"] = _("“%(name)s” cannot fill a field of this type.") % {"name": str(prefill)[:30]}
    field["prefill"] = prefill if prefill in PREFILLS and kind in PREFILLS[prefill][1] else ""
    return field


def clean_definition(raw) -> dict:
    """The definition in its one shape, or DefinitionError naming each wrong place."""
    errors: dict[str, str] = {}
    if not isinstance(raw, dict) or not isinstance(raw.get("sections"), list):
        raise DefinitionError({"sections": _("A form is a list of sections, each with its fields.")})
    if len(raw["sections"]) > MAX_SECTIONS:
        raise DefinitionError({"sections": _("Too many: %(max)s at most.") % {"max": MAX_SECTIONS}})
    sections, keys, section_keys = [], {}, set()
    for s, raw_section in enumerate(raw["sections"]):
        place = f"sections.{s}"
        if not isinstance(raw_section, dict):
            errors[place] = _("Not understood.")
            continue
        title = clean_text(raw_section.get("title"))[:MAX_LABEL]
        key = clean_text(raw_section.get("key"))
        if not KEY.match(key) or len(key) > MAX_KEY or key in section_keys:
            key = f"s{s + 1}"  # a section's key only names its group in an XLSForm: made up when unusable
        section_keys.add(key)
        section = {"key": key, "title": title,
                   "help": str(raw_section.get("help") or "").strip()[:MAX_HELP], "fields": []}
        for f, raw_field in enumerate(raw_section.get("fields") or []):
            field = _field(raw_field, f"{place}.fields.{f}", errors)
            if field is None:
                continue
            if field["key"] in keys:
                errors[f"{place}.fields.{f}.key"] = _("The key “%(key)s” is used twice.") % {"key": field["key"]}
            keys[field["key"]] = field
            section["fields"].append(field)
        sections.append(section)
    if sum(len(s["fields"]) for s in sections) > MAX_FIELDS:
        errors["sections"] = _("Too many fields: %(max)s at most.") % {"max": MAX_FIELDS}
    for s, section in enumerate(sections):
        for f, field in enumerate(section["fields"]):
            for rule in ("total_equals", "max_field", "positive_when"):
                other = field.get(rule)
                if not other:
                    continue
                if other == field["key"] or other not in keys or keys[other]["type"] not in (INTEGER, DECIMAL):
                    errors[f"sections.{s}.fields.{f}.{rule}"] = _(
                        "“%(key)s” is not another number field of this form.") % {"key": other[:50]}
    if errors:
        raise DefinitionError(errors)
    return {"sections": sections}


def empty_definition() -> dict:
    return {"sections": [{"key": "s1", "title": "", "help": "", "fields": []}]}


def copy_of(definition: dict) -> dict:
    return deepcopy(definition)
