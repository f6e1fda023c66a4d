"""Write the demo province into the database: idempotent, deterministic, bulk."""

import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from bridges.models import Bridge, Person, Tier
from bridges.tree import assign_paths_after_bulk_create
from core.text import clean_text, fold

from . import province as p
from .accounts import ensure_accounts
from .people import make_teacher
from .plan import MAX_TEACHERS_PER_SCHOOL, SEED, SchoolPlan, district_code, province_plan, slug


class DemoRefused(RuntimeError):
    pass


@dataclass
class SeedReport:
    bridges: int = 0
    bridges_created: int = 0
    people: int = 0
    people_created: int = 0
    accounts_created: int = 0


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise DemoRefused(_("Demo data is never seeded in production (DIEMCAU_ENV=production)."))


def _tiers() -> dict[str, Tier]:
    tiers = {}
    for code, label, role, order in p.TIERS:
        tiers[code], _created = Tier.objects.get_or_create(
            code=code, defaults={"label": label, "role": role, "order": order})
    return tiers


def _contact(code: str, *, mountain: bool = False, born=(1968, 1982)):
    rng = random.Random(f"{SEED}:{code}:contact")
    return make_teacher(rng, level=p.THCS, mountain=mountain, serial=0, born_between=born)


def _ensure(code: str, **fields) -> tuple[Bridge, bool]:
    """Hall bridges (host, districts) are few: save() them one by one so the tree code sets paths."""
    bridge = Bridge.objects.filter(code=code).first()
    if bridge is not None:
        return bridge, False
    bridge = Bridge(code=code, **fields)
    bridge.save()
    return bridge, True


def _host(tier: Tier) -> tuple[Bridge, bool]:
    head, tech = _contact(p.HOST_CODE), _contact(f"{p.HOST_CODE}:tech", born=(1985, 1995))
    return _ensure(
        p.HOST_CODE, name=p.HOST_NAME, tier=tier, address=p.HOST_ADDRESS,
        head_name=head.full_name, head_role="Giám đốc Trung tâm IOC", head_phone=head.phone,
        tech_name=tech.full_name, tech_phone=tech.phone, email=f"ioc@{p.EMAIL_DOMAIN}",
        expected_participants=60, internet_line="VNPT – kênh truyền số liệu chuyên dùng 1 Gbps",
    )


def _district(district: p.District, tier: Tier, host: Bridge) -> tuple[Bridge, bool]:
    code = district_code(district)
    head, tech = _contact(code, mountain=district.mountain), _contact(f"{code}:tech", born=(1985, 1995))
    where = f"{district.seat}, {district.kind} {district.name}, tỉnh {p.PROVINCE}"
    return _ensure(
        code, name=district.full_name, tier=tier, parent=host,
        address=f"Hội trường Phòng GD&ĐT, {where}",
        head_name=head.full_name, head_role="Trưởng phòng GD&ĐT", head_phone=head.phone,
        tech_name=tech.full_name, tech_phone=tech.phone,
        email=f"pgd.{slug(district.name)}@{p.EMAIL_DOMAIN}", expected_participants=15,
        internet_line=p.MOUNTAIN_LINES[0] if district.mountain else p.LOWLAND_LINES[0],
        notes=f"Phòng Giáo dục và Đào tạo {district.kind} {district.name}",
    )


def _school(plan: SchoolPlan, tier: Tier, parent: Bridge, roster: int) -> Bridge:
    head, _deputy, tech = plan.teachers(3)
    return Bridge(
        code=plan.code, name=clean_text(plan.name), tier=tier, parent=parent, address=clean_text(plan.address()),
        head_name=head.full_name, head_role="Hiệu trưởng", head_phone=head.phone,
        tech_name=tech.full_name, tech_phone=tech.phone, email=plan.email(),
        expected_participants=roster, internet_line=plan.internet_line(),
    )


def seed_bridges(*, schools: int | None = None, teachers_per_school: int | None = None,
                 stdout=None) -> SeedReport:
    """The province, its districts and schools, their rosters and the demo accounts.

    schools: how many schools in all (default: the full 600); teachers_per_school: a fixed roster
    size instead of the realistic one. What exists already (by code, by teacher id) is kept as is.
    """
    refuse_in_production()
    if teachers_per_school is not None and not 0 <= teachers_per_school <= MAX_TEACHERS_PER_SCHOOL:
        raise ValueError(f"teachers_per_school must be between 0 and {MAX_TEACHERS_PER_SCHOOL}")
    report = SeedReport()
    with transaction.atomic():
        tiers = _tiers()
        host, created = _host(tiers["host"])
        report.bridges_created += created
        plan = province_plan(schools)
        plans: list[tuple[SchoolPlan, Bridge, int]] = []
        for district, schools_plan in plan:
            hall, created = _district(district, tiers["district"], host)
            report.bridges_created += created
            for school in schools_plan:
                roster = teachers_per_school if teachers_per_school is not None else school.roster_size()
                plans.append((school, hall, roster))

        existing = {b.code: b for b in Bridge.objects.filter(code__in=[s.code for s, _h, _r in plans])}
        fresh = [_school(s, tiers["school"], hall, roster) for s, hall, roster in plans if s.code not in existing]
        Bridge.objects.bulk_create(fresh, batch_size=500)
        assign_paths_after_bulk_create(fresh)
        report.bridges_created += len(fresh)
        by_code = existing | {b.code: b for b in fresh}

        known_ids = set(Person.objects.exclude(teacher_id="").values_list("teacher_id", flat=True))
        people = []
        for school, _hall, roster in plans:
            bridge = by_code[school.code]
            for teacher in school.teachers(roster)[:roster]:
                if teacher.teacher_id in known_ids:
                    continue
                people.append(Person(
                    bridge=bridge, full_name=teacher.full_name, name_key=fold(teacher.full_name)[:150],
                    birth_date=teacher.birth_date, gender=teacher.gender, subject=teacher.subject,
                    phone=teacher.phone, email=teacher.email, teacher_id=teacher.teacher_id,
                ))
        Person.objects.bulk_create(people, batch_size=2000)
        report.people_created = len(people)
        report.accounts_created = ensure_accounts()

    province = Bridge.objects.filter(path__startswith=host.path)
    report.bridges = province.count()
    report.people = Person.objects.filter(bridge__path__startswith=host.path).count()
    if stdout is not None:
        stdout.write(_("Bridges: %(total)s (%(new)s new); people: %(people)s (%(people_new)s new); "
                       "demo accounts created: %(accounts)s.") % {
            "total": report.bridges, "new": report.bridges_created, "people": report.people,
            "people_new": report.people_created, "accounts": report.accounts_created})
    return report
