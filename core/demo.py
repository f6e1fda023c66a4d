"""Which apps contribute demo data, in the order `manage.py seed_demo` runs them.

Each listed module that exists is imported; a module that is missing is skipped, but an error
raised inside one is not swallowed. A module offers:
  seed(stdout)                -> add its demo data (idempotent: running twice changes nothing);
  banner_links(base_url)      -> optional, [(url, Vietnamese label, English label)] for demo_banner.
bridges.demo comes first and is always there: everything else hangs off its bridges and accounts.
"""

import importlib
import importlib.util
from types import ModuleType

DEMO_MODULES = ("bridges.demo", "events.demo", "attendance.demo", "training.demo")


def demo_modules() -> list[ModuleType]:
    found = []
    for name in DEMO_MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        found.append(importlib.import_module(name))
    return found
