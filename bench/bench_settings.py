"""Settings of the live benchmark's server: the project's, plus a bench-only URLconf (bench/bench_urls.py).

Selected with DJANGO_SETTINGS_MODULE=bench.bench_settings by bench/bench_live.py only; production
URLs never contain the comparison endpoint.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
