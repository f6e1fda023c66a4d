"""The demo in order: what `manage.py seed_demo` seeds and what `demo_banner` links to.

The province (bridges, rosters and demo accounts, `seeding.seed_bridges`, sized by the command's
options) always comes first: everything else hangs off its bridges and accounts. Each later step
offers seed(stdout), idempotent (running twice changes nothing), and banner_links(base_url) ->
[(url, Vietnamese label, English label)].
"""

from . import events, province_links, school_reports, training

# The training demo dates itself a month before the demo event, so the event goes first.
SEED_STEPS = (events, training, school_reports)
BANNER_STEPS = (province_links, events, training, school_reports)
