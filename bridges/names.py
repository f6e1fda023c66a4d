"""How a roster name is shown where a coordinator must pick the right person: people with the same name
get what tells them apart (their birth year, else the end of their identifier).

One rule for every list of a bridge's people on its console (the live section's roster, the console
page's roster, the console API's roster), so two "Nguyễn Thị Lan" never look alike in one place and
differently in another. Names stay exact NFC text (the same letters, diacritics and all, are the same
name); case and spacing aside, as people read them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

# How much of an identifier tells two people apart without showing it (the teacher page asks as much).
IDENTIFIER_END = 4


@dataclass(frozen=True)
class NameRow:
    id: int
    full_name: str
    birth_date: date | None = None
    teacher_id: str = ""


def _same_name_key(full_name: str) -> str:
    return " ".join(full_name.split()).casefold()


def _year(row: NameRow) -> str:
    return str(row.birth_date.year) if row.birth_date else ""


def _end(row: NameRow) -> str:
    return row.teacher_id[-IDENTIFIER_END:] if row.teacher_id else ""


def _all_distinct(values: list[str]) -> bool:
    return all(values) and len(set(values)) == len(values)


def _with(name: str, year: str, end: str) -> str:
    if year and end:
        return _("%(name)s (born %(year)s, ID …%(end)s)") % {"name": name, "year": year, "end": end}
    if year:
        return _("%(name)s (born %(year)s)") % {"name": name, "year": year}
    if end:
        return _("%(name)s (ID …%(end)s)") % {"name": name, "end": end}
    return name


def distinct_labels(rows: Iterable[NameRow]) -> dict[int, str]:
    """person id -> the name as the console shows it: the plain name when no one else on the list has it;
    among namesakes the birth year when that tells them all apart, else the identifier's end, else both
    (whatever is on record)."""
    rows = list(rows)
    groups: dict[str, list[NameRow]] = defaultdict(list)
    for row in rows:
        groups[_same_name_key(row.full_name)].append(row)
    labels = {}
    for namesakes in groups.values():
        if len(namesakes) == 1:
            labels[namesakes[0].id] = namesakes[0].full_name
            continue
        years, ends = [_year(r) for r in namesakes], [_end(r) for r in namesakes]
        for row, year, end in zip(namesakes, years, ends, strict=True):
            if _all_distinct(years):
                labels[row.id] = _with(row.full_name, year, "")
            elif _all_distinct(ends):
                labels[row.id] = _with(row.full_name, "", end)
            else:
                labels[row.id] = _with(row.full_name, year, end)
    return labels


def roster_labels(people) -> dict[int, str]:
    """`distinct_labels` of a queryset (or list) of bridges.models.Person."""
    if hasattr(people, "values_list"):
        return distinct_labels(NameRow(*values) for values in
                               people.values_list("id", "full_name", "birth_date", "teacher_id"))
    return distinct_labels(NameRow(p.id, p.full_name, p.birth_date, p.teacher_id) for p in people)
