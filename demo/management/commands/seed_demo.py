from django.core.management.base import BaseCommand, CommandError

from core.text import clean_text
from demo.seeding import DemoRefused
from demo.steps import SEED_STEPS, seed_demo

FULL_SCHOOLS = 600


class Command(BaseCommand):
    help = (
        "Seed the Quảng Ngãi demo province: host bridge, 13 districts, 600 schools, ~18,000 teachers and "
        "three demo accounts. Deterministic and idempotent (existing codes and teacher ids are kept, "
        "nothing is duplicated). Absent with DIEMCAU_ENV=production, where the demo app is not installed. "
        "After the bridges it seeds, in this order, " + ", ".join(step.__name__ for step in SEED_STEPS)
        + " (see demo/steps.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, help="Fraction of the 600 schools, e.g. 0.05 for a quick run.")
        parser.add_argument("--schools", type=int, help="Number of schools in all (spread over the 13 districts).")
        parser.add_argument("--teachers-per-school", type=int,
                            help="Fixed roster size per school instead of the realistic 12-100.")

    def handle(self, *args, scale=None, schools=None, teachers_per_school=None, **options):
        if scale is not None and schools is not None:
            raise CommandError("Give --scale or --schools, not both.")
        if scale is not None:
            if not 0 < scale <= 1:
                raise CommandError("--scale must be in (0, 1].")
            schools = max(1, round(FULL_SCHOOLS * scale))
        try:
            seed_demo(self.stdout, schools=schools, teachers_per_school=teachers_per_school)
        except (DemoRefused, ValueError) as exc:
            raise CommandError(clean_text(exc)) from exc
