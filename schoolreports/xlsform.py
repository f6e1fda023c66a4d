"""Forms written as an XLSForm (the spreadsheet form standard of ODK and KoboToolbox), read with pyxform and
written back as one.

What is understood, by the survey sheet's `type`:

    integer, decimal, text, date             the same types here
    file                                     an attachment (a file the school uploads)
    select_one LIST / select_multiple LIST   one choice / several choices (the LIST on the choices sheet);
                                             a list of exactly "yes" and "no" is a yes/no field
    begin group / end group                  a section (a top-level group); a group whose every question is
                                             an integer named ROW__COLUMN is a GRID (rows and columns in the
                                             order they first appear; a question's label "Row / Column"
                                             names both, else the keys are the labels)
    note                                     its label is added to the section's help text
    start, end, today, deviceid, username... metadata a phone records: skipped, with a warning

Columns: name, label, hint, required, constraint (only ". >= N", ". <= N" or ". <= ${other}" (may not
exceed another field), joined with "and", or ". = ${other}" for a total that must equal another field), constraint_message and required_message
(our messages are used instead), appearance (ignored); a label::Language column stands for a missing
label; KoboToolbox's own "$..." columns are ignored. Anything else (begin repeat, calculate, geopoint,
image, relevant, choice_filter, default...) is refused by name with its row, and nothing is created.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from core import archives
from core.errors import Refused
from core.text import clean_text

from . import definition as d

MAX_BYTES = 2 * 1024 * 1024
# A form's workbook inflates to far less; more is a zip bomb, refused unopened.
MAX_UNPACKED = 20 * 1024 * 1024
SIMPLE = {"integer": d.INTEGER, "decimal": d.DECIMAL, "text": d.TEXT, "date": d.DATE, "file": d.FILE}
METADATA = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email",
            "audit"}
COLUMNS = {"type", "name", "label", "hint", "required", "constraint", "constraint_message", "required_message",
           "appearance"}
TRANSLATABLE = ("label::", "hint::", "constraint_message::", "required_message::")
YES_NO_KEYS = {"yes", "no"}
BOUND = re.compile(r"^\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)$")
EQUALS = re.compile(r"^\.\s*=\s*\$\{([a-z][a-z0-9_]*)\}$")
AT_MOST_FIELD = re.compile(r"^\.\s*<=\s*\$\{([a-z][a-z0-9_]*)\}$")
# positive_when: ". > 0 or ${other} = 0" (this one above 0 whenever the other is).
POSITIVE_WHEN = re.compile(r"^\(?\s*\.\s*>\s*0\s+or\s+\$\{([a-z][a-z0-9_]*)\}\s*=\s*0\s*\)?$")
GRID_CELL = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)*)__([a-z][a-z0-9]*(?:_[a-z0-9]+)*)$")
YES_NO_LIST = "yes_no"


class XLSFormRefused(Refused):
    """An XLSForm that cannot be used; `problems` are its lines, each naming the row."""

    code = "xlsform_refused"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems[:20]), fields={"file": problems[:50]})


@dataclass
class ImportedForm:
    title: str
    definition: dict
    warnings: list[str] = field(default_factory=list)


def _parse_type(row: dict) -> tuple[str, str]:
    """(kind, list name): kind is a SIMPLE type, "select_one", "select_multiple", "begin group", "end group",
    "note", a METADATA type, or "" when not understood (or_other, from_file, repeat, calculate...)."""
    raw = " ".join(str(row.get("type") or "").split())
    lower = raw.lower()
    for prefix, kind in (("select_one ", "select_one"), ("select one ", "select_one"),
                         ("select_multiple ", "select_multiple"), ("select multiple ", "select_multiple"),
                         ("select all that apply ", "select_multiple")):
        if lower.startswith(prefix):
            rest = raw[len(prefix):].strip()
            return (kind, rest) if rest and " " not in rest else ("", "")
    lower = lower.replace("_", " ")
    if lower in ("begin group", "end group", "note") or lower in SIMPLE or lower in METADATA:
        return lower, ""
    return "", ""


def _type_of(row: dict) -> str:
    return _parse_type(row)[0]


def _label(row: dict, name: str = "label") -> str:
    if row.get(name):
        return clean_text(row[name])
    for key, value in row.items():
        if key.lower().startswith(f"{name}::") and value:
            return clean_text(value)
    return ""


def _refusals_by_name(survey: list[dict]) -> list[str]:
    """Every row using a type or a column this engine does not know, by name and row number."""
    problems = []
    for i, row in enumerate(survey):
        if not row:
            continue
        number = i + 2  # the header is row 1
        if not _type_of(row):
            problems.append(_("Row %(row)s: the type “%(type)s” is not supported.") % {
                "row": number, "type": str(row.get("type") or "")[:40]})
        for column, value in row.items():
            name = column.lower()
            if value in (None, "") or name in COLUMNS or name.startswith("$") or name.startswith(TRANSLATABLE):
                continue
            problems.append(_("Row %(row)s: the column “%(column)s” is not supported.") % {
                "row": number, "column": column[:40]})
    return problems


def _bounds(row: dict, number: int, problems: list[str]) -> tuple[dict, str]:
    """(min/max, total_equals) from a constraint we can read; anything else refused with its row."""
    text = clean_text(row.get("constraint"))
    if not text:
        return {}, ""
    match = EQUALS.match(text)
    if match:
        return {}, match.group(1)
    out = {}
    for part in re.split(r"\s+and\s+", text):
        at_most = AT_MOST_FIELD.match(part.strip())
        if at_most:
            out["max_field"] = at_most.group(1)
            continue
        positive = POSITIVE_WHEN.match(part.strip())
        if positive:
            out["positive_when"] = positive.group(1)
            continue
        bound = BOUND.match(part.strip())
        if bound is None:
            problems.append(_("Row %(row)s: the constraint “%(constraint)s” cannot be read; write . >= N, . <= N "
                              "or both joined with “and”.") % {"row": number, "constraint": text[:60]})
            return {}, ""
        out["min" if bound.group(1) == ">=" else "max"] = bound.group(2)
    return out, ""


def _required(row: dict) -> bool:
    return str(row.get("required") or "").strip().lower() in ("yes", "true", "true()", "1")


def _grid_of(group_row: dict, children: list[tuple[int, dict]], problems: list[str]) -> dict:
    rows, columns, labels = {}, {}, {}
    first = children[0][1]
    for _number, child in children:
        row_key, column_key = GRID_CELL.match(child["name"]).groups()
        label = _label(child)
        row_label, sep, column_label = label.partition(" / ")
        rows.setdefault(row_key, clean_text(row_label) if sep else row_key)
        columns.setdefault(column_key, clean_text(column_label) if sep else column_key)
        labels[(row_key, column_key)] = label
    bounds, _total = _bounds(first, children[0][0], problems)
    bounds.pop("max_field", None)  # a cell ceiling by another field is not a grid rule here
    bounds.pop("positive_when", None)
    return {"key": group_row.get("name", ""), "type": d.GRID, "label": _label(group_row) or group_row.get("name", ""),
            "help": _label(group_row, "hint"), "required": any(_required(c) for _n, c in children),
            "rows": [{"key": k, "label": v} for k, v in rows.items()],
            "columns": [{"key": k, "label": v} for k, v in columns.items()], **bounds}


def _is_grid(children: list[tuple[int, dict]]) -> bool:
    return len(children) >= 2 and all(_type_of(c) == "integer" and GRID_CELL.match(str(c.get("name") or ""))
                                      for _n, c in children)


def _question(row: dict, number: int, choices: dict, problems: list[str]) -> dict | None:
    kind = _type_of(row)
    out = {"key": row.get("name", ""), "label": _label(row) or row.get("name", ""), "help": _label(row, "hint"),
           "required": _required(row)}
    if kind in SIMPLE:
        out["type"] = SIMPLE[kind]
        if out["type"] in (d.INTEGER, d.DECIMAL):
            bounds, total = _bounds(row, number, problems)
            out.update(bounds, total_equals=total)
        elif row.get("constraint"):
            problems.append(_("Row %(row)s: a constraint on a %(type)s question is not supported.") % {
                "row": number, "type": kind})
        return out
    kind, list_name = _parse_type(row)
    options = [{"key": str(c.get("name") or ""), "label": _label(c) or str(c.get("name") or "")}
               for c in choices.get(list_name, [])]
    if kind == "select_one":
        if {o["key"] for o in options} == YES_NO_KEYS:
            out["type"] = d.YES_NO
            return out
        out["type"] = d.CHOICE
    else:
        out["type"] = d.MULTI_CHOICE
    out["choices"] = options
    return out


def _require_modest(data: bytes) -> None:
    """A zip bomb is refused before pyxform (openpyxl) inflates it (core.archives); a file that is no zip
    is left to get_xlsform, which words that refusal."""
    try:
        archives.require_modest_zip(data, max_unpacked=MAX_UNPACKED)
    except archives.ArchiveRefused as refused:
        raise XLSFormRefused([refused.message]) from None
    except zipfile.BadZipFile:
        pass


def read(data: bytes, *, filename: str = "form.xlsx") -> ImportedForm:
    """The form an XLSForm workbook describes, or XLSFormRefused listing each row that cannot be used."""
    if len(data) > MAX_BYTES:
        raise XLSFormRefused([_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}])
    suffix = ".xls" if filename.lower().endswith(".xls") else ".xlsx"
    if suffix == ".xlsx":
        _require_modest(data)
    try:
        book = get_xlsform(io.BytesIO(data), file_type=suffix)
    except (PyXFormError, ValueError, KeyError, OSError) as exc:
        raise XLSFormRefused([_("This file is not an XLSForm workbook (%(reason)s).") % {"reason": str(exc)[:200]}]) \
            from exc
    survey = list(book.survey or [])
    if not survey:
        raise XLSFormRefused([_("The workbook has no “survey” sheet with questions.")])
    problems = _refusals_by_name(survey)
    if problems:
        raise XLSFormRefused(problems)
    try:
        workbook_to_json(book, form_name="data", warnings=[])  # pyxform's own checks (names, lists, groups)
    except PyXFormError as exc:
        raise XLSFormRefused([_("The XLSForm is not valid: %(reason)s") % {"reason": str(exc)[:300]}]) from exc
    choices: dict[str, list[dict]] = {}
    for row in book.choices or []:
        if row.get("list_name"):
            choices.setdefault(str(row["list_name"]), []).append(row)
    settings = (book.settings or [{}])[0] if book.settings else {}
    title = clean_text(settings.get("form_title") or "") or clean_text(book.fallback_form_name or "")
    warnings: list[str] = []
    sections: list[dict] = []
    loose = {"key": "s_chung", "title": "", "help": "", "fields": []}
    # Walk the rows keeping the open groups: [(row number, group row, [(number, child row)])].
    stack: list[tuple[int, dict, list]] = []

    def place(item):
        if stack:
            stack[-1][2].append(item)
        else:
            loose["fields"].append(item)

    for i, row in enumerate(survey):
        if not row:
            continue
        number, kind = i + 2, _type_of(row)
        if kind in METADATA:
            warnings.append(_("Row %(row)s: “%(type)s” is recorded by a phone; skipped.") % {"row": number,
                                                                                            "type": kind})
        elif kind == "begin group":
            stack.append((number, row, []))
        elif kind == "end group":
            if not stack:
                problems.append(_("Row %(row)s: “end group” without “begin group”.") % {"row": number})
                continue
            _start, group, children = stack.pop()
            raw_children = [c for c in children if isinstance(c, tuple)]
            if raw_children and len(raw_children) == len(children) and _is_grid(raw_children):
                place(("grid", _grid_of(group, raw_children, problems)))
            elif stack:
                problems.append(_("Row %(row)s: a group inside a group is only understood as a grid (integers "
                                  "named ROW__COLUMN).") % {"row": _start})
            else:
                fields, help_lines = [], [_label(group, "hint")]
                for child in children:
                    if isinstance(child, tuple) and child[0] == "grid":
                        fields.append(child[1])
                    elif isinstance(child, tuple) and _type_of(child[1]) == "note":
                        help_lines.append(_label(child[1]))
                    elif isinstance(child, tuple):
                        question = _question(child[1], child[0], choices, problems)
                        if question is not None:
                            fields.append(question)
                sections.append({"key": str(group.get("name") or f"s{len(sections) + 1}"),
                                 "title": _label(group) or str(group.get("name") or ""),
                                 "help": "\n".join(h for h in help_lines if h), "fields": fields})
        else:
            place((number, row))
    if stack:
        problems.append(_("Row %(row)s: “begin group” is never closed.") % {"row": stack[-1][0]})
    loose_fields = []
    for item in loose["fields"]:
        if item[0] == "grid":
            loose_fields.append(item[1])
        elif _type_of(item[1]) == "note":
            loose["help"] = "\n".join(h for h in (loose["help"], _label(item[1])) if h)
        else:
            question = _question(item[1], item[0], choices, problems)
            if question is not None:
                loose_fields.append(question)
    if problems:
        raise XLSFormRefused(problems)
    if loose_fields or loose["help"]:
        sections.insert(0, {**loose, "fields": loose_fields})
    return ImportedForm(title=title or _("Imported report"), definition=d.clean_definition({"sections": sections}),
                        warnings=warnings)


# --- Writing ---------------------------------------------------------------------------------------

def _constraint(f: dict) -> str:
    parts = []
    if f.get("min") is not None:
        parts.append(f". >= {f['min']}")
    if f.get("max") is not None:
        parts.append(f". <= {f['max']}")
    if f.get("max_field") and f["type"] != d.GRID:
        parts.append(f". <= ${{{f['max_field']}}}")
    if f.get("positive_when") and f["type"] != d.GRID:
        parts.append(f"(. > 0 or ${{{f['positive_when']}}} = 0)")
    if f.get("total_equals") and f["type"] != d.GRID and not parts:
        return f". = ${{{f['total_equals']}}}"
    return " and ".join(parts)


def write(title: str, definition: dict, *, form_id: str = "bao_cao", version: int = 1) -> bytes:
    """The form as an XLSForm workbook (survey, choices, settings) that pyxform and KoboToolbox read."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "hint", "required", "constraint"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    yes_no_written = False

    def yes(flag) -> str:
        return "yes" if flag else ""

    for section in definition["sections"]:
        survey.append(["begin group", section["key"], section["title"] or section["key"], section.get("help", ""),
                       "", ""])
        for f in section["fields"]:
            kind = f["type"]
            if kind == d.GRID:
                survey.append(["begin group", f["key"], f["label"], f.get("help", ""), "", ""])
                for row in f["rows"]:
                    for column in f["columns"]:
                        survey.append(["integer", f"{row['key']}__{column['key']}",
                                       f"{row['label']} / {column['label']}", "", yes(f["required"]),
                                       _constraint(f)])
                survey.append(["end group", "", "", "", "", ""])
                continue
            if kind in (d.CHOICE, d.MULTI_CHOICE):
                xls_type = ("select_one " if kind == d.CHOICE else "select_multiple ") + f["key"]
                for option in f["choices"]:
                    choices.append([f["key"], option["key"], option["label"]])
            elif kind == d.YES_NO:
                xls_type = f"select_one {YES_NO_LIST}"
                if not yes_no_written:
                    choices.append([YES_NO_LIST, "yes", _("Yes")])
                    choices.append([YES_NO_LIST, "no", _("No")])
                    yes_no_written = True
            else:
                xls_type = kind
            survey.append([xls_type, f["key"], f["label"], f.get("help", ""), yes(f["required"]),
                           _constraint(f) if kind in (d.INTEGER, d.DECIMAL) else ""])
        survey.append(["end group", "", "", "", "", ""])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append([title, form_id, str(version)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
