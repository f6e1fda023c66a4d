"""Settings of the live benchmark's server: the project's, plus a bench-only URLconf (bench/live_urls.py).

Selected with DJANGO_SETTINGS_MODULE=bench.live_settings by bench/bench_live.py only; production
URLs never contain the comparison endpoint.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.live_urls"
