from django.core.management.base import BaseCommand, CommandError

from bridges import demo
from core.demo import DEMO_MODULES, demo_modules
from core.text import clean_text

FULL_SCHOOLS = 600


class Command(BaseCommand):
    help = (
        "Seed the Quảng Ngãi demo province: host bridge, 13 districts, 600 schools, ~18,000 teachers and "
        "three demo accounts. Deterministic and idempotent (existing codes and teacher ids are kept, "
        "nothing is duplicated); refuses to run when DIEMCAU_ENV=production. After the bridges it calls, "
        "in this order, seed(stdout) of each of " + ", ".join(DEMO_MODULES[1:]) + " that exists (see "
        "core/demo.py; a missing module is skipped, an error inside one is not)."
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
            demo.refuse_in_production()
            demo.seed(self.stdout, schools=schools, teachers_per_school=teachers_per_school)
        except (demo.DemoRefused, ValueError) as exc:
            raise CommandError(clean_text(exc)) from exc
        for module in demo_modules():
            if module is not demo:
                module.seed(self.stdout)
