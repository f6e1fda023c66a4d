"""Plan a roster import: each row becomes a person created, updated or left unchanged.

A person is matched by teacher identifier (mã định danh); without one, by bridge, name as written
(marks kept, case ignored) and birth date. A name that matches only once its marks are removed is shown
as a question, never merged. Empty cells never erase what is stored.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext as _

from core.text import fold

from ..identifiers import CITIZEN_ID_DIGITS, clean_identifier, column_length, restore_zeros
from ..models import Bridge, Person
from . import normalize
from .lines import Walk, same_sheet
from .plan import CREATE, INVALID, UNCHANGED, UPDATE, Plan, Planned

CHUNK = 900  # stays below every database's limit on query parameters


def _max_length(name: str) -> int | None:
    return Person._meta.get_field(name).max_length


@dataclass
class Row:
    line: int
    full_name: str = ""
    bridge: Bridge | None = None
    values: dict = field(default_factory=dict)
    invalid: bool = False

    @property
    def name_key(self) -> str:
        return fold(self.full_name)[: _max_length("name_key")]

    def match_key(self):
        if self.values.get("teacher_id"):
            return ("id", self.values["teacher_id"])
        return ("name", self.bridge.pk if self.bridge else None, exact_name(self.full_name),
                self.values.get("birth_date"))

    def near_key(self):
        return ("name", self.bridge.pk if self.bridge else None, self.name_key, self.values.get("birth_date"))


def exact_name(value) -> str:
    # Marks change the word ("Hồng" is not "Hông"); letter case and spacing do not.
    return normalize.text(value).lower()


class BridgeFinder:
    """Finds the bridge a row or section names, by code or by folded name."""

    def __init__(self):
        self.bridges = list(Bridge.objects.select_related("tier"))
        self.by_code = {b.code: b for b in self.bridges}
        self.by_code_folded = defaultdict(list)
        self.by_place = defaultdict(list)
        self.by_ident = defaultdict(list)
        for bridge in self.bridges:
            self.by_code_folded[bridge.code.lower()].append(bridge)
            self.by_place[normalize.place_key(bridge.name)].append(bridge)
            self.by_ident[normalize.name_key(bridge.name)].append(bridge)
        self.cache: dict[str, object] = {}

    def find(self, text: str):
        """A Bridge, None (not found) or "ambiguous"."""
        if text in self.cache:
            return self.cache[text]
        code = normalize.identifier(text)
        found = self.by_code.get(code)
        if found is None:
            # The name as written first: "Trường Tiểu học Ba Tơ" is not "Trường Tiểu học Ba Tô".
            candidates = (self.by_code_folded.get(code.lower()) or self.by_ident.get(normalize.name_key(text))
                          or self.by_place.get(normalize.place_key(text), []))
            if len(candidates) > 1:
                schools = [b for b in candidates if b.tier.role == b.tier.Role.SCHOOL]
                candidates = schools if len(schools) == 1 else candidates
            found = candidates[0] if len(candidates) == 1 else ("ambiguous" if candidates else None)
        self.cache[text] = found
        return found


class PeoplePlanner:
    def __init__(self, plan: Plan, walk: Walk, *, bridge: Bridge | None = None, progress=None):
        self.plan = plan
        self.walk = walk
        self.fixed_bridge = bridge
        self.finder = BridgeFinder()
        self.rows: list[Row] = []
        self.progress = progress

    def error(self, row: Row, reason: str) -> None:
        row.invalid = True
        self.plan.add_problem(row.line, reason)

    def warn(self, line: int, reason: str) -> None:
        self.plan.add_problem(line, reason, "warning")

    def read_rows(self) -> None:
        section_bridge, section_line, section_title = None, None, ""
        for line in self.walk.lines:
            if section_line is not None and not same_sheet(section_line, line.number):
                section_bridge, section_line, section_title = None, None, ""  # a section ends with its sheet
            if line.is_section:
                section_line, section_title = line.number, line.section
                section_bridge = None
                if self.fixed_bridge is None:
                    found = self.finder.find(line.section)
                    if isinstance(found, Bridge):
                        section_bridge = found
                    else:
                        self.plan.add_problem(line.number, _("section %(title)s does not name a known bridge") % {
                            "title": line.section}, "warning")
                continue
            row = self.read_row(line)
            if row.bridge is None and not row.invalid:
                if section_bridge is not None:
                    row.bridge = section_bridge
                elif section_line is not None and "bridge" not in line.values:
                    self.error(row, _("no bridge: the section %(title)s on row %(row)s names no known bridge") % {
                        "title": section_title, "row": section_line})
                elif not normalize.text(line.values.get("bridge")):
                    self.error(row, _("no bridge given: add a bridge (school) column or choose the bridge"))
            self.rows.append(row)

    def read_row(self, line) -> Row:
        raw = line.values
        row = Row(line.number)
        row.full_name = normalize.text(raw.get("full_name"))
        if not row.full_name:
            self.error(row, _("missing full name"))
        elif len(row.full_name) > _max_length("full_name"):
            row.full_name, reason = normalize.limited(row.full_name, _max_length("full_name"), _("full name"))
            self.warn(line.number, reason)
        if self.fixed_bridge is not None:
            row.bridge = self.fixed_bridge
        else:
            named = normalize.text(raw.get("bridge"))
            if named:
                found = self.finder.find(named)
                if found is None:
                    self.error(row, _("bridge %(value)s was not found") % {"value": named})
                elif found == "ambiguous":
                    self.error(row, _("bridge %(value)s matches several bridges; use its code") % {"value": named})
                else:
                    row.bridge = found
        checks = (
            ("birth_date", normalize.birth_date), ("gender", normalize.gender),
            ("email", normalize.email),
        )
        for name, normalizer in checks:
            value, reason = normalizer(raw.get(name))
            if reason:
                self.warn(line.number, reason)
            if value:
                row.values[name] = value
        value, reason, level = normalize.phone(raw.get("phone"), _max_length("phone"))
        if reason and level == "error":
            self.error(row, reason)
        elif reason:
            self.warn(line.number, reason)
        if value:
            row.values["phone"] = value
        subject = normalize.text(raw.get("subject"))
        if len(subject) > _max_length("subject"):
            subject, reason = normalize.limited(subject, _max_length("subject"), _("subject / role"))
            self.warn(line.number, reason)
        if subject:
            row.values["subject"] = subject
        teacher_id = self.teacher_id(line)
        if len(teacher_id) > _max_length("teacher_id"):
            self.error(row, _("teacher identifier %(value)s is longer than %(max)s characters") % {
                "value": teacher_id, "max": _max_length("teacher_id")})
        elif teacher_id:
            row.values["teacher_id"] = teacher_id
        return row

    @cached_property
    def teacher_id_lengths(self) -> dict[int, int | None]:
        # The length each sheet's identifier column shares (12 for citizen numbers), read over all its
        # rows before any is planned: a number cell lost its leading zeros and is padded back to it.
        by_sheet = defaultdict(list)
        for line in self.walk.lines:
            if not line.is_section:
                by_sheet[getattr(line.number, "sheet_index", 0)].append(line.values.get("teacher_id"))
        return {sheet: column_length(raws) for sheet, raws in by_sheet.items()}

    def teacher_id(self, line) -> str:
        raw = line.values.get("teacher_id")
        cleaned = clean_identifier(raw)
        length = self.teacher_id_lengths.get(getattr(line.number, "sheet_index", 0))
        restored = restore_zeros(raw, cleaned, length)
        if restored != cleaned:
            if length == CITIZEN_ID_DIGITS and len(cleaned) == CITIZEN_ID_DIGITS - 1:
                why = _("citizen identity numbers have 12 digits and begin with 0")
            else:
                why = _("most identifiers in the column have %(length)s digits") % {"length": length}
            self.warn(line.number, _("teacher identifier %(value)s was given leading zeros: %(padded)s (the cell "
                                     "holds a number, which drops them; %(why)s)")
                      % {"value": cleaned, "padded": restored, "why": why})
        return restored

    def load_existing(self) -> None:
        """The people this file can touch: those on its bridges and those with its identifiers."""
        bridge_ids = {row.bridge.pk for row in self.rows if row.bridge is not None}
        ids = sorted({row.values["teacher_id"] for row in self.rows if "teacher_id" in row.values})
        people = {}
        bridge_list = sorted(bridge_ids)
        for start in range(0, len(bridge_list), CHUNK):
            for person in Person.objects.filter(bridge_id__in=bridge_list[start:start + CHUNK]):
                people[person.pk] = person
        for start in range(0, len(ids), CHUNK):
            for person in Person.objects.with_teacher_ids(ids[start:start + CHUNK]):
                people.setdefault(person.pk, person)
        self.by_teacher_id = {p.teacher_id: p for p in people.values() if p.teacher_id}
        self.by_name = defaultdict(list)
        self.by_near_name = defaultdict(list)
        for person in people.values():
            self.by_name[(person.bridge_id, exact_name(person.full_name), person.birth_date)].append(person)
            self.by_near_name[(person.bridge_id, person.name_key, person.birth_date)].append(person)
        self.bridge_names = {b.pk: b for b in self.finder.bridges}

    def match(self, row: Row) -> Person | None:
        teacher_id = row.values.get("teacher_id")
        if teacher_id and teacher_id in self.by_teacher_id:
            return self.by_teacher_id[teacher_id]
        wanted = (row.bridge.pk, exact_name(row.full_name), row.values.get("birth_date"))
        candidates = [p for p in self.by_name.get(wanted, []) if not teacher_id or not p.teacher_id]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            self.suggest_stored(row)
        if len(candidates) > 1:
            self.warn(row.line, _("several people on this bridge have this name and birth date; "
                                  "a new person is added. Give teacher identifiers to tell them apart"))
        return None

    def suggest_stored(self, row: Row) -> None:
        for person in self.by_near_name.get((row.bridge.pk, row.name_key, row.values.get("birth_date")), []):
            if exact_name(person.full_name) == exact_name(row.full_name):
                continue  # the same name, set aside only because identifiers differ
            self.warn(row.line, _("“%(name)s” is close to “%(other)s”, already on this bridge: are they two "
                                  "different people? A new person is added") % {
                "name": row.full_name, "other": person.full_name})

    def suggest_in_file(self, row: Row, first_by_near: dict) -> None:
        if row.values.get("teacher_id"):
            return  # different identifiers are different people, whatever their names
        other = first_by_near.setdefault(row.near_key(), row)
        if other is not row:
            self.warn(row.line, _("“%(name)s” is close to “%(other)s” (row %(row)s): are they two different "
                                  "people? Both are imported") % {
                "name": row.full_name, "other": other.full_name, "row": other.line})

    def build(self) -> None:
        first_by_key: dict = {}
        first_by_near: dict = {}
        first_by_person: dict[int, Row] = {}
        total = len(self.rows)
        for index, row in enumerate(self.rows):
            if self.progress and index % 2000 == 0:
                self.progress(index, total)
            if row.invalid:
                self.plan.rows.append(Planned(row.line, INVALID, row.values.get("teacher_id", ""), row.full_name))
                continue
            key = row.match_key()
            first = first_by_key.get(key)
            if first is not None:
                if first.full_name == row.full_name and first.values == row.values and first.bridge == row.bridge:
                    self.warn(row.line, _("same as row %(row)s, skipped") % {"row": first.line})
                    self.plan.rows.append(Planned(row.line, UNCHANGED, row.values.get("teacher_id", ""), row.full_name,
                                                  note=_("same as row %(row)s") % {"row": first.line}))
                    continue
                if key[0] == "id":
                    reason = _("teacher identifier %(value)s already appears on row %(row)s") % {
                        "value": key[1], "row": first.line}
                else:
                    reason = _("same name and birth date as row %(row)s on the same bridge; add a teacher "
                               "identifier or birth date to tell them apart") % {"row": first.line}
                self.error(row, reason)
                self.plan.rows.append(Planned(row.line, INVALID, row.values.get("teacher_id", ""), row.full_name))
                continue
            first_by_key[key] = row
            self.suggest_in_file(row, first_by_near)
            person = self.match(row)
            if person is not None and person.pk in first_by_person:
                self.error(row, _("matches the same person as row %(row)s") % {"row": first_by_person[person.pk].line})
                self.plan.rows.append(Planned(row.line, INVALID, row.values.get("teacher_id", ""), row.full_name))
                continue
            if person is None:
                values = {"full_name": row.full_name, **row.values}
                planned = Planned(row.line, CREATE, row.values.get("teacher_id", ""), row.full_name, values=values)
            else:
                first_by_person[person.pk] = row
                planned = self.planned_update(row, person)
            planned.bridge = row.bridge
            planned.note = planned.note or row.bridge.code
            self.plan.rows.append(planned)

    def planned_update(self, row: Row, person: Person) -> Planned:
        changes = {}
        if row.full_name != person.full_name:
            changes["full_name"] = (person.full_name, row.full_name)
        for name, new in row.values.items():
            old = getattr(person, name)
            if old != new:
                changes[name] = (old, new)
        if row.bridge.pk != person.bridge_id:
            old = self.bridge_names.get(person.bridge_id)
            changes["bridge"] = (old.code if old else "", row.bridge.code)
        action = UPDATE if changes else UNCHANGED
        values = {name: new for name, (_old, new) in changes.items() if name != "bridge"}
        return Planned(row.line, action, person.teacher_id or row.values.get("teacher_id", ""), row.full_name,
                       values=values, changes=changes, target=person)

    def run(self) -> None:
        self.read_rows()
        self.load_existing()
        self.build()


def plan_people(plan: Plan, walk: Walk, *, bridge: Bridge | None = None, progress=None) -> Plan:
    PeoplePlanner(plan, walk, bridge=bridge, progress=progress).run()
    return plan
