"""The demo in order: what `manage.py seed_demo` seeds and what `demo_banner` links to.

The province (bridges, rosters and demo accounts, `seeding.seed_bridges`, sized by the command's
options) always comes first: everything else hangs off its bridges and accounts. Each later step
offers seed(stdout), idempotent (running twice changes nothing), and banner_links(base_url) ->
[(url, Vietnamese label, English label)].
"""

from training import tallies

from . import events, followups, province_links, school_reports, training
from .seeding import refuse_in_production, seed_bridges

# The training demo dates itself a month before the demo event, so the event goes first.
SEED_STEPS = (events, training, followups, school_reports)
BANNER_STEPS = (province_links, events, training, followups, school_reports)


def seed_demo(stdout, *, schools: int | None = None, teachers_per_school: int | None = None) -> None:
    """Everything `manage.py seed_demo` seeds, in its order (the benchmarks call this too, so that what
    they measure is what the demo holds)."""
    refuse_in_production()
    seed_bridges(stdout=stdout, schools=schools, teachers_per_school=teachers_per_school)
    for step in SEED_STEPS:
        step.seed(stdout)
    # The report numbers' read model, counted once the data is in (bulk-written rows send no notification).
    tallies.rebuild_all()
