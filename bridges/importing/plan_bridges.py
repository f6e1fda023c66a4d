"""Plan a bridge-list import: which rows create, update or leave bridges unchanged, and why a row
cannot be used.

A row's parent comes from its parent column, else from the section row above it ("I. HUYỆN BÌNH
SƠN"), else it is the host bridge. A section that names no known unit but reads like a place
("Huyện ...", "TX. ...") creates that intermediate bridge. A row's tier comes from its tier column,
else from a section that names a tier ("ĐIỂM CẦU CHÍNH"), else one level below its parent.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..models import Bridge, Tier
from . import normalize
from .errors import ImportFileError
from .lines import Walk, same_sheet
from .plan import CREATE, INVALID, UNCHANGED, UPDATE, Plan, Planned

TEXT_FIELDS = ("address", "head_name", "head_role", "tech_name", "internet_line", "notes")
PHONE_FIELDS = ("head_phone", "tech_phone")

_ROLE_ALIASES = {
    Tier.Role.HOST: {"diem cau chinh", "chinh", "host", "cap tinh", "tinh", "trung tam"},
    Tier.Role.INTERMEDIATE: {"trung gian", "intermediate", "diem cau trung gian"},
    Tier.Role.SCHOOL: {"truong", "truong hoc", "school", "co so", "diem cau truong"},
}


def _max_length(name: str) -> int | None:
    return Bridge._meta.get_field(name).max_length


@dataclass
class Section:
    line: int
    title: str
    parent: object = None  # a Row or a Bridge
    tier_hint: Tier | None = None


@dataclass
class Row:
    line: int
    code: str = ""
    name: str = ""
    values: dict = field(default_factory=dict)
    tier_text: str = ""
    parent_text: str = ""
    section: Section | None = None
    from_section: bool = False
    invalid: bool = False
    existing: Bridge | None = None
    parent: object = None  # a Row, a Bridge or None
    parent_given: bool = False
    tier: Tier | None = None
    explicit_tier: Tier | None = None
    duplicate_of: "Row | None" = None
    asked: set = field(default_factory=set)  # stored bridges this row was said to be close to
    planned: Planned | None = None

    @property
    def place(self) -> str:
        return normalize.place_key(self.name)

    @property
    def ident(self) -> str:
        # Identity keeps the marks: "Ba Tơ" and "Ba Tô" are two places; the folded place key only suggests.
        return normalize.name_key(self.name)


class BridgePlanner:
    def __init__(self, plan: Plan, walk: Walk):
        self.plan = plan
        self.walk = walk
        self.tiers = list(Tier.objects.order_by("order", "code"))
        if not self.tiers:
            raise ImportFileError(_("No tiers are defined yet. Create the tiers (for example Điểm cầu chính, "
                                    "Huyện, Trường) in the administration pages first."))
        self.bridges = list(Bridge.objects.select_related("tier"))
        self.by_code = {b.code: b for b in self.bridges}
        self.by_pk = {b.pk: b for b in self.bridges}
        self.by_place = defaultdict(list)
        self.by_ident = defaultdict(list)
        for bridge in self.bridges:
            self.by_place[normalize.place_key(bridge.name)].append(bridge)
            self.by_ident[normalize.name_key(bridge.name)].append(bridge)
        self.rows: list[Row] = []
        self.sections: list[Section] = []
        self._visiting: set[int] = set()
        self._tier_decided: set[int] = set()

    # --- reading rows -----------------------------------------------------------------------
    def error(self, row: Row, reason: str) -> None:
        if not row.invalid:
            row.invalid = True
        self.plan.add_problem(row.line, reason)

    def warn(self, line: int, reason: str) -> None:
        self.plan.add_problem(line, reason, "warning")

    def read_rows(self) -> None:
        section = None
        for line in self.walk.lines:
            if section is not None and not same_sheet(section.line, line.number):
                section = None  # a section ends with its sheet
            if line.is_section:
                section = Section(line.number, line.section)
                self.sections.append(section)
                continue
            self.rows.append(self.read_row(line, section))

    def read_row(self, line, section) -> Row:
        raw = line.values
        row = Row(line.number, section=section)
        row.code = normalize.identifier(raw.get("code"))
        row.name = normalize.text(raw.get("name"))
        row.tier_text = normalize.text(raw.get("tier"))
        row.parent_text = normalize.text(raw.get("parent"))
        if not row.name:
            self.error(row, _("missing bridge name"))
        elif len(row.name) > _max_length("name"):
            row.name, reason = normalize.limited(row.name, _max_length("name"), _("bridge name"))
            self.warn(line.number, reason)
        if len(row.code) > _max_length("code"):
            self.error(row, _("code %(code)s is longer than %(max)s characters") % {
                "code": row.code, "max": _max_length("code")})
        for name in TEXT_FIELDS:
            value = normalize.text(raw.get(name))
            if value and name != "notes" and len(value) > _max_length(name):
                value, reason = normalize.limited(value, _max_length(name), str(Bridge._meta.get_field(name).verbose_name))
                self.warn(line.number, reason)
            if value:
                row.values[name] = value
        for name in PHONE_FIELDS:
            value, reason, level = normalize.phone(raw.get(name), _max_length(name))
            if reason and level == "error":
                self.error(row, reason)
            elif reason:
                self.warn(line.number, reason)
            if value:
                row.values[name] = value
        value, reason = normalize.email(raw.get("email"))
        if reason:
            self.warn(line.number, reason)
        if value:
            row.values["email"] = value
        value, reason = normalize.count(raw.get("expected_participants"))
        if reason:
            self.warn(line.number, reason)
        if value is not None:
            row.values["expected_participants"] = value
        if row.tier_text:
            row.explicit_tier = self.tier_named(row.tier_text)
            if row.explicit_tier is None:
                self.error(row, _("tier %(value)s is unknown") % {"value": row.tier_text})
        if row.code and row.code in self.by_code:
            row.existing = self.by_code[row.code]
        return row

    # --- tiers ------------------------------------------------------------------------------
    def tier_named(self, text: str, *, inside: bool = False) -> Tier | None:
        wanted = normalize.key(text)
        for tier in self.tiers:
            if wanted in (normalize.key(tier.code), normalize.key(tier.label)):
                return tier
        for role, aliases in _ROLE_ALIASES.items():
            if wanted in aliases:
                return self.first_tier(role)
        # "Cấp huyện", "Điểm cầu cấp huyện": a tier label inside the text.
        padded = f" {wanted} "
        found = [t for t in self.tiers if normalize.key(t.label) and f" {normalize.key(t.label)} " in padded]
        for role, aliases in _ROLE_ALIASES.items():
            if inside and any(f" {alias} " in padded for alias in aliases if " " in alias):
                tier = self.first_tier(role)
                if tier:
                    found.append(tier)
        if found:
            return max(found, key=lambda t: len(t.label))
        return None

    def first_tier(self, role: str) -> Tier | None:
        return next((t for t in self.tiers if t.role == role), None)

    def child_tier(self, parent_tier: Tier) -> Tier | None:
        if parent_tier.role == Tier.Role.HOST:
            return self.first_tier(Tier.Role.INTERMEDIATE) or self.first_tier(Tier.Role.SCHOOL)
        if parent_tier.role == Tier.Role.INTERMEDIATE:
            return self.first_tier(Tier.Role.SCHOOL)
        return None

    # --- references to other units ----------------------------------------------------------
    def index_file(self) -> None:
        self.file_by_code: dict[str, Row] = {}
        self.file_by_place: dict[str, list[Row]] = defaultdict(list)
        self.file_by_ident: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            if not row.name:
                continue
            if row.code:
                self.file_by_code.setdefault(row.code, row)
            self.file_by_place[row.place].append(row)
            self.file_by_ident[row.ident].append(row)

    def resolve(self, text: str, *, exclude: Row | None = None):
        """The unit a parent column or section names: a Row of this file, a Bridge, None or "ambiguous"."""
        code = normalize.identifier(text)
        if code in self.file_by_code and self.file_by_code[code] is not exclude:
            return self.file_by_code[code]
        if code in self.by_code:
            return self._as_row(self.by_code[code])
        exact = normalize.name_key(text)
        found = self._candidates(self.file_by_ident.get(exact, []), self.by_ident.get(exact, []), exclude)
        wanted = normalize.place_key(text)
        if not found:
            found = self._candidates(self.file_by_place.get(wanted, []), self.by_place.get(wanted, []), exclude)
        if not found:
            # "Phòng GD&ĐT huyện Bình Sơn" is the unit a section "HUYỆN BÌNH SƠN" means.
            endings = [f"{prefix} {wanted}" for prefix in ("huyen", "thi xa", "thanh pho", "quan", "xa", "phuong")]
            file_rows = [r for place, rows in self.file_by_place.items() if place.endswith(tuple(endings)) for r in rows]
            db_rows = [b for place, rows in self.by_place.items() if place.endswith(tuple(endings)) for b in rows]
            found = self._candidates(file_rows, db_rows, exclude)
        if len(found) > 1:
            units = [f for f in found if not self._is_school(f)]
            found = units or found
        if len(found) == 1:
            return found[0]
        return "ambiguous" if found else None

    def _as_row(self, bridge: Bridge):
        # A bridge that is also a row of this file is referred to through its row.
        for row in self.rows:
            if row.existing is bridge:
                return row
        return bridge

    def _candidates(self, file_rows, db_bridges, exclude):
        # The file speaks first: a unit listed in it is the one meant, whether or not it is stored yet
        # (rows without a code are matched to stored bridges only later).
        found = [r for r in file_rows if r is not exclude]
        if not found:
            found = [self._as_row(b) for b in db_bridges]
        unique = []
        for item in found:
            if item is not exclude and all(item is not other for other in unique):
                unique.append(item)
        return unique

    def _is_school(self, unit) -> bool:
        if isinstance(unit, Bridge):
            return unit.tier.role == Tier.Role.SCHOOL
        tier = unit.explicit_tier or (unit.existing.tier if unit.existing else None)
        return tier is not None and tier.role == Tier.Role.SCHOOL

    def resolve_sections(self) -> None:
        for section in self.sections:
            found = self.resolve(section.title)
            if found == "ambiguous":
                self.plan.add_problem(section.line, _("section %(title)s matches several units; give the rows below "
                                                      "a parent unit column") % {"title": section.title})
                section.parent = "ambiguous"
            elif found is not None:
                section.parent = found
            elif normalize.starts_like_place(section.title):
                unit = Row(section.line, name=section.title, from_section=True)
                self.rows.append(unit)
                self.file_by_place[unit.place].append(unit)
                self.file_by_ident[unit.ident].append(unit)
                section.parent = unit
            else:
                section.tier_hint = self.tier_named(section.title, inside=True)

    def resolve_parents(self) -> None:
        for row in self.rows:
            if row.invalid and not row.name:
                continue
            if row.parent_text:
                found = self.resolve(row.parent_text, exclude=row)
                if found == "ambiguous":
                    self.error(row, _("parent unit %(value)s matches several units; use its code") % {
                        "value": row.parent_text})
                elif found is None:
                    self.error(row, _("parent unit %(value)s was not found") % {"value": row.parent_text})
                else:
                    row.parent, row.parent_given = found, True
            elif row.section is not None and row.section.parent is not None:
                if row.section.parent == "ambiguous":
                    self.error(row, _("the section above this row does not name a single unit"))
                elif row.section.parent is not row:
                    row.parent, row.parent_given = row.section.parent, True

    # --- matching rows without a code to existing bridges -----------------------------------
    def match_by_name(self) -> None:
        for row in self.rows:
            if row.existing is not None or row.code or not row.name:
                continue
            candidates = self.by_ident.get(row.ident, [])
            if row.parent_given:
                parent_pk = self._pk_of(row.parent)
                candidates = [b for b in candidates if parent_pk is not None and b.parent_id == parent_pk]
                if not candidates:
                    self.suggest_stored(row, parent_pk)
            if len(candidates) > 1:
                host = self.db_host()
                candidates = [b for b in candidates if host is not None and b.parent_id == host.pk] or candidates
            # Two rows naming one stored bridge share its identity: find_duplicates skips or refuses the later.
            if len(candidates) == 1:
                row.existing = candidates[0]

    def suggest_stored(self, row: Row, parent_pk) -> None:
        """A stored bridge under the same parent whose name differs only in marks: asked, never merged."""
        for bridge in self.by_place.get(row.place, []):
            if parent_pk is not None and bridge.parent_id == parent_pk and bridge.name != row.name:
                row.asked.add(bridge.pk)
                self.warn(row.line, _("“%(name)s” is close to the existing bridge “%(other)s” (code %(code)s): "
                                      "are they two different bridges? It is added as a new one") % {
                    "name": row.name, "other": bridge.name, "code": bridge.code})

    @staticmethod
    def _pk_of(unit):
        if isinstance(unit, Bridge):
            return unit.pk
        if isinstance(unit, Row) and unit.existing is not None:
            return unit.existing.pk
        return None

    def db_host(self) -> Bridge | None:
        hosts = [b for b in self.bridges if b.tier.role == Tier.Role.HOST]
        return hosts[0] if len(hosts) == 1 else None

    # --- tiers and default parents ----------------------------------------------------------
    def the_host(self):
        hosts = [r for r in self.rows if not r.invalid and (r.explicit_tier and r.explicit_tier.role == Tier.Role.HOST
                                                             or (r.section and r.section.tier_hint
                                                                 and r.section.tier_hint.role == Tier.Role.HOST))]
        for bridge in self.bridges:
            if bridge.tier.role == Tier.Role.HOST and not any(r.existing is bridge for r in hosts):
                hosts.append(self._as_row(bridge))
        unique = []
        for host in hosts:
            if all(host is not other for other in unique):
                unique.append(host)
        return unique[0] if len(unique) == 1 else None

    def resolve_tiers(self) -> None:
        self.host = self.the_host()
        for row in self.rows:
            self.tier_of(row)

    def tier_of(self, row: Row) -> Tier | None:
        # Asked once per row and again by each child: a row whose tier could not be told is decided
        # (and its problem said) only once.
        if row.tier is not None or (row.invalid and not row.name) or id(row) in self._tier_decided:
            return row.tier
        if id(row) in self._visiting:
            self.error(row, _("its parent units form a loop"))
            return None
        self._visiting.add(id(row))
        try:
            tier = row.explicit_tier
            if tier is None and row.existing is not None:
                tier = row.existing.tier
            if tier is None and row.section is not None and row.section.tier_hint is not None:
                tier = row.section.tier_hint
            if row.existing is not None and not row.parent_given:
                row.parent = self.by_pk.get(row.existing.parent_id)
            elif not row.parent_given:
                is_host = tier is not None and tier.role == Tier.Role.HOST
                if not is_host and self.host is not None and self.host is not row:
                    row.parent = self.host
            if tier is None:
                parent_tier = self.tier_of(row.parent) if isinstance(row.parent, Row) else (
                    row.parent.tier if isinstance(row.parent, Bridge) else None)
                if parent_tier is not None:
                    tier = self.child_tier(parent_tier)
                    if tier is None:
                        self.error(row, _("a bridge cannot be placed below the school bridge %(name)s") % {
                            "name": self._name_of(row.parent)})
                elif row.parent is None:
                    self.error(row, _("cannot tell which tier this bridge belongs to: add a tier column (Cấp), "
                                      "a parent unit column or section rows"))
            row.tier = tier
            self._tier_decided.add(id(row))
            return tier
        finally:
            self._visiting.discard(id(row))

    @staticmethod
    def _name_of(unit) -> str:
        return unit.name if unit is not None else ""

    def check_loops(self) -> None:
        limit = len(self.rows) + len(self.bridges) + 1
        for row in self.rows:
            if row.invalid:
                continue
            unit, steps = row.parent, 0
            while unit is not None and steps < limit:
                if isinstance(unit, Bridge):
                    unit = self._as_row(unit)
                if unit is row or (isinstance(unit, Bridge) and row.existing is not None and unit.pk == row.existing.pk):
                    self.error(row, _("its parent units form a loop"))
                    break
                unit = unit.parent if isinstance(unit, Row) else self.by_pk.get(unit.parent_id)
                steps += 1

    # --- duplicates, codes, actions ---------------------------------------------------------
    def identity(self, row: Row):
        if row.existing is not None:
            return ("bridge", row.existing.pk)
        if row.code:
            return ("code", row.code)
        return ("name", self.parent_key(row), row.ident)

    def parent_key(self, row: Row):
        parent = row.parent
        return ("row", id(parent)) if isinstance(parent, Row) and parent.existing is None else self._pk_of(parent)

    def find_duplicates(self) -> None:
        first_by_identity: dict = {}
        first_by_place: dict = {}
        for row in self.rows:
            if row.invalid:
                continue
            ident = self.identity(row)
            first = first_by_identity.get(ident)
            if first is None:
                first_by_identity[ident] = row
                self.suggest_in_file(row, first_by_place)
                continue
            # A note says nothing about which bridge a row is: rows differing only there repeat each other.
            same = (first.name == row.name and _without_notes(first.values) == _without_notes(row.values)
                    and first.tier == row.tier and first.parent is row.parent)
            if same:
                row.duplicate_of = first
                self.warn(row.line, _("same as row %(row)s, skipped") % {"row": first.line})
            else:
                what = row.code or row.name
                self.error(row, _("%(what)s already appears on row %(row)s with different data") % {
                    "what": what, "row": first.line})

    def suggest_in_file(self, row: Row, first_by_place: dict) -> None:
        """An earlier row under the same parent whose name differs only in marks: asked, never merged."""
        near = (self.parent_key(row), row.place)
        other = first_by_place.setdefault(near, row)
        if other is not row and (other.existing is None or other.existing.pk not in row.asked):
            self.warn(row.line, _("“%(name)s” is close to “%(other)s” (row %(row)s): are they two different "
                                  "bridges? Both are imported") % {
                "name": row.name, "other": other.name, "row": other.line})

    def propagate_invalid(self) -> None:
        changed = True
        while changed:
            changed = False
            for row in self.rows:
                if not row.invalid and isinstance(row.parent, Row) and row.parent.invalid:
                    self.error(row, _("its parent unit on row %(row)s has problems") % {"row": row.parent.line})
                    changed = True

    def derive_code(self, row: Row, taken: set[str]) -> str:
        # Stable across re-imports of the same list: built from the names only.
        parent_name = normalize.name_key(row.parent.name) if row.parent is not None else ""
        slug = "-".join(normalize.key(row.name).upper().split())[:24].strip("-") or "DC"
        # From the names as written (marks kept), so "Ba Tơ" and "Ba Tô" get different codes.
        digest = hashlib.sha1(f"{parent_name}|{row.ident}".encode(), usedforsecurity=False).hexdigest()
        for width in (5, 8, 12, 40):
            code = f"{slug}-{digest[:width].upper()}"[: _max_length("code")]
            if code not in taken:
                return code
        raise ImportFileError(_("Could not make a unique code for %(name)s.") % {"name": row.name})

    def build(self) -> None:
        taken = set(self.by_code) | {r.code for r in self.rows if r.code}
        for row in self.rows:
            if row.invalid:
                planned = Planned(row.line, INVALID, row.code, row.name)
            elif row.duplicate_of is not None:
                planned = Planned(row.line, UNCHANGED, row.duplicate_of.code, row.name,
                                  note=_("same as row %(row)s") % {"row": row.duplicate_of.line})
            elif row.existing is not None:
                planned = self.planned_update(row)
            else:
                if not row.code:
                    row.code = self.derive_code(row, taken)
                    taken.add(row.code)
                values = {"name": row.name, **row.values}
                note = _("from the section row") if row.from_section else ""
                planned = Planned(row.line, CREATE, row.code, row.name, values=values, note=note)
            planned.tier = row.tier
            row.planned = planned
            self.plan.rows.append(planned)
        for row in self.rows:
            if row.planned.action in (CREATE, UPDATE):
                row.planned.parent = self.parent_target(row.parent)

    def parent_target(self, parent):
        """What apply links to: an existing Bridge, or the Planned create of a new one."""
        if isinstance(parent, Row):
            if parent.existing is not None:
                return parent.existing
            if parent.duplicate_of is not None:
                return self.parent_target(parent.duplicate_of)
            return parent.planned
        return parent

    def planned_update(self, row: Row) -> Planned:
        bridge = row.existing
        changes = {}
        if row.name and row.name != bridge.name:
            changes["name"] = (bridge.name, row.name)
        for name, new in row.values.items():
            old = getattr(bridge, name)
            if old != new:
                changes[name] = (old, new)
        if row.tier is not None and row.tier.pk != bridge.tier_id:
            changes["tier"] = (bridge.tier.label, row.tier.label)
        if row.parent_given:
            new_parent_pk = self._pk_of(row.parent)
            if new_parent_pk != bridge.parent_id:
                old_parent = self.by_pk.get(bridge.parent_id)
                changes["parent"] = (old_parent.name if old_parent else "", self._name_of(row.parent))
        action = UPDATE if changes else UNCHANGED
        values = {name: new for name, (_old, new) in changes.items() if name not in ("tier", "parent")}
        return Planned(row.line, action, bridge.code, row.name or bridge.name, values=values, changes=changes,
                       target=bridge)

    def run(self) -> None:
        self.read_rows()
        self.index_file()
        self.resolve_sections()
        self.resolve_parents()
        self.match_by_name()
        self.resolve_tiers()
        self.check_loops()
        self.find_duplicates()
        self.propagate_invalid()
        self.build()
        self.plan.rows.sort(key=lambda planned: planned.row)


def _without_notes(values: dict) -> dict:
    return {name: value for name, value in values.items() if name != "notes"}


def plan_bridges(plan: Plan, walk: Walk) -> Plan:
    BridgePlanner(plan, walk).run()
    return plan
