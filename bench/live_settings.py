"""Settings of the live benchmark's server: the project's, plus a bench-only URLconf (bench/live_urls.py).

Selected with DJANGO_SETTINGS_MODULE=bench.live_settings by bench/bench_live.py only; production
URLs never contain the comparison endpoint.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.live_urls"

# Every simulated phone shares 127.0.0.1 here: the teacher page's per-address limits would measure the
# limiter, not the write path (attendance.services.throttle; "off" lifts a limit).
ATTENDANCE_CHECKIN_RATES = ["off"]
ATTENDANCE_FAILURE_RATES = ["off"]
ATTENDANCE_ADDRESS_FAILURE_RATES = ["off"]
