"""Settings read from the environment.

Embedded default: SQLite (WAL) + in-memory channel layer, one process, nothing to install.
DATABASE_URL / REDIS_URL switch to PostgreSQL and Redis for several ASGI workers.
DIEMCAU_ENV=production turns on the hardened mode that `check --deploy` accepts.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from core.security_headers import style_hashes

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DIEMCAU_ENV", "development").lower() == "production"

# The development defaults below are public (they are in this file): core.checks refuses each of them,
# by name, when PRODUCTION is on (`manage.py check --deploy` fails).
DEVELOPMENT_SECRETS = {
    "SECRET_KEY": "dev-only-insecure-key-change-me-" + "x" * 32,
    "JITSI_APP_SECRET": "dev-only-jitsi-app-secret-change-me-0123456789",
    "JITSI_WEBHOOK_SECRET": "dev-only-webhook-secret-change-me",
}

if PRODUCTION:
    # No fallback: a production instance with a guessable key would sign forgeable links.
    SECRET_KEY = os.environ["SECRET_KEY"]
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRETS["SECRET_KEY"])

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The one source of the client address (audit log, rate limits, login throttling): the addresses or
# networks of our own reverse proxies, comma-separated. X-Forwarded-For is believed only from them
# (core.audit.client_ip); empty (the default) believes no header. `make serve`/`make demo` hand the same
# value to uvicorn's --forwarded-allow-ips (and --no-proxy-headers when empty).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
RATELIMIT_IP_META_KEY = "core.audit.rate_limit_address"
# django-ratelimit's other settings at their defaults, written out: it reads each of them at every count
# (attendance.services.throttle: several per check-in), and a setting that is missing costs an
# AttributeError raised and caught each time.
RATELIMIT_ENABLE = True
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "rl:"
RATELIMIT_HASH_ALGORITHM = hashlib.sha256
RATELIMIT_FAIL_OPEN = False

# Public base URL used in links that leave the site (QR codes, e-mails, calendars).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "ninja",
    # Login throttling (per account and per address); its admin lists and unlocks locked accounts.
    "axes",
    "core",
    # After core: core's db_worker (which also settles jobs whose worker died) takes the command's name.
    "django_tasks",
    "django_tasks.backends.database",
    "bridges",
    "events",
    "video",
    "attendance",
    "training",
    "schoolreports",
    "followups",
    "reports",
    "console",
]

# The demo province, its seeding and the load driver: never installed in production, so its
# commands (seed_demo, demo_banner, simulate_day) do not exist there.
if not PRODUCTION:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every page (core/security_headers.py).
    "csp.middleware.CSPMiddleware",
    "core.security_headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers a locked-out login with core.login_throttle's page (after the auth middleware, per axes).
    "axes.middleware.AxesMiddleware",
    "core.middleware.SyncViewsMiddleware",
]

# Scripts, styles, fonts, images, connections and frames from our own origin; an inline script only with
# the request's nonce; the 500 page's inline style by its hash. video.page_policy.jitsi_page adds the
# Jitsi domain on the pages that embed it (core/security_headers.py says why each is there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, *style_hashes(BASE_DIR / "templates" / "500.html")],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
                # concurrent writers queue on busy_timeout instead of failing with "database is locked"
                # when a read transaction tries to upgrade.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # Kept open between requests: Django's default (0) opened a new connection for every request,
            # page load, check-in batch and websocket write (core.asgi_fast.fresh_connections and channels'
            # database_sync_to_async close old ones around each call), with its PRAGMAs, which was the
            # single-process demo's largest cost under `simulate_day` (yappi). Connections stay per thread.
            "CONN_MAX_AGE": 600,
            # One file per test process: two test runs in one checkout must not share (and corrupt) it.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3"))},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
    # Under ASGI each request runs in a thread of its own, so persistent per-thread connections
    # (CONN_MAX_AGE) pile up until PostgreSQL refuses more ("too many clients"). A psycopg pool per
    # process shares a few connections instead; Django requires CONN_MAX_AGE = 0 with it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": int(os.environ.get("DB_POOL_SIZE", 20)), "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and cache ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis, riding out a Redis restart: receivers wait and join their groups again.
            "BACKEND": "core.redis_outage.RecoveringRedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 5000, "expiry": 30},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # channels' in-memory layer, its expiry sweep once a second rather than at every call (core.memory_layer).
    CHANNEL_LAYERS = {"default": {"BACKEND": "core.memory_layer.SweepingInMemoryChannelLayer",
                                  "CONFIG": {"capacity": 5000}}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "diemcau"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# django-axes first (core.login_throttle): it refuses a locked account or address before the password is checked.
AUTHENTICATION_BACKENDS = ["core.login_throttle.LoginThrottleBackend", "django.contrib.auth.backends.ModelBackend"]
# LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one address, lock the login for
# LOGIN_LOCKOUT_MINUTES (each counted apart). Attempts during a lockout do not extend it, so the wait
# the page tells is the true one. An admin unlocks at once: the admin's "access attempts" or
# `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS` / `axes_reset`.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.audit.client_ip"
AXES_LOCKOUT_CALLABLE = "core.login_throttle.lockout_response"
# The password is never stored with an attempt (axes drops AXES_PASSWORD_FORM_FIELD); neither is the rest.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language, time -------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Outside production the files are served from static/ as they are, also with DEBUG off (make demo).
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Spreadsheets from offices are small; anything bigger is junk or a mistake.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Every paged API list: limit 1-500, offset capped, both documented in the schema (core/pagination.py).
NINJA_PAGINATION_CLASS = "core.pagination.Page"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background jobs ------------------------------------------------------------------------
# "database" (default): jobs wait in the database and `manage.py db_worker` runs them (make demo
# starts one beside uvicorn; with PostgreSQL, workers on several machines share the queue); web
# processes never run them. "inline": django-tasks runs them at once in the caller (tests).
JOBS_MODE = os.environ.get("JOBS_MODE", "database")
_JOB_BACKENDS = {
    "database": "django_tasks.backends.database.DatabaseBackend",
    "inline": "django_tasks.backends.immediate.ImmediateBackend",
}
if JOBS_MODE not in _JOB_BACKENDS:
    raise RuntimeError(f"JOBS_MODE must be one of {', '.join(_JOB_BACKENDS)} (got {JOBS_MODE!r})")
TASKS = {"default": {"BACKEND": _JOB_BACKENDS[JOBS_MODE]}}
# A running job's worker writes a heartbeat this often; a job silent for JOBS_STALE_SECONDS has lost
# its worker and is marked failed (checked by every worker at start and every JOBS_RECOVERY_SECONDS).
JOBS_HEARTBEAT_SECONDS = int(os.environ.get("JOBS_HEARTBEAT_SECONDS", 30))
JOBS_STALE_SECONDS = int(os.environ.get("JOBS_STALE_SECONDS", 300))
JOBS_RECOVERY_SECONDS = int(os.environ.get("JOBS_RECOVERY_SECONDS", 60))
# Heavy jobs (print PDFs, letters, certificates; core.jobs.limits): per person, this many at a time
# and this many in 24 hours. Read-only accounts start none.
JOBS_HEAVY_CONCURRENT_PER_USER = int(os.environ.get("JOBS_HEAVY_CONCURRENT_PER_USER", 1))
JOBS_HEAVY_PER_DAY = int(os.environ.get("JOBS_HEAVY_PER_DAY", 20))
# Job files (report workbooks, ZIPs of letters and certificates, print PDFs) hold personal data: they are
# deleted this many days after their job finished (core.jobs.retention; every db_worker purges each
# JOB_FILES_PURGE_SECONDS, and `manage.py purge_job_files` does it from cron).
JOB_FILES_KEEP_DAYS = int(os.environ.get("JOB_FILES_KEEP_DAYS", 30))
JOB_FILES_PURGE_SECONDS = int(os.environ.get("JOB_FILES_PURGE_SECONDS", 3600))
# A school gets at most one reminder per event (or follow-up report) in this many minutes.
REMINDER_COOLDOWN_MINUTES = int(os.environ.get("REMINDER_COOLDOWN_MINUTES", 240))
# `manage.py backup` writes here unless told otherwise (keep it off the web root; copy it off the machine).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))

# --- Mail -----------------------------------------------------------------------------------
# Without EMAIL_HOST mails are not sent: core.mail.DevelopmentMailBackend writes each one to a file in
# EMAIL_FILE_PATH (a private directory) and logs only its recipients and subject, never its body (which
# holds console links). Production refuses it (core.checks).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "core.mail.DevelopmentMailBackend")
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "diemcau <no-reply@diemcau.local>")
# The issuing body and place printed on invitation letters (empty: the event's host bridge; no place).
INVITATION_ISSUER = os.environ.get("INVITATION_ISSUER", "")
INVITATION_PLACE = os.environ.get("INVITATION_PLACE", "")
# ORGANIZER of every calendar entry (RFC 5546 asks for it): the organizing office's address
# (empty: the address of DEFAULT_FROM_EMAIL), named after the invitation letter's issuer.
CALENDAR_ORGANIZER_EMAIL = os.environ.get("CALENDAR_ORGANIZER_EMAIL", "")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# --- Jitsi ----------------------------------------------------------------------------------
JITSI_DOMAIN = os.environ.get("JITSI_DOMAIN", "meet.diemcau.local")
JITSI_APP_ID = os.environ.get("JITSI_APP_ID", "diemcau")
# HS256 wants a key of at least 32 bytes (RFC 7518 3.2); PyJWT warns below that.
JITSI_APP_SECRET = os.environ.get("JITSI_APP_SECRET", DEVELOPMENT_SECRETS["JITSI_APP_SECRET"])
JITSI_WEBHOOK_SECRET = os.environ.get("JITSI_WEBHOOK_SECRET", DEVELOPMENT_SECRETS["JITSI_WEBHOOK_SECRET"])
JITSI_ROOM_SIZE = int(os.environ.get("JITSI_ROOM_SIZE", 100))
# The "aud" claim of room tokens; must be among the Jitsi server's accepted audiences.
JITSI_AUDIENCE = os.environ.get("JITSI_AUDIENCE", "jitsi")
# A room token lives for the session it joins plus this many hours (video.tokens.token_expiry); the console
# fetches a fresh one before it expires.
JITSI_TOKEN_MARGIN_HOURS = float(os.environ.get("JITSI_TOKEN_MARGIN_HOURS", 2))

# --- Attendance integrity (issue 15; the reasons are in attendance/services/throttle.py and queued.py) ---
# The teacher page's rate limits per client address and roll call, as django-ratelimit rates; "off" lifts
# one (load tests on loopback only: every simulated phone there shares 127.0.0.1).
ATTENDANCE_CHECKIN_RATES = env_list("ATTENDANCE_CHECKIN_RATES", "90/m,300/5m")
ATTENDANCE_FAILURE_RATES = env_list("ATTENDANCE_FAILURE_RATES", "30/m")  # refused attempts per device
ATTENDANCE_ADDRESS_FAILURE_RATES = env_list("ATTENDANCE_ADDRESS_FAILURE_RATES", "120/10m")  # per address
ATTENDANCE_PAGE_FAILURE_RATES = env_list("ATTENDANCE_PAGE_FAILURE_RATES", "5/5m")
ATTENDANCE_SEARCH_RATES = env_list("ATTENDANCE_SEARCH_RATES", "300/m")
ATTENDANCE_PAGE_SEARCH_RATES = env_list("ATTENDANCE_PAGE_SEARCH_RATES", "30/5m")
# A board whose scope holds more bridges than this (a nation's organizer: 40,000) shows its groups' counters
# and the tiles of one group at a time (attendance.board.state.EventBoard.group_mode); a province's stay whole.
BOARD_TILES_MAX = int(os.environ.get("BOARD_TILES_MAX", 2000))
# More check-ins than this from one device at one roll call are flagged on the board and in reports.
ATTENDANCE_SAME_CLIENT_FLAG_AFTER = int(os.environ.get("ATTENDANCE_SAME_CLIENT_FLAG_AFTER", 3))
# A console's queued write still counts this long after its roll call closed or its event ended (at most 30).
ATTENDANCE_QUEUED_WRITE_GRACE_MINUTES = int(os.environ.get("ATTENDANCE_QUEUED_WRITE_GRACE_MINUTES", 30))
# A console's roster tick can be undone this long after the server recorded it (attendance.services.roster).
ATTENDANCE_TICK_UNDO_MINUTES = int(os.environ.get("ATTENDANCE_TICK_UNDO_MINUTES", 5))

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "core.logging.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # uvicorn's access log is uvicorn's to switch (--no-access-log, --log-level): configured here it was
    # printed even when the server was started without it (a line per request, ~7 % of a check-in's CPU).
    # Its full paths hold console tokens: core.apps puts the redaction filter on its logger instead.
    # A refused request (403/404) is an expected answer, not an incident worth a traceback.
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # One line per mail kept by core.mail.DevelopmentMailBackend: recipients and subject, never the body.
        "core.mail": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Production hardening -------------------------------------------------------------------
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    for required in ("JITSI_APP_SECRET", "JITSI_WEBHOOK_SECRET"):
        if required not in os.environ:
            raise RuntimeError(f"{required} must be set in production")
