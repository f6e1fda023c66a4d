"""Which schools the demo province has, in a fixed order, so that codes never change.

A school's code (QNG-BSO-001) and everything about it come from the full-scale plan and a random
generator seeded with that code: a small run seeds the first schools of each district exactly as a
full run would, and a later full run only adds what is missing.
"""

import math
import random
import re
from dataclasses import dataclass

from . import province as p
from .people import Teacher, make_teacher

SEED = "diemcau-demo-quang-ngai-2022"
MAX_TEACHERS_PER_SCHOOL = 999  # the serial behind a teacher identifier keeps three digits per school

# Roster size ranges by level; highland schools are smaller.
ROSTER = {p.MN: (12, 24), p.TH: (20, 40), p.THCS: (25, 47), p.TH_THCS: (27, 45), p.THPT: (60, 100),
          p.PTDTNT: (30, 45)}


@dataclass(frozen=True)
class SchoolPlan:
    district: p.District
    district_index: int
    number: int
    name: str
    level: str
    unit_kind: str
    unit: str

    @property
    def code(self) -> str:
        return f"{district_code(self.district)}-{self.number:03d}"

    @property
    def unit_label(self) -> str:
        return f"{self.unit_kind} {self.unit}"

    def rng(self, purpose: str) -> random.Random:
        # A str seed is hashed with SHA-512 by random.seed: stable across runs and PYTHONHASHSEED.
        return random.Random(f"{SEED}:{self.code}:{purpose}")

    def roster_size(self) -> int:
        low, high = ROSTER[self.level]
        size = self.rng("size").randint(low, high)
        return round(size * 0.85) if self.district.mountain else size

    def teachers(self, count: int) -> list[Teacher]:
        """The school's people: head first, deputy second, the ICT contact third, then the staff."""
        rng = self.rng("people")
        level, mountain = self.level, self.district.mountain
        ict = "Tin học" if level != p.MN else ""
        fixed = [("Hiệu trưởng", (1966, 1982)), ("Phó Hiệu trưởng", (1970, 1988)), (ict, (1985, 1998))]
        people = []
        for index in range(max(count, len(fixed))):
            subject, born = fixed[index] if index < len(fixed) else ("", (1966, 2000))
            serial = (self.district_index * 1000 + self.number) * 1000 + index
            people.append(make_teacher(rng, level=level, mountain=mountain, serial=serial, subject=subject,
                                       born_between=born))
        return people

    def address(self) -> str:
        rng = self.rng("address")
        district = f"{self.district.kind} {self.district.name}"
        if self.unit_kind == p.XA:
            villages = p.MOUNTAIN_VILLAGES if self.district.mountain else p.VILLAGES
            where = f"thôn {rng.choice(villages)}"
        else:
            where = f"{rng.randint(1, 350)} {rng.choice(p.STREETS)}"
        return f"{where}, {self.unit_label}, {district}, tỉnh {p.PROVINCE}"

    def email(self) -> str:
        return f"{slug(self.name.removeprefix('Trường '))}.{self.district.code.lower()}@{p.EMAIL_DOMAIN}"

    def internet_line(self) -> str:
        if self.district.code == "LSO":
            lines = p.ISLAND_LINES
        else:
            lines = p.MOUNTAIN_LINES if self.district.mountain else p.LOWLAND_LINES
        return self.rng("line").choice(lines)


def slug(text: str) -> str:
    from core.text import fold

    return re.sub(r"[^a-z0-9]", "", fold(text))


def district_code(district: p.District) -> str:
    return f"{p.HOST_CODE}-{district.code}"


def split_unit(label: str) -> tuple[str, str]:
    """"thị trấn Châu Ổ" -> ("thị trấn", "Châu Ổ")."""
    for kind in (p.THI_TRAN, p.PHUONG, p.XA):
        if label.startswith(kind + " "):
            return kind, label.removeprefix(kind + " ")
    raise ValueError(label)


def _unit_name(kind: str, name: str) -> str:
    # Schools of a town carry "thị trấn"; schools of a ward or commune carry the bare name.
    return f"thị trấn {name}" if kind == p.THI_TRAN else name


def _commune_schools(district: p.District, kind: str, unit: str, merged: bool) -> list[tuple[str, str]]:
    boarding = district.mountain and kind == p.XA
    name = _unit_name(kind, unit)
    if merged:
        levels = [(p.MN, f"Trường Mầm non {name}"),
                  (p.TH_THCS, f"Trường {'PTDTBT ' if boarding else ''}TH&THCS {name}")]
    else:
        levels = [(p.TH, f"Trường Tiểu học {name}"),
                  (p.THCS, f"Trường {'PTDTBT ' if boarding else ''}THCS {name}"),
                  (p.MN, f"Trường Mầm non {name}")]
    return levels


def district_plan(district_index: int, district: p.District) -> list[SchoolPlan]:
    """All schools of a district at full scale, in code order."""
    communes = district.communes
    need = district.schools - len(district.specials)
    # Small highland communes run one combined primary+lower-secondary school instead of two.
    merged = max(0, min(len(communes), 3 * len(communes) - need))
    base: list[tuple[str, str, str, str]] = []
    for position, (kind, unit) in enumerate(communes):
        is_merged = position >= len(communes) - merged
        base += [(level, name, kind, unit) for level, name in _commune_schools(district, kind, unit, is_merged)]
    # Big lowland communes have a second (third...) primary school and kindergarten.
    for extra in range(max(0, need - len(base))):
        kind, unit = communes[extra % len(communes)]
        round_ = extra // len(communes)
        level = (p.TH, p.MN, p.THCS)[round_ % 3]
        number = 2 + round_ // 3
        base.append((level, f"{p.LEVEL_PREFIX[level]} số {number} {_unit_name(kind, unit)}", kind, unit))
    seat_kind, seat = split_unit(district.seat)
    rows = list(base)
    # Upper-secondary schools are spread through the list so a small demo still has one.
    for order, special in enumerate(district.specials):
        level = p.PTDTNT if "Nội trú" in special else p.THPT
        at = min(len(rows), (order + 1) * len(base) // (len(district.specials) + 1) + order)
        rows.insert(at, (level, special, seat_kind, seat))
    rows = rows[: district.schools]
    return [SchoolPlan(district, district_index, number, name, level, kind, unit)
            for number, (level, name, kind, unit) in enumerate(rows, start=1)]


def schools_per_district(total: int | None) -> list[int]:
    """Spread `total` schools over the districts like the real province (each gets one when it can)."""
    full = [d.schools for d in p.DISTRICTS]
    if total is None or total >= sum(full):
        return full
    total = max(0, total)
    floor_each = 1 if total >= len(full) else 0
    rest = total - floor_each * len(full)
    weights = [n - floor_each for n in full]
    quotas = [rest * w / sum(weights) for w in weights]
    counts = [floor_each + math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(full)), key=lambda i: (-(quotas[i] - math.floor(quotas[i])), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def province_plan(total_schools: int | None = None) -> list[tuple[p.District, list[SchoolPlan]]]:
    counts = schools_per_district(total_schools)
    return [(district, district_plan(index, district)[:count])
            for index, (district, count) in enumerate(zip(p.DISTRICTS, counts, strict=True), start=1)]
